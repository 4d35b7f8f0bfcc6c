"""Refuse NUL bytes in the path, the query string, form fields and cookies: no database stores
them (PostgreSQL refuses them in text, SQLite would keep them), so they can only be garbage or an
attack, and would otherwise fail deep inside a query as a 500. Refused the same on every
database: 400 on pages, 422 `invalid_request` under /api/ (as a NUL in a JSON body)."""

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from plm.core.codes import INVALID_REQUEST
from plm.http_status import json_error

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_in(request: HttpRequest) -> str | None:
    """Where a NUL byte is in the request (a phrase for the message), or None."""
    if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
        return "a URL"
    if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
        return "a cookie"
    if request.method in ("POST", "PUT", "PATCH") and request.content_type in _FORMS:
        # Parsing the form here is what CSRF protection does next anyway; uploaded file
        # contents are not form fields (the import reader judges them).
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return "a form field"
        if any("\x00" in (f.name or "") for f in request.FILES.values()):
            return "a file name"
    return None


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _nul_in(request)
        if where is None:
            return self.get_response(request)
        message = f"NUL bytes are not allowed in {where}."
        if request.path.startswith("/api/"):
            # As a NUL in a JSON body: 422 in the API's one error shape (documented there).
            return json_error(422, INVALID_REQUEST, message)
        return HttpResponseBadRequest(message)
