"""One JSON error shape for the whole API: {"error": {"code", "message", "details"?}}."""

from typing import Any

from django.http import HttpRequest

from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.xlsx import XLSX_CONTENT_TYPE
from plm.http_status import http_status, json_error


class ApiError(Exception):
    """A request error with its HTTP status."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


error_response = json_error


def status_for(error: PlmError) -> int:
    return http_status(error.code)


def not_found(request: HttpRequest, what: str) -> ApiError:
    return ApiError(404, c.NOT_FOUND, f"{what} does not exist.")


def csv_response_doc(description: str, *, xlsx: bool = False) -> dict[str, object]:
    """openapi_extra documenting a text/csv 200 response (or .xlsx with ?format=xlsx)."""
    content: dict[str, object] = {"text/csv": {"schema": {"type": "string"}}}
    if xlsx:
        content[XLSX_CONTENT_TYPE] = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": content}}}
