"""Import progress, results, history; cancel, resume, revert; apply a preview for real."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from plm.app import imports as uc
from plm.core.codes import PlmError
from plm.core.writer import ERRORS_HEADER
from plm.downloads import csv_download
from plm.web.access import actor_of, after_action, requires

SHOWN_ERRORS = 500
PAGE_SIZE = 100


def _progress_context(request: HttpRequest, job_id: int) -> dict[str, object]:
    job, rejected = uc.import_results(actor=actor_of(request), import_id=job_id, outcome="rejected")
    live = job.status in uc.LIVE
    percent = int(100 * job.processed / job.rows) if job.rows else (0 if live else 100)
    return {
        "job": job,
        "live": live,
        "percent": percent,
        "rejected": rejected[:SHOWN_ERRORS],
        "more_rejected": max(job.rejected - SHOWN_ERRORS, 0),
        "access": actor_of(request),
        "can_apply": uc.can_apply_preview(job),
        "reading": uc.reading_label(job),
    }


@requires("view")
def detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The progress window while it runs, the report when it is done."""
    return render(request, "web/import_detail.html", _progress_context(request, import_id))


@requires("view")
def progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """The htmx fragment polled every second while the import runs."""
    return render(request, "web/partials/_progress.html", _progress_context(request, import_id))


@requires("view")
def errors_csv(request: HttpRequest, import_id: int) -> StreamingHttpResponse:
    job, rows = uc.import_error_report(actor=actor_of(request), import_id=import_id)
    return csv_download(f"import-{job.pk}-errors.csv", ERRORS_HEADER, rows)


@require_POST
@requires("change")
def cancel(request: HttpRequest, import_id: int) -> HttpResponse:
    try:
        uc.import_cancel(actor=actor_of(request), import_id=import_id)
    except PlmError as error:
        return after_action(request, error, "web:import_detail", import_id=import_id)
    messages.info(request, f"Import {import_id}: cancel requested.")
    return redirect("web:import_detail", import_id=import_id)


@require_POST
@requires("change")
def apply_for_real(request: HttpRequest, import_id: int) -> HttpResponse:
    try:
        new = uc.import_apply_preview(actor=actor_of(request), import_id=import_id)
    except PlmError as error:
        return after_action(request, error, "web:import_detail", import_id=import_id)
    return redirect("web:import_detail", import_id=new.pk)


@require_POST
@requires("change")
def resume(request: HttpRequest, import_id: int) -> HttpResponse:
    """Continue an interrupted import through the workers."""
    try:
        job = uc.import_resume_queued(actor=actor_of(request), import_id=import_id)
    except PlmError as error:
        return after_action(request, error, "web:import_detail", import_id=import_id)
    messages.info(request, f"Import {job.pk} resumes after row {job.processed}.")
    return redirect("web:import_detail", import_id=import_id)


@require_POST
@requires("change")
def revert(request: HttpRequest, import_id: int) -> HttpResponse:
    """Undo this import's applied changes; shows the revert's own report."""
    try:
        done = uc.import_revert(
            actor=actor_of(request), import_id=import_id, dry_run=bool(request.POST.get("dry_run"))
        )
    except PlmError as error:
        return after_action(request, error, "web:import_detail", import_id=import_id)
    return redirect("web:import_detail", import_id=done.pk)


@requires("view")
def history(request: HttpRequest) -> HttpResponse:
    """Import history: every import from web, CLI or API the user may see (newest first)."""
    jobs = uc.imports_visible_to(actor_of(request)).order_by("-pk")
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/history.html", {"page": page})


@requires("view")
def results(request: HttpRequest, import_id: int) -> HttpResponse:
    """All per-row results of one import, filterable by outcome."""
    outcome = request.GET.get("outcome", "")
    job, rows = uc.import_results(actor=actor_of(request), import_id=import_id, outcome=outcome)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/results.html", {"job": job, "page": page, "outcome": outcome})
