"""OpenID Connect sign-in (docs/identity.md) with mozilla-django-oidc, configured from the
environment: the provider's endpoints come from its discovery document (PLM_OIDC_ISSUER), read
when first needed and kept for an hour, so a provider that is down never stops PLM starting.

What PLM adds to the library: the ID token's issuer, audience, expiry and nonce are all checked
(the library checks the signature and the nonce only), a token that fails any check is refused
with a page saying so (never a 500), the user is matched by plm.directory.sso, and logging out
ends the provider's session too when it offers RP-initiated logout.
"""

import logging
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from plm.directory.sso import user_for_claims

log = logging.getLogger(__name__)
DISCOVERY_SECONDS = 3600
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


class DiscoveryError(Exception):
    """The provider's discovery document cannot be read or does not fit."""


def discovery() -> dict[str, Any]:
    issuer = settings.PLM_OIDC_ISSUER
    cached = _discovered.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        response = requests.get(
            issuer + "/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise DiscoveryError(f"cannot read {issuer}/.well-known/openid-configuration") from exc
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
        raise DiscoveryError(f"the discovery document of {issuer} names another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not document.get(key):
            raise DiscoveryError(f"the discovery document of {issuer} has no {key}")
    _discovered[issuer] = (time.monotonic() + DISCOVERY_SECONDS, document)
    return document


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class OIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """The authorization code flow (with PKCE, state and nonce) against the configured
    provider; matching users by claims, never creating one unless PLM_OIDC_CREATE_USERS=1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Endpoints are read from discovery when used (properties below), not here: Django
        # builds a backend for every signed-in request.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # (the library reads these names)
        return str(discovery()["token_endpoint"])

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return str(discovery()["jwks_uri"])

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return str(discovery().get("userinfo_endpoint") or "")

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """Signature (a key of the provider's JWKS), issuer, audience, expiry, nonce."""
        if not token:
            raise SuspiciousOperation("the provider sent no ID token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise SuspiciousOperation("the ID token is not a signed JWT") from None
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"the ID token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}"
            )
        key = self.retrieve_matching_jwk(token)
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=discovery()["issuer"],
                leeway=settings.PLM_OIDC_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise SuspiciousOperation("the ID token has expired") from None
        except jwt.InvalidSignatureError:
            raise SuspiciousOperation("the ID token's signature does not verify") from None
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"the ID token is not valid: {exc}") from None
        if payload.get("nonce") != kwargs.get("nonce"):
            raise SuspiciousOperation("the ID token's nonce is not this sign-in's")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The ID token's claims, completed by the userinfo endpoint (same subject only)."""
        claims = dict(payload)
        endpoint = self.OIDC_OP_USER_ENDPOINT
        if endpoint and access_token:
            response = requests.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=settings.OIDC_TIMEOUT,
            )
            response.raise_for_status()
            if response.headers.get("content-type", "").startswith("application/json"):
                info = response.json()
                if isinstance(info, dict):
                    if info.get("sub") != payload.get("sub"):
                        raise SuspiciousOperation("userinfo is about another subject")
                    claims.update(info)
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        user, refusal = user_for_claims(
            claims,
            username_claim=settings.PLM_OIDC_USERNAME_CLAIM,
            create=settings.PLM_OIDC_CREATE_USERS,
        )
        if user is None:
            self.request.plm_sso_refusal = refusal
            log.info("single sign-on refused: %s", refusal)
        return user

    def get_user(self, user_id: Any) -> Any:
        """A deactivated user's session ends at their next request."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    return render(
        request,
        "identity/refused.html",
        {"reason": reason, "provider": settings.PLM_OIDC_NAME},
        status=status,
    )


class AuthenticateView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Start a sign-in: redirect to the provider's authorization endpoint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        View.__init__(self, *args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except DiscoveryError as exc:
            log.warning("single sign-on unavailable: %s", exc)
            return refused(
                request,
                f"{settings.PLM_OIDC_NAME} cannot be reached right now ({exc}). Try again later.",
                503,
            )
        return super().get(request)  # type: ignore[no-any-return]


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """The provider's answer: sign the matched user in, or say plainly why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)  # type: ignore[no-any-return]
        except SuspiciousOperation as exc:
            log.warning("single sign-on answer refused: %s", exc)
            return refused(
                request,
                f"The answer from {settings.PLM_OIDC_NAME} failed PLM's checks ({exc}). "
                "Nobody was signed in. Start again from the login page.",
                400,
            )
        except (DiscoveryError, requests.RequestException) as exc:
            log.warning("single sign-on failed: %s", exc)
            return refused(
                request,
                f"{settings.PLM_OIDC_NAME} could not be asked to confirm the sign-in. "
                "Try again later.",
                502,
            )

    def login_failure(self) -> HttpResponse:
        request = self.request
        reason = getattr(request, "plm_sso_refusal", None)
        if reason is None:
            error = request.GET.get("error_description") or request.GET.get("error")
            reason = (
                f"{settings.PLM_OIDC_NAME} did not sign you in: {error}."
                if error
                else "This sign-in was not started here, or it has expired. Start again."
            )
        return refused(request, reason)


def logout(request: HttpRequest) -> HttpResponse:
    """End the PLM session; when signed in with the provider and it offers RP-initiated
    logout (end_session_endpoint), end that session too and come back to the login page."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    target = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if id_token:
        try:
            end_session = discovery().get("end_session_endpoint")
        except DiscoveryError:
            end_session = None
        if end_session:
            query = urlencode(
                {
                    "id_token_hint": id_token,
                    "post_logout_redirect_uri": request.build_absolute_uri(target),
                    "client_id": settings.OIDC_RP_CLIENT_ID,
                }
            )
            target = f"{end_session}?{query}"
    auth.logout(request)
    return HttpResponseRedirect(target)
