"""Manage Presenter Licenses: licenses, licensed presenters, revoke, import, export."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from plm.clock import today
from plm.core.codes import PlmError
from plm.core.utilization import DayUsage
from plm.core.writer import LICENSES_HEADER
from plm.directory.models import User
from plm.directory.users import user_text_filter
from plm.licensing.licenses import license_list, licenses_expiring
from plm.licensing.models import License
from plm.web.access import access_of, require
from plm.web.csv_response import export_download
from plm.web.rows import run_rows
from plm.web.uploads import import_page

PAGE_SIZE = 50


def licenses_with_badges() -> list[dict[str, object]]:
    on = today()
    soon = (on + timedelta(days=30)).isoformat()
    rows = license_list()
    for row in rows:
        expires = row["expires"]
        row["badge"] = (
            "expired" if row["expired"] else "expiring" if expires and str(expires) <= soon else ""
        )
    return rows


@require("view")
def manage(request: HttpRequest) -> HttpResponse:
    """System › Licensing › Presenter Assignments."""
    access = access_of(request)
    q = request.GET.get("q", "").strip()
    presenters = access.users_in_view(User.objects.filter(assignments__isnull=False)).distinct()
    if q:
        presenters = presenters.filter(user_text_filter(q))
    held = request.GET.get("license", "").strip()
    if held:  # from a license's page: its holders
        presenters = presenters.filter(assignments__license__license_id=held)
    presenters = presenters.annotate(last_assigned=Max("assignments__assigned_at")).order_by(
        "username_key"
    )
    page = Paginator(presenters, PAGE_SIZE).get_page(request.GET.get("page"))
    users = list(page.object_list)
    details = presenter_details([u.pk for u in users])
    expiring = licenses_expiring(days=90)
    context = {
        "expiring": expiring,
        "expiring_windows": [
            {"days": d, "count": sum(1 for r in expiring if int(str(r["days_left"])) <= d)}
            for d in (30, 60, 90)
        ],
        "licenses": licenses_with_badges(),
        "page": page,
        "rows": [(u, details[u.pk]) for u in users],
        "q": q,
        "held": held,
        "keep": urlencode({"q": q, "license": held}),
        "access": access,
    }
    return render(request, "web/manage.html", context)


def presenter_details(user_pks: list[int]) -> dict[int, dict[str, object]]:
    from plm.core.people import ACADEMIC_STAFF
    from plm.directory.models import RoleGrant
    from plm.licensing.models import Assignment

    details: dict[int, dict[str, object]] = {pk: {"orgs": [], "assignments": []} for pk in user_pks}
    for user_id, org in RoleGrant.objects.filter(
        user_id__in=user_pks, role=ACADEMIC_STAFF
    ).values_list("user_id", "organization__name"):
        details[user_id]["orgs"].append(org)  # type: ignore[attr-defined]
    for a in (
        Assignment.objects.filter(user_id__in=user_pks)
        .select_related("license")
        .order_by("license__license_id")
    ):
        details[a.user_id]["assignments"].append(a)  # type: ignore[attr-defined]
    return details


@require_POST
@require("change")
def revoke(request: HttpRequest) -> HttpResponse:
    """Revoke the chosen (user, license) pairs: one `revoke` row each, through the import engine."""
    # A row's own Revoke button sends `one`; "Revoke selected" sends the checked `pair`s.
    chosen = [request.POST["one"]] if request.POST.get("one") else request.POST.getlist("pair")
    pairs = [p.split("|", 1) for p in chosen if "|" in p]
    if not pairs:
        messages.error(request, "Select at least one license to revoke.")
        return redirect("web:manage")
    job = run_rows(
        request, [(u, "revoke", lic) for u, lic in pairs], label="Manage Presenter Licenses: revoke"
    )
    return redirect("web:import_detail", import_id=job.pk)


@require("view")
def export(request: HttpRequest) -> HttpResponse:
    """licenses.csv (or .xlsx with ?format=xlsx), exactly as `plm export` (viewer's scope)."""
    from plm.licensing.export import export_rows

    access = access_of(request)
    rows = export_rows(user_orgs=access.view_orgs)
    return export_download("licenses", LICENSES_HEADER, rows, request.GET.get("format", "csv"))


@require_http_methods(["GET", "POST"])
@require("change")
def import_upload(request: HttpRequest) -> HttpResponse:
    """Import Presenter Licenses: the upload returns at once; a worker runs the import."""
    return import_page(request, "licenses")


@require_POST
@require("change")
def replace(request: HttpRequest) -> HttpResponse:
    """Replace license: every holder of OLD gets NEW (the renewal workflow without a file)."""
    from plm.licensing.replace import run_license_replace

    job = run_license_replace(
        old=request.POST.get("old", ""),
        new=request.POST.get("new", ""),
        actor_name=request.user.get_username(),
        source="web",
        dry_run=bool(request.POST.get("dry_run")),
    )
    return redirect("web:import_detail", import_id=job.pk)


@require("view")
def license_detail(request: HttpRequest, license_id: str) -> HttpResponse:
    """One license: its counts and its assigned seats over time (chart and CSV)."""
    from plm.licensing.licenses import license_as_dict
    from plm.web.charts import seats_chart

    lic, days = _utilization_or_404(license_id)
    context = {
        "license": license_as_dict(lic, today()),
        "chart": seats_chart(days, lic.license_id),
        "recent": list(reversed(days[-14:])),
    }
    return render(request, "web/license_detail.html", context)


@require("view")
def utilization_csv(request: HttpRequest, license_id: str) -> HttpResponse:
    """The chart's numbers: Date, Assigned, Peak, Seats, one row per day."""
    from plm.core.utilization import UTILIZATION_HEADER
    from plm.licensing.utilization import utilization_file_name

    lic, days = _utilization_or_404(license_id)
    rows = (d.as_row() for d in days)
    return export_download(utilization_file_name(lic), UTILIZATION_HEADER, rows, "csv")


def _utilization_or_404(license_id: str) -> tuple[License, list[DayUsage]]:
    from plm.licensing.utilization import license_utilization

    try:
        return license_utilization(license_id)
    except PlmError as error:
        raise Http404(error.message) from None
