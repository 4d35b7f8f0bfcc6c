"""Configuration › Users: staff and students, bulk license actions, one user, person.csv."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from plm.core.rules import RawRow
from plm.directory.actors import license_actor
from plm.directory.models import Organization, RoleGrant, User
from plm.directory.users import user_text_filter
from plm.imports.license_import import apply_one
from plm.web.access import access_of, require
from plm.web.csv_response import export_download
from plm.web.rows import run_rows
from plm.web.uploads import import_page
from plm.web.views.licensing import licenses_with_badges

PAGE_SIZE = 50


def _users(request: HttpRequest):  # type: ignore[no-untyped-def]
    return access_of(request).users_in_view(User.objects.all())


@require("view")
def user_list(request: HttpRequest) -> HttpResponse:
    """Tabs Active Staff / Active Students, search, organization filter, Assigned Licenses."""
    tab = "students" if request.GET.get("tab") == "students" else "staff"
    q = request.GET.get("q", "").strip()
    org = request.GET.get("org", "")
    users = (
        _users(request).filter(is_active=True).annotate(role_count=Count("roles", distinct=True))
    )
    users = users.filter(role_count=0) if tab == "students" else users.filter(role_count__gt=0)
    if q:
        users = users.filter(user_text_filter(q))
    if org and tab == "staff" and org.isdigit():
        users = users.filter(roles__organization_id=int(org)).distinct()
    page = Paginator(users.order_by("username_key"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    licenses: dict[int, list[str]] = {}
    from plm.licensing.models import Assignment

    for user_id, lid in (
        Assignment.objects.filter(user__in=rows)
        .values_list("user_id", "license__license_id")
        .order_by("license__license_id")
    ):
        licenses.setdefault(user_id, []).append(lid)
    roles: dict[int, list[str]] = {}
    for user_id, org_name, role in (
        RoleGrant.objects.filter(user__in=rows)
        .values_list("user_id", "organization__name", "role")
        .order_by("organization__name", "role")
    ):
        roles.setdefault(user_id, []).append(f"{role} @ {org_name}")
    context = {
        "tab": tab,
        "q": q,
        "org": org,
        "page": page,
        "rows": [(u, roles.get(u.pk, []), licenses.get(u.pk, [])) for u in rows],
        "orgs": Organization.objects.order_by("name_key"),
        "access": access_of(request),
    }
    return render(request, "web/users.html", context)


def _selected(request: HttpRequest) -> list[User]:
    """The selected users, in the order shown (user name order)."""
    pks = [int(pk) for pk in request.POST.getlist("user") if pk.isdigit()]
    return list(_users(request).filter(pk__in=pks).order_by("username_key"))


@require_POST
@require("change")
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk actions: one `assign` / `revokeall` row per selected user, through the core."""
    users = _selected(request)
    action = request.POST.get("action", "")
    if not users:
        messages.error(request, "Select at least one user.")
        return redirect("web:users")
    if action == "revokeall":
        job = run_rows(
            request,
            [(u.username, "revokeall", "") for u in users],
            label="Users page: Revoke All PCAP Presenter Licenses",
        )
        return redirect("web:import_detail", import_id=job.pk)
    license_id = request.POST.get("license_id", "")
    if action == "assign" and license_id:
        job = run_rows(
            request,
            [(u.username, "assign", license_id) for u in users],
            label="Users page: Assign PCAP Presenter License",
        )
        return redirect("web:import_detail", import_id=job.pk)
    # The dialog: pick a license, seeing its free seats (works without JavaScript).
    return render(
        request,
        "web/assign_dialog.html",
        {
            "users": users,
            "licenses": [lic for lic in licenses_with_badges() if not lic["expired"]],
        },
    )


@require("view")
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One user: roles, licenses, and the one-by-one assign / revoke."""
    user = get_object_or_404(_users(request), pk=user_id)
    context = {
        "person": user,
        "roles": RoleGrant.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "role"),
        "assignments": user.assignments.select_related("license").order_by("license__license_id"),
        "licenses": licenses_with_badges(),
        "access": access_of(request),
    }
    return render(request, "web/user_detail.html", context)


@require_POST
@require("change")
def user_change(request: HttpRequest, user_id: int) -> HttpResponse:
    """Assign or revoke one license for one user (not recorded as an import; audited)."""
    user = get_object_or_404(_users(request), pk=user_id)
    action = "revoke" if request.POST.get("action") == "revoke" else "assign"
    license_id = request.POST.get("license_id", "")
    if action == "assign" and not license_id:
        action = "autoassign"
    actor = license_actor(request.user.get_username(), "web")
    result = apply_one(raw=RawRow(None, user.username, action, license_id), actor=actor)
    level = messages.ERROR if result.outcome == "rejected" else messages.SUCCESS
    messages.add_message(request, level, f"{result.code}: {result.message}")
    return redirect("web:user_detail", user_id=user.pk)


@require_http_methods(["GET", "POST"])
@require("sysadmin")
def users_import(request: HttpRequest) -> HttpResponse:
    """Users import (person.csv): same upload, progress and report pattern."""
    return import_page(request, "users")


@require("view")
def users_export(request: HttpRequest) -> HttpResponse:
    """person.csv (or .xlsx with ?format=xlsx), as `plm users export` (viewer's scope)."""
    from plm.directory.users import person_rows

    header, rows = person_rows(user_orgs=access_of(request).view_orgs)
    return export_download("person", header, rows, request.GET.get("format", "csv"))
