"""Manage Presenter Licenses: licenses, licensed presenters, revoke, import, export, replace,
and one license's page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from plm.app import assignments, confirmations, licenses
from plm.app.licenses import utilization_file_name
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.utilization import UTILIZATION_HEADER
from plm.core.writer import LICENSES_HEADER
from plm.downloads import export_download
from plm.web.access import actor_of, after_action, requires
from plm.web.charts import seats_chart
from plm.web.confirm import back_of, confirm_page, confirmed, plural, report_url
from plm.web.pager import page_of
from plm.web.uploads import import_page

PAGE_SIZE = 50


@requires("view")
def manage(request: HttpRequest) -> HttpResponse:
    """System › Licensing › Presenter Assignments."""
    actor = actor_of(request)
    q = request.GET.get("q", "").strip()
    held = request.GET.get("license", "").strip()  # from a license's page: its holders
    presenters = assignments.presenters(actor=actor, q=q, license_id=held)
    page = page_of(
        request,
        presenters,
        PAGE_SIZE,
        lambda: assignments.presenters_count(actor=actor, q=q, license_id=held),
    )
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
        "summary": confirmations.manage_summary(actor=actor),
        "here": request.get_full_path(),
    }
    return render(request, "web/manage.html", context)


def _chosen_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    """A row's own Revoke button sends `one`; "Revoke selected" the checked `pair`s; with
    `all_matching`, every pair the list shows for its search (`q`, `license`), on all pages."""
    post = request.POST
    if post.get("one"):
        chosen = [post["one"]]
    elif post.get("all_matching"):
        return confirmations.matching_pairs(
            actor=actor_of(request), q=post.get("q", "").strip(), license_id=post.get("license", "")
        )
    else:
        chosen = post.getlist("pair")
    return [(u, lic) for u, lic in (p.split("|", 1) for p in chosen if "|" in p)]


@require_POST
@requires("change")
def revoke(request: HttpRequest) -> HttpResponse:
    """Revoke the chosen (user, license) pairs: one `revoke` row each, recorded as an import.
    Without `confirmed=1` it only shows what would be revoked."""
    actor = actor_of(request)
    back = back_of(request, "web:manage")
    pairs = _chosen_pairs(request)
    if not pairs:
        error = PlmError(c.INVALID_ARGUMENT, "Select at least one user or license.")
        return after_action(request, error, back)
    if not confirmed(request):
        impact = confirmations.revoke_pairs_impact(actor=actor, pairs=pairs)
        post = request.POST
        keep = ["one", "all_matching", "q", "license"]
        fields = [(k, post[k]) for k in keep if post.get(k)]
        if not post.get("one") and not post.get("all_matching"):
            fields += [("pair", p) for p in post.getlist("pair")]
        ignored = len(pairs) - impact.licenses
        return confirm_page(
            request,
            title="Revoke licenses",
            question=f"Revoke {plural(impact.licenses, 'license')} from "
            f"{plural(impact.users, 'user')}?",
            details=[
                "Each becomes one revoke row of a report you can revert afterwards."
                + (
                    f" {plural(ignored, 'selected row')} not held or not yours to change "
                    "will be reported as rejected."
                    if ignored
                    else ""
                )
            ],
            names=impact.names,
            more=max(impact.users - len(impact.names), 0),
            action=reverse("web:revoke"),
            button=f"Revoke {plural(impact.licenses, 'license')}",
            fields=[*fields, ("back", back)],
            back=back,
        )
    try:
        job = assignments.assignments_bulk(
            actor=actor,
            rows=[(u, "revoke", lic) for u, lic in pairs],
            label="Manage Presenter Licenses: revoke",
        )
    except PlmError as error:
        return after_action(request, error, back)
    return redirect(report_url(job.pk, back))


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
    """Replace license: every holder of OLD gets NEW (the renewal workflow without a file).
    A preview runs at once; the real thing first shows how many holders it changes."""
    actor = actor_of(request)
    old, new = request.POST.get("old", ""), request.POST.get("new", "")
    dry_run = bool(request.POST.get("dry_run"))
    back = back_of(request, "web:manage")
    if not dry_run and not confirmed(request):
        found = confirmations.replace_impact(actor=actor, old=old, new=new)
        impact = found.impact
        return confirm_page(
            request,
            title="Replace license",
            question=f"Replace {found.old_id} with {found.new_id} for "
            f"{plural(impact.licenses, 'holder')}?",
            details=[
                f"{found.new_id} has {plural(found.free, 'free seat')}; each holder loses "
                f"{found.old_id} and gets {found.new_id} in one step (a holder who cannot get a "
                "seat keeps the old license and is reported as rejected)."
            ],
            names=impact.names,
            more=max(impact.users - len(impact.names), 0),
            action=reverse("web:replace"),
            button=f"Replace for {plural(impact.licenses, 'holder')}",
            fields=[("old", old), ("new", new), ("back", back)],
            back=back,
        )
    job = licenses.license_replace(actor=actor, old=old, new=new, dry_run=dry_run)
    return redirect(report_url(job.pk, back))


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
