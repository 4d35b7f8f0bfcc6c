"""Under /api/, every error answer is JSON in the one error shape — also the ones Django makes
itself before the API sees the request (405, CSRF, bad request)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from plm.api.errors import error_response

_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "file_too_large",
}


class JsonApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code = _CODES.get(
                response.status_code,
                "internal_error" if response.status_code >= 500 else "invalid_request",
            )
            message = f"{response.status_code} {getattr(response, 'reason_phrase', '')}".strip()
            json = error_response(response.status_code, code, message)
            if response.has_header("Allow"):
                json["Allow"] = response["Allow"]
            return json
        return response
