"""URL configuration: the web pages and the API."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.defaults import page_not_found, server_error

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
    """JSON under /api/ (never an HTML page), the normal page elsewhere."""
    if request.path.startswith("/scim/"):
        return scim_error(404, "No SCIM endpoint here: the SCIM base URL is /scim/v2/.")
    if request.path.startswith("/api/"):
        return error_response(404, "not_found", "No such API endpoint.")
    return page_not_found(request, exception)


def internal_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/scim/"):
        return scim_error(500, "Internal error; it was logged.")
    if request.path.startswith("/api/"):
        return error_response(500, "internal_error", "Internal error; it was logged.")
    return server_error(request)


handler404 = "plm.urls.not_found"
handler500 = "plm.urls.internal_error"
