"""The one table from error codes to HTTP statuses, for the web pages and the API alike, and
the API's one JSON error shape (also used by middleware that answers before the API runs)."""

from typing import Any

from django.http import JsonResponse

from plm.core import codes as c

_STATUS = {
    c.PERMISSION_DENIED: 403,
    c.UNAUTHORIZED: 401,
    c.FILE_TOO_LARGE: 413,
    c.LICENSE_EXISTS: 409,
    c.SEATS_BELOW_ASSIGNED: 409,
    c.LICENSE_IN_USE: 409,
    c.ORG_EXISTS: 409,
    c.POLICY_EXISTS: 409,
    c.NOT_CANCELLABLE: 409,
    c.NOT_RESUMABLE: 409,
    c.NOT_REVERTIBLE: 409,
    c.NOT_A_PREVIEW: 409,
    c.METHOD_NOT_ALLOWED: 405,
    c.INTERNAL_ERROR: 500,
}


def http_status(code: str) -> int:
    """404 for every `*_not_found`; 422 for any other request error."""
    if code in _STATUS:
        return _STATUS[code]
    if code == c.NOT_FOUND or code.endswith("_not_found"):
        return 404
    return 422


def json_error(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    """{"error": {"code", "message", "details"?}} with `status`."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JsonResponse({"error": body}, status=status)
