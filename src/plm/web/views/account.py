"""Home and the signed-in user's own profile, with their API tokens."""

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from plm.api.models import ApiToken
from plm.api.tokens import token_create, token_revoke
from plm.core.codes import PlmError
from plm.core.rules import Scope
from plm.directory.actors import Actor
from plm.directory.models import RoleGrant
from plm.web.access import access_of, require


@require("login")
def home(request: HttpRequest) -> HttpResponse:
    if access_of(request).can_view:
        return redirect("web:manage")
    return redirect("web:profile")


@require_http_methods(["GET", "POST"])
@require("login")
def profile(request: HttpRequest) -> HttpResponse:
    """Own details, roles and API tokens (a new token is shown once; revoke)."""
    user = request.user
    new_token = None
    if request.method == "POST":
        actor = Actor(user.get_username(), "web", Scope(frozenset()), user.pk)
        try:
            if request.POST.get("revoke"):
                token_revoke(actor=actor, token_id=int(request.POST["revoke"]), owner=user)  # type: ignore[arg-type]
                messages.success(request, "Token revoked.")
            else:
                expires = request.POST.get("expires") or None
                day = datetime.strptime(expires, "%Y-%m-%d").date() if expires else None
                _, new_token = token_create(
                    actor=actor,
                    user=user,
                    name=request.POST.get("name", ""),
                    expires=day,  # type: ignore[arg-type]
                )
        except PlmError as exc:
            messages.error(request, exc.message)
        except ValueError:
            messages.error(request, "Give the expiry date as YYYY-MM-DD.")
    roles = (
        RoleGrant.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "role")
    )
    context = {
        "roles": roles,
        "access": access_of(request),
        "tokens": ApiToken.objects.filter(user=user).order_by("-pk"),
        "new_token": new_token,
    }
    response = render(request, "web/profile.html", context)
    # The page that shows a new token (once): no cache, browser or proxy, may keep a copy.
    response["Cache-Control"] = "no-store"
    return response
