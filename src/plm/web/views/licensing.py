"""Manage Presenter Licenses: licenses, licensed presenters, revoke, import, export, replace,
and one license's page."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from plm.app import assignments, licenses
from plm.app.licenses import utilization_file_name
from plm.core.codes import PlmError
from plm.core.utilization import UTILIZATION_HEADER
from plm.core.writer import LICENSES_HEADER
from plm.downloads import export_download
from plm.web.access import actor_of, after_action, requires
from plm.web.charts import seats_chart
from plm.web.uploads import import_page

PAGE_SIZE = 50


@requires("view")
def manage(request: HttpRequest) -> HttpResponse:
    """System › Licensing › Presenter Assignments."""
    actor = actor_of(request)
    q = request.GET.get("q", "").strip()
    held = request.GET.get("license", "").strip()  # from a license's page: its holders
    presenters = assignments.presenters(actor=actor, q=q, license_id=held)
    page = Paginator(presenters, PAGE_SIZE).get_page(request.GET.get("page"))
    users = list(page.object_list)
    details = assignments.presenter_details([u.pk for u in users])
    expiring = licenses.licenses_expiring(actor=actor, days=90)
    context = {
        "expiring": expiring,
        "expiring_windows": licenses.expiring_windows(expiring),
        "licenses": licenses.licenses_list(actor=actor),
        "page": page,
        "rows": [(u, details[u.pk]) for u in users],
        "q": q,
        "held": held,
        "keep": urlencode({"q": q, "license": held}),
        "access": actor,
    }
    return render(request, "web/manage.html", context)


@require_POST
@requires("change")
def revoke(request: HttpRequest) -> HttpResponse:
    """Revoke the chosen (user, license) pairs: one `revoke` row each, recorded as an import."""
    # A row's own Revoke button sends `one`; "Revoke selected" sends the checked `pair`s.
    chosen = [request.POST["one"]] if request.POST.get("one") else request.POST.getlist("pair")
    pairs = [p.split("|", 1) for p in chosen if "|" in p]
    try:
        job = assignments.assignments_bulk(
            actor=actor_of(request),
            rows=[(u, "revoke", lic) for u, lic in pairs],
            label="Manage Presenter Licenses: revoke",
        )
    except PlmError as error:
        return after_action(request, error, "web:manage")
    return redirect("web:import_detail", import_id=job.pk)


@requires("view")
def export(request: HttpRequest) -> HttpResponse:
    """licenses.csv (or .xlsx with ?format=xlsx), exactly as `plm export` (viewer's scope)."""
    rows = licenses.licenses_export(actor=actor_of(request))
    return export_download("licenses", LICENSES_HEADER, rows, request.GET.get("format", "csv"))


@require_http_methods(["GET", "POST"])
@requires("change")
def import_upload(request: HttpRequest) -> HttpResponse:
    """Import Presenter Licenses: the upload returns at once; a worker runs the import."""
    return import_page(request, "licenses")


@require_POST
@requires("change")
def replace(request: HttpRequest) -> HttpResponse:
    """Replace license: every holder of OLD gets NEW (the renewal workflow without a file)."""
    job = licenses.license_replace(
        actor=actor_of(request),
        old=request.POST.get("old", ""),
        new=request.POST.get("new", ""),
        dry_run=bool(request.POST.get("dry_run")),
    )
    return redirect("web:import_detail", import_id=job.pk)


@requires("view")
def license_detail(request: HttpRequest, license_id: str) -> HttpResponse:
    """One license: its counts and its assigned seats over time (chart and CSV)."""
    actor = actor_of(request)
    lic, days = licenses.license_utilization(actor=actor, license_id=license_id)
    context = {
        "license": licenses.license_show(actor=actor, license_id=lic.license_id),
        "chart": seats_chart(days, lic.license_id),
        "recent": list(reversed(days[-14:])),
        "access": actor,
    }
    return render(request, "web/license_detail.html", context)


@requires("view")
def utilization_csv(request: HttpRequest, license_id: str) -> HttpResponse:
    """The chart's numbers: Date, Assigned, Peak, Seats, one row per day."""
    lic, days = licenses.license_utilization(actor=actor_of(request), license_id=license_id)
    rows = (d.as_row() for d in days)
    return export_download(utilization_file_name(lic), UTILIZATION_HEADER, rows, "csv")
