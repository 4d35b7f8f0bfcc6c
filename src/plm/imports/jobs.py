"""Background imports: an upload is stored and queued; any worker (in `plm serve` or
`plm worker`, on any host sharing the database) runs it through django-tasks' database backend."""

import io

from django.db import transaction
from django_tasks import task

from plm.clock import now
from plm.core import codes as c
from plm.core.codes import PlmError, Status
from plm.core.reader import Opener
from plm.imports.license_import import Progress, execute_license_import
from plm.imports.models import Import, ImportFile
from plm.imports.records import job_create
from plm.imports.recovery import prepare_resume
from plm.imports.users_import import execute_users_import


def submit_import(
    *,
    kind: str,
    data: bytes,
    file_name: str,
    as_user: str | None,
    source: str,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    sync_percent: int | None = None,
) -> Import:
    """Store the upload and queue its import; the job and its task commit together."""
    with transaction.atomic():
        job = job_create(
            kind=kind,
            source=source,
            as_user=as_user,
            file_name=file_name,
            dry_run=dry_run,
            all_or_nothing=all_or_nothing,
            status=Status.QUEUED,
            sync_percent=sync_percent,
        )
        ImportFile.objects.create(job=job, data=data, size=len(data))
        process_import.enqueue(job.pk)
    return job


def resubmit_for_real(job: Import, *, as_user: str | None, source: str) -> Import:
    """After a preview: queue the same file again as a real run, with the same options."""
    upload = ImportFile.objects.get(job=job)
    return submit_import(
        kind=job.kind,
        data=bytes(upload.data),
        file_name=job.file_name,
        as_user=as_user,
        source=source,
        all_or_nothing=job.all_or_nothing,
        sync_percent=job.sync_max_revoke_percent,
    )


@task()
def process_import(import_id: int) -> None:
    """The task a worker runs: claim the queued import and execute it."""
    run_queued_import(import_id)


def run_queued_import(import_id: int) -> Import | None:
    """Claim a queued import and run it; one queued with committed rows is a resume."""
    with transaction.atomic():
        job = Import.objects.select_for_update().filter(pk=import_id).first()
        if job is None or job.status != Status.QUEUED:
            return job  # cancelled while queued, or already taken
        job.status = Status.RUNNING
        job.heartbeat_at = now()
        job.save(update_fields=["status", "heartbeat_at"])
    data = bytes(ImportFile.objects.get(job=job).data)
    return execute_import(job, lambda: io.BytesIO(data), resume=job.processed > 0)


def execute_import(
    job: Import, opener: Opener, *, resume: bool = False, progress: Progress | None = None
) -> Import:
    run = execute_users_import if job.kind == "users" else execute_license_import
    return run(job, opener, progress, resume=resume)


def resume_import(
    job: Import, *, file_opener: Opener | None = None, progress: Progress | None = None
) -> Import:
    """Resume an interrupted import now, from its stored upload or the file given again."""
    stored = ImportFile.objects.filter(job=job).first()
    if stored is None and file_opener is None:
        raise PlmError(
            c.NOT_RESUMABLE,
            f"Import {job.pk} was run from a file that is not stored: "
            "give the same file again (plm imports resume ID --file FILE).",
        )
    with transaction.atomic():
        job = Import.objects.select_for_update().get(pk=job.pk)
        continues = prepare_resume(job)
    if stored is not None:
        data = bytes(stored.data)
        file_opener = lambda: io.BytesIO(data)  # noqa: E731
    assert file_opener is not None
    return execute_import(job, file_opener, resume=continues, progress=progress)


def queue_resume(job: Import) -> Import:
    """Resume an interrupted web/API import through the workers (needs its stored upload)."""
    if not ImportFile.objects.filter(job=job).exists():
        raise PlmError(
            c.NOT_RESUMABLE,
            f"Import {job.pk}'s file is not stored: resume it with "
            "plm imports resume ID --file FILE.",
        )
    with transaction.atomic():
        job = Import.objects.select_for_update().get(pk=job.pk)
        prepare_resume(job)  # a queued job with committed rows continues after them
        job.status = Status.QUEUED
        job.save(update_fields=["status"])
        process_import.enqueue(job.pk)
    return job
