"""One JSON error shape for the whole API: {"error": {"code", "message", "details"?}}."""

from typing import Any

from django.http import HttpRequest, JsonResponse

from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.xlsx import XLSX_CONTENT_TYPE

_CONFLICTS = {
    c.LICENSE_EXISTS,
    c.SEATS_BELOW_ASSIGNED,
    c.LICENSE_IN_USE,
    c.ORG_EXISTS,
    c.NOT_CANCELLABLE,
}


class ApiError(Exception):
    """A request error with its HTTP status."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_response(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JsonResponse({"error": body}, status=status)


def status_for(error: PlmError) -> int:
    if error.code in _CONFLICTS:
        return 409
    if error.code == c.PERMISSION_DENIED:
        return 403
    if error.code.endswith("_not_found"):
        return 404
    if error.code == c.FILE_TOO_LARGE:
        return 413
    return 422


def not_found(request: HttpRequest, what: str) -> ApiError:
    return ApiError(404, c.NOT_FOUND, f"{what} does not exist.")


def csv_response_doc(description: str, *, xlsx: bool = False) -> dict[str, object]:
    """openapi_extra documenting a text/csv 200 response (or .xlsx with ?format=xlsx)."""
    content: dict[str, object] = {"text/csv": {"schema": {"type": "string"}}}
    if xlsx:
        content[XLSX_CONTENT_TYPE] = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": content}}}
