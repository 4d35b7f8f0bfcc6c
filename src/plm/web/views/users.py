"""Configuration › Users: staff and students, bulk license actions, one user, person.csv."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from plm.app import assignments, licenses, users
from plm.core.codes import PlmError
from plm.downloads import export_download
from plm.web.access import actor_of, after_action, requires
from plm.web.uploads import import_page

PAGE_SIZE = 50
BULK_LABELS = {
    "revokeall": "Users page: Revoke All PCAP Presenter Licenses",
    "assign": "Users page: Assign PCAP Presenter License",
}


def _org(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@requires("view")
def user_list(request: HttpRequest) -> HttpResponse:
    """Tabs Active Staff / Active Students, search, organization filter, Assigned Licenses."""
    actor = actor_of(request)
    tab = "students" if request.GET.get("tab") == "students" else "staff"
    q = request.GET.get("q", "").strip()
    org = request.GET.get("org", "")
    found = users.users_list(
        actor=actor,
        q=q,
        kind="student" if tab == "students" else "staff",
        org_pk=_org(org) if tab == "staff" else None,
        active=True,
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    roles, held = users.roles_and_licenses([u.pk for u in rows])
    context = {
        "tab": tab,
        "q": q,
        "org": org,
        "page": page,
        "rows": [(u, roles.get(u.pk, []), held.get(u.pk, [])) for u in rows],
        "orgs": users.organization_choices(actor=actor),
        "access": actor,
    }
    return render(request, "web/users.html", context)


@require_POST
@requires("change")
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk actions: one `assign` / `revokeall` row per selected user, recorded as an import."""
    actor = actor_of(request)
    pks = [int(pk) for pk in request.POST.getlist("user") if pk.isdigit() and len(pk) < 10]
    selected = list(users.users_list(actor=actor).filter(pk__in=pks))
    action = request.POST.get("action", "")
    license_id = request.POST.get("license_id", "")
    if selected and action in ("assign", "assign_dialog") and not license_id:
        # The dialog: pick a license, seeing its free seats (works without JavaScript).
        choices = [lic for lic in licenses.licenses_list(actor=actor) if not lic["expired"]]
        context = {"users": selected, "licenses": choices, "access": actor}
        return render(request, "web/assign_dialog.html", context)
    try:
        job = assignments.assignments_bulk(
            actor=actor,
            rows=[(u.username, action, license_id) for u in selected],
            label=BULK_LABELS.get(action, "Users page"),
        )
    except PlmError as error:
        return after_action(request, error, "web:users")
    return redirect("web:import_detail", import_id=job.pk)


@requires("view")
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One user: roles, licenses, and the one-by-one assign / revoke."""
    actor = actor_of(request)
    person = users.user_show(actor=actor, pk=user_id)
    context = {
        "person": person,
        "roles": users.user_roles(person),
        "assignments": users.user_assignments(person),
        "licenses": licenses.licenses_list(actor=actor),
        "access": actor,
    }
    return render(request, "web/user_detail.html", context)


@require_POST
@requires("change")
def user_change(request: HttpRequest, user_id: int) -> HttpResponse:
    """Assign or revoke one license for one user (not recorded as an import; audited)."""
    actor = actor_of(request)
    person = users.user_show(actor=actor, pk=user_id)
    action = "revoke" if request.POST.get("action") == "revoke" else "assign"
    license_id = request.POST.get("license_id", "")
    if action == "assign" and not license_id:
        action = "autoassign"
    result = assignments.assignment_apply(
        actor=actor, username=person.username, action=action, license_id=license_id
    )
    level = messages.ERROR if result.outcome == "rejected" else messages.SUCCESS
    messages.add_message(request, level, f"{result.code}: {result.message}")
    return redirect("web:user_detail", user_id=person.pk)


@require_http_methods(["GET", "POST"])
@requires("sysadmin")
def users_import(request: HttpRequest) -> HttpResponse:
    """Users import (person.csv): same upload, progress and report pattern."""
    return import_page(request, "users")


@requires("view")
def users_export(request: HttpRequest) -> HttpResponse:
    """person.csv (or .xlsx with ?format=xlsx), as `plm users export` (viewer's scope)."""
    header, rows = users.users_export(actor=actor_of(request))
    return export_download("person", header, rows, request.GET.get("format", "csv"))
