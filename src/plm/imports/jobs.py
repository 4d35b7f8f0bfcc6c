"""Background imports: an upload is stored and queued; any worker (in `plm serve` or
`plm worker`, on any host sharing the database) runs it through django-tasks' database backend."""

import io

from django.db import transaction
from django_tasks import task

from plm.clock import now
from plm.core.codes import Status
from plm.imports.license_import import execute_license_import
from plm.imports.models import Import, ImportFile
from plm.imports.records import job_create
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
        )
        ImportFile.objects.create(job=job, data=data, size=len(data))
        process_import.enqueue(job.pk)
    return job


def resubmit_for_real(job: Import, *, as_user: str | None, source: str) -> Import:
    """After a preview: queue the same file again as a real run."""
    upload = ImportFile.objects.get(job=job)
    return submit_import(
        kind=job.kind,
        data=bytes(upload.data),
        file_name=job.file_name,
        as_user=as_user,
        source=source,
        all_or_nothing=job.all_or_nothing,
    )


@task()
def process_import(import_id: int) -> None:
    """The task a worker runs: claim the queued import and execute it."""
    run_queued_import(import_id)


def run_queued_import(import_id: int) -> Import | None:
    with transaction.atomic():
        job = Import.objects.select_for_update().filter(pk=import_id).first()
        if job is None or job.status != Status.QUEUED:
            return job  # cancelled while queued, or already taken
        job.status = Status.RUNNING
        job.heartbeat_at = now()
        job.save(update_fields=["status", "heartbeat_at"])
    data = bytes(ImportFile.objects.get(job=job).data)

    def opener() -> io.BytesIO:
        return io.BytesIO(data)

    if job.kind == "users":
        return execute_users_import(job, opener)
    return execute_license_import(job, opener)
