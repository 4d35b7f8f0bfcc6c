"""/oidc/authenticate/ and /oidc/callback/ (mounted only when PLM_OIDC_ISSUER is set)."""

from django.urls import path

from plm.identity import oidc

urlpatterns = [
    path("authenticate/", oidc.AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
]
