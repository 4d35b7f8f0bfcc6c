"""URL configuration: the web pages (and later the API)."""

from django.urls import include, path

urlpatterns = [
    path("", include("plm.web.urls")),
]
