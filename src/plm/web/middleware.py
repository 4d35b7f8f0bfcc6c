"""Refuse NUL bytes in the path and query string: no database stores them, so they can only
be garbage or an attack, and would otherwise fail deep inside a query."""

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from plm.core.codes import INVALID_REQUEST
from plm.http_status import json_error


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            if request.path.startswith("/api/"):
                # As a NUL in a JSON body: 422 in the API's one error shape (documented there).
                return json_error(422, INVALID_REQUEST, "NUL bytes are not allowed in a URL.")
            return HttpResponseBadRequest("NUL bytes are not allowed in a URL.")
        return self.get_response(request)
