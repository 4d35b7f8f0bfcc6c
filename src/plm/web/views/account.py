"""Home and the signed-in user's own profile, with their API tokens."""

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from plm.app import confirmations, provisioning, tokens, users
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.web.access import actor_of, requires
from plm.web.confirm import confirm_page, confirmed


@requires("login")
def home(request: HttpRequest) -> HttpResponse:
    if actor_of(request).can_view:
        return redirect("web:manage")
    return redirect("web:profile")


def _day(value: str) -> "datetime | None":
    try:
        return datetime.strptime(value, "%Y-%m-%d") if value else None
    except ValueError:
        raise PlmError(c.INVALID_ARGUMENT, "Give the expiry date as YYYY-MM-DD.") from None


def _token_number(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise PlmError(c.TOKEN_NOT_FOUND, f"Token {value} does not exist.")
    return int(value)


def _confirm_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = confirmations.token_impact(actor=actor_of(request), token_id=token_id)
    if token is None:
        raise PlmError(c.TOKEN_NOT_FOUND, f"Token {token_id} does not exist.")
    return confirm_page(
        request,
        title="Revoke an API token",
        question=f"Revoke token #{token.pk} “{token.name or 'unnamed'}” ({token.prefix}…)?",
        details=[
            "Programs using it get 401 from their next request; a revoked token cannot be "
            "turned back on."
        ],
        action=request.path,
        button="Revoke token",
        fields=[("revoke", str(token.pk))],
        back=request.path,
    )


@require_http_methods(["GET", "POST"])
@requires("login")
def profile(request: HttpRequest) -> HttpResponse:
    """Own details, roles and API tokens (a new token is shown once; revoke)."""
    actor = actor_of(request)
    new_token = None
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                token_id = _token_number(request.POST["revoke"])
                if not confirmed(request):
                    return _confirm_revoke(request, token_id)
                tokens.token_revoke(actor=actor, token_id=token_id)
                messages.success(request, "Token revoked.")
            else:
                day = _day(request.POST.get("expires") or "")
                _, new_token = tokens.token_create(
                    actor=actor,
                    name=request.POST.get("name", ""),
                    expires=day.date() if day else None,
                )
        except PlmError as exc:
            messages.error(request, exc.message)
    context = {
        "roles": users.user_roles(request.user),  # type: ignore[arg-type]
        "access": actor,
        "tokens": tokens.tokens_list(actor=actor),
        "new_token": new_token,
    }
    response = render(request, "web/profile.html", context)
    if new_token:
        response["Cache-Control"] = "no-store"  # the page shows a secret once
    return response


@require_http_methods(["GET", "POST"])
@requires("sysadmin")
def scim_tokens(request: HttpRequest) -> HttpResponse:
    """SCIM tokens (system administrators): the credential an identity provider provisions
    with (docs/scim.md). A new one is shown once; revoking asks first."""
    actor = actor_of(request)
    new_token = None
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                token_id = _token_number(request.POST["revoke"])
                if not confirmed(request):
                    return confirm_page(
                        request,
                        title="Revoke a SCIM token",
                        question=f"Revoke SCIM token #{token_id}?",
                        details=[
                            "The identity provider using it gets 401 from its next request: "
                            "provisioning stops until it is given a new token."
                        ],
                        action=request.path,
                        button="Revoke token",
                        fields=[("revoke", str(token_id))],
                        back=request.path,
                    )
                provisioning.scim_token_revoke(actor=actor, token_id=token_id)
                messages.success(request, "SCIM token revoked.")
            else:
                _, new_token = provisioning.scim_token_create(
                    actor=actor, name=request.POST.get("name", "")
                )
        except PlmError as exc:
            messages.error(request, exc.message)
    context = {"tokens": provisioning.scim_tokens_list(actor=actor), "new_token": new_token}
    response = render(request, "web/scim_tokens.html", context)
    if new_token:
        response["Cache-Control"] = "no-store"  # the page shows a secret once
    return response
