"""URL configuration: the web pages and the API."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import include, path

from plm.api.errors import error_response
from plm.api.main import api
from plm.scim.views import error_response as scim_error

urlpatterns = [
    path("api/v1/", api.urls),
    path("scim/v2/", include("plm.scim.urls")),
    path("", include("plm.web.urls")),
]
if settings.PLM_OIDC_ISSUER:
    from plm.identity import oidc

    urlpatterns[-1:-1] = [
        path("oidc/", include("plm.identity.urls")),
        # Before the web's own: also ends the provider's session (RP-initiated logout).
        path("logout/", oidc.logout, name="oidc_logout"),
    ]


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """JSON under /api/ and /scim/ (never an HTML page), the site's own page elsewhere
    (navigation, a way back)."""
    if request.path.startswith("/scim/"):
        return scim_error(404, "No SCIM endpoint here: the SCIM base URL is /scim/v2/.")
    if request.path.startswith("/api/"):
        return error_response(404, "not_found", "No such API endpoint.")
    return render(request, "web/404.html", status=404)


def internal_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 page; if even the layout cannot be rendered with the request (the
    database is down, say), the same template without it."""
    if request.path.startswith("/scim/"):
        return scim_error(500, "Internal error; it was logged.")
    if request.path.startswith("/api/"):
        return error_response(500, "internal_error", "Internal error; it was logged.")
    try:
        return render(request, "web/500.html", status=500)
    except Exception:  # the error page itself must not fail
        logging.getLogger(__name__).exception("the 500 page with its navigation failed")
        return HttpResponseServerError(loader.render_to_string("web/500_plain.html"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (CSRF_FAILURE_VIEW): the site's page saying nothing changed and what to
    do, not Django's bare one; JSON under /api/ (a session-authenticated API call)."""
    if request.path.startswith("/api/"):
        return error_response(403, "permission_denied", "CSRF check failed: send a token instead.")
    return render(request, "web/csrf.html", status=403)


handler404 = "plm.urls.not_found"
handler500 = "plm.urls.internal_error"
