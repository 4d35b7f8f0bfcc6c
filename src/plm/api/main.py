"""The API: /api/v1/ with its OpenAPI schema and docs (vendored Swagger UI, no CDN)."""

import json
import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from plm import __version__
from plm.api import imports, licenses, people, policies
from plm.api.errors import ApiError, error_response, status_for
from plm.core import codes as c
from plm.core.codes import PlmError


class VendoredSwagger(Swagger):
    """Swagger UI from the installed django-ninja's own files, never a CDN.

    ninja falls back to a CDN page when "ninja" is not an installed app; PLM leaves it out (see
    NINJA_DIR in settings) and renders the same template itself. The API authenticates with
    bearer tokens only, so the page needs no CSRF token.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": False,
        }
        return render(request, self.template, context)


api = NinjaAPI(
    title="Presenter License Manager API",
    version=__version__,
    description="Personal Capture presenter licenses: the same rules and codes as the `plm` "
    "command and the web. Authenticate with `Authorization: Bearer <token>`.",
    urls_namespace="api",
    docs=VendoredSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
# imports before people: /users/imports must match before /users/{username}.
api.add_router("", licenses.router)
api.add_router("", imports.router)
api.add_router("", people.router)
api.add_router("", policies.router)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(PlmError)
def on_plm_error(request: HttpRequest, exc: PlmError) -> HttpResponse:
    return error_response(status_for(exc), exc.code, exc.message)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [{"loc": list(e.get("loc", [])), "msg": str(e.get("msg", ""))} for e in exc.errors]
    return error_response(422, c.INVALID_REQUEST, "The request is not valid: see details.", details)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, c.UNAUTHORIZED, "Authentication required.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, c.NOT_FOUND, "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(exc.status_code, c.INVALID_REQUEST, str(exc))


@api.exception_handler(Exception)
def on_internal_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logging.getLogger("plm.api").exception("internal error on %s", request.path)
    return error_response(500, c.INTERNAL_ERROR, "Internal error; it was logged.")
