"""Home and the signed-in user's own profile."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from plm.directory.models import RoleGrant
from plm.web.access import access_of, require


@require("login")
def home(request: HttpRequest) -> HttpResponse:
    if access_of(request).can_view:
        return redirect("web:manage")
    return redirect("web:profile")


@require("login")
def profile(request: HttpRequest) -> HttpResponse:
    roles = (
        RoleGrant.objects.filter(user=request.user)
        .select_related("organization")
        .order_by("organization__name", "role")
    )
    return render(request, "web/profile.html", {"roles": roles, "access": access_of(request)})
