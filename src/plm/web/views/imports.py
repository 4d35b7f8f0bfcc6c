"""Import progress, results, history; cancel, resume, revert; apply a preview for real."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from plm.app import confirmations
from plm.app import imports as uc
from plm.core.codes import PlmError
from plm.core.writer import ERRORS_HEADER
from plm.downloads import csv_download
from plm.web.access import actor_of, after_action, requires
from plm.web.confirm import confirm_page, confirmed, plural, report_url, safe_back
from plm.web.pager import page_of

SHOWN_ERRORS = 500
PAGE_SIZE = 100


def _number(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 12 else 0


def _progress_context(request: HttpRequest, job_id: int) -> dict[str, object]:
    job, rejected = uc.import_results(actor=actor_of(request), import_id=job_id, outcome="rejected")
    shown = list(rejected[:SHOWN_ERRORS])
    return {
        "job": job,
        "live": job.status in uc.LIVE,
        "percent": int(100 * job.processed / job.rows) if job.rows else 0,
        "rejected": shown,
        "last_seq": shown[-1].seq if shown else 0,
        "more_rejected": max(job.rejected - SHOWN_ERRORS, 0),
        "access": actor_of(request),
        "can_apply": uc.can_apply_preview(job),
        "reading": uc.reading_label(job),
        "back": safe_back(request),
    }


@requires("view")
def detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The progress window while it runs, the report when it is done."""
    return render(request, "web/import_detail.html", _progress_context(request, import_id))


@requires("view")
def progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """Polled every second while the import runs: only what changed, as out-of-band swaps of
    small targets (status, bar, counters, the rejected rows after `after`); the area holding
    Cancel is never re-rendered. When the import ends, the page reloads as its report."""
    context = _progress_context(request, import_id)
    after = _number(request.GET.get("after", ""))
    context["new_rows"] = [r for r in context["rejected"] if r.seq > after]  # type: ignore[attr-defined]
    response = render(request, "web/partials/_progress.html", context)
    if not context["live"]:
        response["HX-Refresh"] = "true"
    return response


@requires("view")
def errors_csv(request: HttpRequest, import_id: int) -> StreamingHttpResponse:
    job, rows = uc.import_error_report(actor=actor_of(request), import_id=import_id)
    return csv_download(f"import-{job.pk}-errors.csv", ERRORS_HEADER, rows)


@require_POST
@requires("change")
def cancel(request: HttpRequest, import_id: int) -> HttpResponse:
    """Cancel a queued or running import, after a confirmation that says how far it got."""
    back = safe_back(request)
    if not confirmed(request):
        job = confirmations.import_impact(actor=actor_of(request), import_id=import_id)
        left = max(job.rows - job.processed, 0)
        return confirm_page(
            request,
            title=f"Cancel import {job.pk}",
            question=f"Cancel import {job.pk} after {job.processed:,} of {job.rows:,} rows?"
            if job.rows
            else f"Cancel import {job.pk} before it has processed any row?",
            details=[
                f"{plural(job.applied, 'change')} already applied stay applied (revert the import "
                f"afterwards to undo them); the remaining {plural(left, 'row')} are not "
                "processed. It stops after its current batch."
            ],
            action=reverse("web:import_cancel", args=[job.pk]),
            button="Cancel import",
            fields=[("back", back)],
            back=report_url(job.pk, back),
        )
    try:
        uc.import_cancel(actor=actor_of(request), import_id=import_id)
    except PlmError as error:
        return after_action(request, error, report_url(import_id, back))
    messages.info(request, f"Import {import_id}: cancel requested.")
    return redirect(report_url(import_id, back))


@require_POST
@requires("change")
def apply_for_real(request: HttpRequest, import_id: int) -> HttpResponse:
    try:
        new = uc.import_apply_preview(actor=actor_of(request), import_id=import_id)
    except PlmError as error:
        return after_action(request, error, report_url(import_id, safe_back(request)))
    return redirect(report_url(new.pk, safe_back(request)))


@require_POST
@requires("change")
def resume(request: HttpRequest, import_id: int) -> HttpResponse:
    """Continue an interrupted import through the workers."""
    try:
        job = uc.import_resume_queued(actor=actor_of(request), import_id=import_id)
    except PlmError as error:
        return after_action(request, error, report_url(import_id, safe_back(request)))
    messages.info(request, f"Import {job.pk} resumes after row {job.processed}.")
    return redirect(report_url(import_id, safe_back(request)))


@require_POST
@requires("change")
def revert(request: HttpRequest, import_id: int) -> HttpResponse:
    """Undo this import's applied changes, after a confirmation with their number; shows the
    revert's own report. A preview (`dry_run`) runs at once: it changes nothing."""
    back = safe_back(request)
    dry_run = bool(request.POST.get("dry_run"))
    if not dry_run and not confirmed(request):
        job = confirmations.import_impact(actor=actor_of(request), import_id=import_id)
        return confirm_page(
            request,
            title=f"Revert import {job.pk}",
            question=f"Revert import {job.pk}: undo its {plural(job.applied, 'applied change')}?",
            details=[
                "Each license it assigned is revoked and each it revoked is given back where a "
                "seat is free. The revert is recorded as an import of its own, with its report.",
                f"{job.file_name} · by {job.actor} · {job.created_at:%Y-%m-%d %H:%M}",
            ],
            action=reverse("web:import_revert", args=[job.pk]),
            button=f"Revert {plural(job.applied, 'change')}",
            fields=[("back", back)],
            back=report_url(job.pk, back),
        )
    try:
        done = uc.import_revert(actor=actor_of(request), import_id=import_id, dry_run=dry_run)
    except PlmError as error:
        return after_action(request, error, report_url(import_id, back))
    return redirect(report_url(done.pk, back))


@requires("view")
def history(request: HttpRequest) -> HttpResponse:
    """Import history: every import from web, CLI or API the user may see (newest first)."""
    jobs = uc.imports_visible_to(actor_of(request)).order_by("-pk")
    page = page_of(request, jobs, PAGE_SIZE)
    return render(request, "web/history.html", {"page": page})


@requires("view")
def results(request: HttpRequest, import_id: int) -> HttpResponse:
    """All per-row results of one import, filterable by outcome."""
    outcome = request.GET.get("outcome", "")
    job, rows = uc.import_results(actor=actor_of(request), import_id=import_id, outcome=outcome)
    page = page_of(request, rows, PAGE_SIZE)
    context = {
        "job": job,
        "page": page,
        "outcome": outcome,
        "keep": urlencode({"outcome": outcome}),
    }
    return render(request, "web/results.html", context)
