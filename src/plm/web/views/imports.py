"""Import progress, results, history; cancel; apply a preview for real."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from plm.core.codes import PlmError, Status
from plm.core.writer import ERRORS_HEADER
from plm.imports.jobs import queue_resume, resubmit_for_real
from plm.imports.models import Import, ImportFile, ImportRow
from plm.imports.records import error_report_rows, job_cancel
from plm.web.access import access_of, require
from plm.web.csv_response import csv_download

LIVE = {Status.QUEUED, Status.RUNNING}
SHOWN_ERRORS = 500
PAGE_SIZE = 100


def visible_imports(request: HttpRequest):  # type: ignore[no-untyped-def]
    """System administrators see every import; others the imports they ran."""
    if access_of(request).is_sysadmin:
        return Import.objects.all()
    return Import.objects.filter(as_user=request.user.get_username())


def _job(request: HttpRequest, import_id: int) -> Import:
    return get_object_or_404(visible_imports(request), pk=import_id)


def _progress_context(request: HttpRequest, job: Import) -> dict[str, object]:
    rejected = ImportRow.objects.filter(job=job, outcome="rejected").order_by("seq")
    percent = (
        int(100 * job.processed / job.rows) if job.rows else (100 if job.status not in LIVE else 0)
    )
    return {
        "job": job,
        "live": job.status in LIVE,
        "percent": percent,
        "rejected": rejected[:SHOWN_ERRORS],
        "more_rejected": max(job.rejected - SHOWN_ERRORS, 0),
        "access": access_of(request),
        "can_apply": job.dry_run
        and job.status in (Status.COMPLETED, Status.REFUSED)
        and ImportFile.objects.filter(job=job).exists(),
    }


@require("view")
def detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The progress window while it runs, the report when it is done."""
    job = _job(request, import_id)
    return render(request, "web/import_detail.html", _progress_context(request, job))


@require("view")
def progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """The htmx fragment polled every second while the import runs."""
    job = _job(request, import_id)
    return render(request, "web/partials/_progress.html", _progress_context(request, job))


@require("view")
def errors_csv(request: HttpRequest, import_id: int) -> StreamingHttpResponse:
    job = _job(request, import_id)
    return csv_download(f"import-{job.pk}-errors.csv", ERRORS_HEADER, error_report_rows(job))


@require_POST
@require("change")
def cancel(request: HttpRequest, import_id: int) -> HttpResponse:
    job = _job(request, import_id)
    try:
        job_cancel(job)
        messages.info(request, f"Import {job.pk}: cancel requested.")
    except PlmError as exc:
        messages.error(request, exc.message)
    return redirect("web:import_detail", import_id=job.pk)


@require_POST
@require("change")
def apply_for_real(request: HttpRequest, import_id: int) -> HttpResponse:
    job = _job(request, import_id)
    if not job.dry_run or job.status not in (Status.COMPLETED, Status.REFUSED):
        messages.error(request, "Only a finished preview can be applied.")
        return redirect("web:import_detail", import_id=job.pk)
    if not ImportFile.objects.filter(job=job).exists():
        messages.error(
            request,
            "This preview's file is not stored (it was not uploaded here): import the file again.",
        )
        return redirect("web:import_detail", import_id=job.pk)
    if job.kind == "users" and not access_of(request).is_sysadmin:
        messages.error(request, "Users imports need a system administrator.")
        return redirect("web:import_detail", import_id=job.pk)
    new = resubmit_for_real(job, as_user=request.user.get_username(), source="web")
    return redirect("web:import_detail", import_id=new.pk)


@require_POST
@require("change")
def resume(request: HttpRequest, import_id: int) -> HttpResponse:
    """Continue an interrupted import through the workers."""
    job = _job(request, import_id)
    try:
        queue_resume(job)
        messages.info(request, f"Import {job.pk} resumes after row {job.processed}.")
    except PlmError as exc:
        messages.error(request, exc.message)
    return redirect("web:import_detail", import_id=job.pk)


@require_POST
@require("change")
def revert(request: HttpRequest, import_id: int) -> HttpResponse:
    """Undo this import's applied changes; shows the revert's own report."""
    from plm.licensing.revert import run_revert

    job = _job(request, import_id)
    done = run_revert(
        import_id=job.pk,
        actor_name=request.user.get_username(),
        source="web",
        dry_run=bool(request.POST.get("dry_run")),
    )
    return redirect("web:import_detail", import_id=done.pk)


@require("view")
def history(request: HttpRequest) -> HttpResponse:
    """Import history: every import from web, CLI or API (newest first)."""
    jobs = visible_imports(request).order_by("-pk")
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/history.html", {"page": page})


@require("view")
def results(request: HttpRequest, import_id: int) -> HttpResponse:
    """All per-row results of one import, filterable by outcome."""
    job = _job(request, import_id)
    outcome = request.GET.get("outcome", "")
    rows = ImportRow.objects.filter(job=job).order_by("seq")
    if outcome in ("applied", "unchanged", "rejected"):
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/results.html", {"job": job, "page": page, "outcome": outcome})
