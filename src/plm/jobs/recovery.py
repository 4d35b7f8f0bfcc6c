"""Crash safety for imports.

django-tasks' database backend does not recover a killed task, so an import keeps its own
heartbeat: the process running it refreshes `heartbeat_at` every few seconds from a thread,
from the moment it holds the lease (before reading the file). Any worker (at start, then every
30 s) marks a running import whose heartbeat stopped as `interrupted`; its rows up to
`processed` were committed with their results, so a resume continues from the next row and no
row is applied twice. A resume takes a new attempt, which fences out the old run if it was
only slow, not dead (records.progress_save).
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction

from plm.clock import now
from plm.core import codes as c
from plm.core.codes import PlmError, Status
from plm.imports.models import Import, ImportRow
from plm.imports.records import LEASE_OWNER, previews_expire

JANITOR_SECONDS = 30
log = logging.getLogger("plm.imports")


@contextmanager
def heartbeat(job: Import) -> Iterator[None]:
    """Refresh the job's heartbeat from a thread while the body runs."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.PLM_HEARTBEAT_SECONDS):
                try:
                    Import.objects.filter(pk=job.pk, attempt=job.attempt).update(heartbeat_at=now())
                except Exception:
                    # Never break the import, and keep beating: one failed write (a database
                    # restart, a lock timeout) must not let the janitor think the run died.
                    log.exception("heartbeat of import %s failed", job.pk)
                    connection.close()  # the next beat opens a fresh connection
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"plm-heartbeat-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def mark_interrupted() -> list[int]:
    """Running imports whose heartbeat stopped -> `interrupted`; returns their ids."""
    cutoff = now() - timedelta(seconds=settings.PLM_HEARTBEAT_STALE_SECONDS)
    marked = []
    for pk in Import.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            job = Import.objects.select_for_update().get(pk=pk)
            if job.status == Status.RUNNING and job.heartbeat_at and job.heartbeat_at < cutoff:
                job.status = Status.INTERRUPTED
                job.finished_at = now()
                job.save(update_fields=["status", "finished_at"])
                marked.append(pk)
                log.warning("import %s interrupted after row %s of %s", pk, job.processed, job.rows)
    return marked


def janitor_pass() -> None:
    """Mark interrupted imports and delete the uploads of previews past their retention
    (PLM_PREVIEW_RETENTION_HOURS): what every worker does when it starts."""
    mark_interrupted()
    previews_expire(older_than_hours=settings.PLM_PREVIEW_RETENTION_HOURS)


def janitor_loop(stop: threading.Event) -> None:
    """The janitor's pass now and every JANITOR_SECONDS until `stop` is set."""
    try:
        while True:
            try:
                janitor_pass()
            except Exception:
                log.exception("marking interrupted imports failed")
            if stop.wait(JANITOR_SECONDS):
                return
    finally:
        connection.close()


def prepare_resume(job: Import) -> bool:
    """Check an interrupted import can resume and reset what must start over.

    Returns True when it continues after its committed rows, False when it starts over (a dry
    run or an all-or-nothing run keeps no partial state worth continuing)."""
    if job.status != Status.INTERRUPTED:
        raise PlmError(
            c.NOT_RESUMABLE,
            f"Import {job.pk} is {job.status}: only an interrupted import can be resumed.",
        )
    # A sync decides its revocations from the whole file first: it starts over too.
    continues = not (job.dry_run or job.all_or_nothing or job.sync_max_revoke_percent is not None)
    if not continues:
        ImportRow.objects.filter(job=job).delete()
        job.processed = job.applied = job.unchanged = job.rejected = 0
    job.status = Status.RUNNING
    job.cancel_requested = False
    job.finished_at = None
    job.heartbeat_at = now()
    job.attempt += 1  # fences out the run it replaces, should that one still be alive
    job.lease_owner = LEASE_OWNER
    job.error_code = job.error_message = ""
    job.save()
    return continues
