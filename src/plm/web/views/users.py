"""Configuration › Users: staff and students, bulk license actions, one user, person.csv."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from plm.app import assignments, confirmations, licenses, users
from plm.core.codes import PlmError
from plm.downloads import export_download
from plm.web.access import actor_of, after_action, requires
from plm.web.confirm import back_of, confirm_page, confirmed, plural, report_url
from plm.web.pager import page_of
from plm.web.uploads import import_page

PAGE_SIZE = 50
BULK_LABELS = {
    "revokeall": "Users page: Revoke All PCAP Presenter Licenses",
    "assign": "Users page: Assign PCAP Presenter License",
}


def _org(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _criteria(request: HttpRequest, params) -> tuple[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The list's tab and the users_list arguments of its tab, search and organization."""
    tab = "students" if params.get("tab") == "students" else "staff"
    org = params.get("org", "")
    return tab, {
        "actor": actor_of(request),
        "q": params.get("q", "").strip(),
        "kind": "student" if tab == "students" else "staff",
        "org_pk": _org(org) if tab == "staff" else None,
        "active": True,
    }


def _found(request: HttpRequest, params):  # type: ignore[no-untyped-def]
    """The users the list shows for its tab, search and organization (all pages)."""
    tab, criteria = _criteria(request, params)
    return tab, users.users_list(**criteria)


@requires("view")
def user_list(request: HttpRequest) -> HttpResponse:
    """Tabs Active Staff / Active Students, search, organization filter, Assigned Licenses."""
    actor = actor_of(request)
    tab, criteria = _criteria(request, request.GET)
    found = users.users_list(**criteria)
    # The count ("All N matching users", the page links) from a cheaper query than the list's.
    page = page_of(request, found, PAGE_SIZE, lambda: users.users_count(**criteria))
    rows = list(page.object_list)
    roles, held = users.roles_and_licenses([u.pk for u in rows])
    q, org = criteria["q"], request.GET.get("org", "")
    context = {
        "tab": tab,
        "q": q,
        "org": org,
        "keep": urlencode({"tab": tab, "q": q, "org": org}),  # the pager's links, encoded
        "page": page,
        "rows": [(u, roles.get(u.pk, []), held.get(u.pk, [])) for u in rows],
        "orgs": users.organization_choices(actor=actor),
        "access": actor,
        "here": request.get_full_path(),
    }
    return render(request, "web/users.html", context)


@require_POST
@requires("change")
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk actions: one `assign` / `revokeall` row per selected user, recorded as an import.
    The selection: the checked `user`s, or with `all_matching` every user the list shows for
    its tab, search and organization. Revoke All asks first, with its numbers."""
    actor = actor_of(request)
    back = back_of(request, "web:users")
    if request.POST.get("all_matching"):
        selected = list(_found(request, request.POST)[1])
    else:
        pks = [int(pk) for pk in request.POST.getlist("user") if pk.isdigit() and len(pk) < 10]
        selected = list(users.users_list(actor=actor).filter(pk__in=pks))
    action = request.POST.get("action", "")
    license_id = request.POST.get("license_id", "")
    if selected and action in ("assign", "assign_dialog") and not license_id:
        # The dialog: pick a license, seeing its free seats (works without JavaScript).
        choices = [lic for lic in licenses.licenses_list(actor=actor) if not lic["expired"]]
        context = {"users": selected, "licenses": choices, "access": actor, "back": back}
        return render(request, "web/assign_dialog.html", context)
    if selected and action == "revokeall" and not confirmed(request):
        impact = confirmations.revoke_all_impact(actor=actor, user_pks=[u.pk for u in selected])
        return confirm_page(
            request,
            title="Revoke All PCAP Presenter Licenses",
            question=f"Revoke {plural(impact.licenses, 'license')} from "
            f"{plural(impact.users, 'user')}?",
            details=[
                f"Every PCAP Presenter License of the {plural(len(selected), 'selected user')} "
                "is revoked: one revokeall row each, recorded as an import you can revert."
            ],
            names=impact.names,
            more=max(impact.users - len(impact.names), 0),
            action=reverse("web:users_bulk"),
            button=f"Revoke {plural(impact.licenses, 'license')}",
            fields=[
                ("action", "revokeall"),
                ("back", back),
                *[("user", str(u.pk)) for u in selected],
            ],
            back=back,
        )
    try:
        job = assignments.assignments_bulk(
            actor=actor,
            rows=[(u.username, action, license_id) for u in selected],
            label=BULK_LABELS.get(action, "Users page"),
        )
    except PlmError as error:
        return after_action(request, error, back)
    return redirect(report_url(job.pk, back))


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
    """Assign or revoke one license for one user (not recorded as an import; audited). A
    revoke asks first."""
    actor = actor_of(request)
    person = users.user_show(actor=actor, pk=user_id)
    action = "revoke" if request.POST.get("action") == "revoke" else "assign"
    license_id = request.POST.get("license_id", "")
    here = reverse("web:user_detail", args=[person.pk])
    if action == "revoke" and not confirmed(request):
        impact = confirmations.revoke_pairs_impact(
            actor=actor, pairs=[(person.username, license_id)]
        )
        return confirm_page(
            request,
            title="Revoke a license",
            question=f"Revoke {license_id} from {person.username}?",
            details=[
                f"{plural(impact.licenses, 'license')} of {person.username} will be revoked; "
                "the seat becomes free at once."
            ],
            action=reverse("web:user_change", args=[person.pk]),
            button="Revoke",
            fields=[("action", "revoke"), ("license_id", license_id)],
            back=here,
        )
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
