"""Background imports: an upload is stored and queued; any worker (in `plm serve` or
`plm worker`, on any host sharing the database) claims it through django-tasks' database backend
and runs it with the job runner."""

import io

from django.db import transaction
from django.db.models import F
from django_tasks import task

from plm.clock import now
from plm.core import codes as c
from plm.core.codes import PlmError, Status
from plm.core.reader import Opener
from plm.directory.actors import Actor
from plm.imports.models import Import, ImportFile
from plm.imports.records import LEASE_OWNER, job_create
from plm.jobs.recovery import prepare_resume
from plm.jobs.runner import Progress, run
from plm.jobs.works import PolicyRun, file_work
from plm.licensing.models import Policy
from plm.licensing.policies import SOURCE as POLICY


def submit(
    *,
    kind: str,
    data: bytes,
    file_name: str,
    as_user: str | None,
    source: str,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    sync_percent: int | None = None,
    encoding: str = "",
    sheet: str = "",
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
            encoding=encoding,
            sheet=sheet,
        )
        ImportFile.objects.create(job=job, data=data, size=len(data))
        process_import.enqueue(job.pk)
    return job


def stored_file(job: Import) -> bytes | None:
    upload = ImportFile.objects.filter(job=job).first()
    return None if upload is None else bytes(upload.data)


@task()
def process_import(import_id: int) -> None:
    """The task a worker runs: claim the queued import and execute it."""
    run_queued_import(import_id)


def claim(import_id: int) -> Import | None:
    """Take a queued import (compare-and-set on its status): a new attempt, heartbeat now."""
    taken = Import.objects.filter(pk=import_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        attempt=F("attempt") + 1,
        lease_owner=LEASE_OWNER,
        heartbeat_at=now(),
    )
    return Import.objects.get(pk=import_id) if taken else None


def run_queued_import(import_id: int) -> Import | None:
    """Claim a queued import and run it; one queued with committed rows is a resume."""
    job = claim(import_id)
    if job is None:
        return Import.objects.filter(pk=import_id).first()  # cancelled while queued, or taken
    data = stored_file(job) or b""
    return execute(job, lambda: io.BytesIO(data), resume=job.processed > 0)


def execute(
    job: Import, opener: Opener, *, resume: bool = False, progress: Progress | None = None
) -> Import:
    """Run a claimed import of a file to its end; a users import that changed users queues a
    run of every enabled policy (their eligible users may have changed)."""
    job = run(job, file_work(job, opener), resume=resume, progress=progress)
    if job.kind == "users" and not job.dry_run and job.applied:
        queue_reconciliation()
    return job


def resume_now(
    job: Import, *, file_opener: Opener | None = None, progress: Progress | None = None
) -> Import:
    """Resume an interrupted import in this process, from its stored upload or the file given
    again (`not_resumable` when neither)."""
    data = stored_file(job)
    if data is None and file_opener is None:
        raise PlmError(
            c.NOT_RESUMABLE,
            f"Import {job.pk} was run from a file that is not stored: "
            "give the same file again (plm imports resume ID --file FILE).",
        )
    with transaction.atomic():
        job = Import.objects.select_for_update().get(pk=job.pk)
        continues = prepare_resume(job)
    if data is not None:
        file_opener = lambda: io.BytesIO(data)  # noqa: E731
    assert file_opener is not None
    return execute(job, file_opener, resume=continues, progress=progress)


def resume_queued(job: Import) -> Import:
    """Resume an interrupted import through the workers (needs its stored upload)."""
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


# Policy runs (licensing/policies.py): queued after a change that can affect a policy, run by
# any worker, or now in the process (the CLI has no worker: it runs what it queued itself).


def _policy_job(policy: Policy, *, as_user: str | None, dry_run: bool, status: Status) -> Import:
    return job_create(
        kind="licenses",
        source=POLICY,
        as_user=as_user,
        file_name=f"policy {policy.name}",
        dry_run=dry_run,
        status=status,
        policy_id=policy.pk,
    )


def run_policy_now(
    policy: Policy, *, actor: Actor, dry_run: bool = False, progress: Progress | None = None
) -> Import:
    """Run (or preview) a policy in this process, as `actor`."""
    job = _policy_job(policy, as_user=actor.username, dry_run=dry_run, status=Status.RUNNING)
    return run(job, PolicyRun(job, actor=actor), progress=progress)


def queue_policy_run(policy: Policy, *, as_user: str | None, dry_run: bool = False) -> Import:
    """Queue a run (or a preview) of a policy for the workers."""
    with transaction.atomic():
        job = _policy_job(policy, as_user=as_user, dry_run=dry_run, status=Status.QUEUED)
        process_policy_run.enqueue(job.pk)
    return job


def queue_reconciliation() -> list[Import]:
    """After a change that can affect policies: queue a run of every enabled policy that has
    none queued already (as the system)."""
    queued = []
    for policy in Policy.objects.filter(enabled=True).order_by("pk"):
        waiting = Import.objects.filter(
            policy_id=policy.pk, status=Status.QUEUED, dry_run=False
        ).exists()
        if not waiting:
            queued.append(queue_policy_run(policy, as_user=None))
    return queued


@task()
def process_policy_run(import_id: int) -> None:
    """The task a worker runs for a queued policy run."""
    run_queued_policy(import_id)


def run_queued_policy(import_id: int, progress: Progress | None = None) -> Import | None:
    """Claim a queued policy run and run it (None: someone else took it, or it was cancelled)."""
    job = claim(import_id)
    if job is None:
        return None
    return run(job, PolicyRun(job), progress=progress)


def run_queued_policies(policy_id: int | None = None, *, automatic: bool = False) -> list[Import]:
    """Run the queued policy runs (of one policy, or all; `automatic`: only those queued after
    a change, as the system) now, in this process, oldest first."""
    pending = Import.objects.filter(source=POLICY, status=Status.QUEUED)
    if policy_id is not None:
        pending = pending.filter(policy_id=policy_id)
    if automatic:
        pending = pending.filter(as_user__isnull=True, dry_run=False)
    done = []
    for pk in pending.order_by("pk").values_list("pk", flat=True):
        job = run_queued_policy(pk)
        if job is not None:
            done.append(job)
    return done
