"""Import records: creating, progressing, finishing and reporting them (the import history)."""

import os
import socket
from collections.abc import Iterator, Sequence
from datetime import timedelta
from json.encoder import encode_basestring

from django.db import connection, transaction

from plm.audit.services import Event, audit_record
from plm.bulk import bulk_insert, db_datetime
from plm.clock import now
from plm.core import codes as c
from plm.core.codes import PlmError, Status
from plm.core.results import RowResult, Tally
from plm.core.text import strip_unstorable
from plm.directory.actors import Actor
from plm.imports.models import Import, ImportFile, ImportRow

LEASE_OWNER = f"{socket.gethostname()}-{os.getpid()}"[:100]


def plain_label(text: str) -> str:
    """An import's label for people (a file's base name, "replace OLD -> NEW"): without control
    characters or unpaired surrogates (no database stores a NUL, and a bad License ID may carry
    one), 255 at most."""
    return strip_unstorable(text)[:255]


def job_create(
    *,
    kind: str,
    source: str,
    as_user: str | None,
    file_name: str,
    dry_run: bool,
    all_or_nothing: bool = False,
    status: Status = Status.RUNNING,
    sync_percent: int | None = None,
    encoding: str = "",
    sheet: str = "",
    policy_id: int | None = None,
) -> Import:
    """Record a new import; `as_user` None means the system acts (CLI without --as).

    `encoding` and `sheet` are the user's choice ("": detect; the first visible sheet with
    content), replaced by what was read once the file is inspected.

    A job created running is claimed by its creator (attempt 1); a queued one by a worker."""
    return Import.objects.create(
        kind=kind,
        source=source,
        actor=as_user or "system",
        as_user=as_user,
        file_name=plain_label(file_name),
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        sync_max_revoke_percent=sync_percent,
        status=status,
        created_at=now(),
        heartbeat_at=now(),
        encoding=encoding,
        sheet=sheet,
        attempt=1 if status == Status.RUNNING else 0,
        lease_owner=LEASE_OWNER if status == Status.RUNNING else "",
        policy_id=policy_id,
    )


def job_cancel(job: Import, *, actor: Actor) -> Import:
    """Cancel a queued import now, or ask a running one to stop after its current batch
    (audited: who asked, and which of the two it was)."""
    with transaction.atomic():
        job = Import.objects.select_for_update().get(pk=job.pk)
        if job.status == Status.QUEUED:
            job.status = Status.CANCELLED
            job.finished_at = now()
            # It will never run, and a cancelled import neither resumes nor is applied: nothing
            # will read its upload again.
            ImportFile.objects.filter(job=job).delete()
            what = "cancelled before it ran"
        elif job.status == Status.RUNNING:
            job.cancel_requested = True
            what = "asked to stop after its current batch"
        else:
            raise PlmError(
                c.NOT_CANCELLABLE,
                f"Import {job.pk} is {job.status}: only a queued or running import can be "
                "cancelled.",
            )
        job.save()
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[Event("import_cancel", detail=what)],
            import_id=job.pk,
        )
    return job


class Fenced(Exception):
    """This run's lease was taken over by a newer attempt: it must stop and write nothing."""


def _ours(job: Import):  # type: ignore[no-untyped-def]
    return Import.objects.filter(pk=job.pk, attempt=job.attempt)


def job_fail(job: Import, error: PlmError, *, keep: Tally | None = None) -> Import:
    """A failed run, its error recorded. `keep`: the counts of the batches it committed, whose
    results stay; without it (nothing was committed) no result is kept."""
    return _close(
        job, Tally() if keep is None else keep, Status.FAILED, error, drop_results=keep is None
    )


def job_finish(job: Import, tally: Tally, status: Status, error: PlmError | None = None) -> Import:
    return _close(job, tally, status, error)


def _close(
    job: Import, tally: Tally, status: Status, error: PlmError | None, drop_results: bool = False
) -> Import:
    """Write the final state, only while this run still holds the lease (Fenced otherwise,
    with nothing written: a newer attempt owns the record and its results)."""
    fields = {
        "status": status,
        "processed": tally.rows,
        "applied": tally.applied,
        "unchanged": tally.unchanged,
        "rejected": tally.rejected,
        "finished_at": now(),
    }
    if status != Status.FAILED:
        fields["rows"] = tally.rows
    if error is not None:
        fields["error_code"], fields["error_message"] = error.code, error.message
    with transaction.atomic():
        if not _ours(job).update(**fields):
            raise Fenced(job.pk)
        if drop_results:
            ImportRow.objects.filter(job=job).delete()
    job.refresh_from_db()
    if not (job.dry_run and status in (Status.COMPLETED, Status.REFUSED)):
        # Nothing can need the upload any more: only an interrupted import resumes, and only a
        # finished preview is applied from its stored file (kept PLM_PREVIEW_RETENTION_HOURS).
        ImportFile.objects.filter(job=job).delete()
    return job


def results_write(job: Import, first_seq: int, results: Sequence[RowResult]) -> None:
    job_pk = job.pk
    bulk_insert(
        ImportRow,
        ("job", "seq", "row", "username", "action", "license_id", "outcome", "code", "message"),
        (
            (
                job_pk,
                seq,
                row,
                username,
                action[:40],  # as typed, cut to its column (a long bad Action is rejected)
                license_id,
                str(outcome),
                code,
                message,
            )
            for seq, (row, username, action, license_id, outcome, code, message) in enumerate(
                results, first_seq
            )
        ),
    )


def batch_record(job: Import, tally: Tally, results: Sequence[RowResult]) -> bool:
    """Write a batch's result rows, count them into `tally` and save the progress (inside the
    batch's transaction); False when someone has asked to cancel the import."""
    results_write(job, tally.rows, results)
    tally.add_all(results)
    return progress_save(job, tally)


def progress_save(job: Import, tally: Tally) -> bool:
    """Record the counts so far; False when someone has asked to cancel the import; Fenced
    when a newer attempt holds the lease (the caller's transaction then rolls back).

    One statement per batch in the usual case: the update only matches a job of this attempt
    that is not cancelled."""
    # Plain SQL: the ORM would compile the same UPDATE again for every batch.
    table = Import._meta.db_table
    counts = [tally.rows, tally.applied, tally.unchanged, tally.rejected, db_datetime(now())]
    sql = (
        f"UPDATE {table} SET processed = %s, applied = %s, unchanged = %s, rejected = %s, "
        "heartbeat_at = %s WHERE id = %s AND attempt = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql + " AND cancel_requested = %s", [*counts, job.pk, job.attempt, False])
        if cursor.rowcount:
            return True
        cursor.execute(sql, [*counts, job.pk, job.attempt])
        if not cursor.rowcount:
            raise Fenced(job.pk)
    return False


def job_get(import_id: int) -> Import:
    job = Import.objects.filter(pk=import_id).first()
    if job is None:
        raise PlmError(
            c.IMPORT_NOT_FOUND, f"Import {import_id} does not exist (see plm imports list)."
        )
    return job


RESULT_FIELDS = ("row", "username", "action", "license_id", "outcome", "code", "message")


def row_as_dict(row: ImportRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in RESULT_FIELDS}


def job_result_rows(job: Import, outcome: str | None = None) -> Iterator[tuple[object, ...]]:
    """The per-row results as value tuples in RESULT_FIELDS order, in input order, streamed."""
    rows = ImportRow.objects.filter(job=job)
    if outcome:
        rows = rows.filter(outcome=outcome)
    return rows.order_by("seq").values_list(*RESULT_FIELDS).iterator(chunk_size=5000)


def job_results(job: Import, outcome: str | None = None) -> Iterator[dict[str, object]]:
    """The per-row result objects in input order, streamed (no model instances)."""
    for values in job_result_rows(job, outcome):
        yield dict(zip(RESULT_FIELDS, values, strict=True))


# One result object as `json.dumps(result, ensure_ascii=False)` writes it (keys in
# RESULT_FIELDS order, ", " and ": " between them), with a slot for each encoded value.
_RESULT_JSON = "{" + ", ".join(f'"{name}": %s' for name in RESULT_FIELDS) + "}"


def job_results_json(job: Import, outcome: str | None = None) -> Iterator[str]:
    """The per-row result objects of `job_results`, each already encoded as one line of JSON,
    exactly as `json.dumps(result, ensure_ascii=False)` encodes it: straight from the row's
    values (no dict per row, no encoder call per row; `--json` prints 100,000s of them). `row`
    is an integer or null, every other field a string (their columns hold nothing else)."""
    string = encode_basestring  # json's own (C) string encoder for ensure_ascii=False
    template = _RESULT_JSON
    for row, username, action, license_id, outcome_, code, message in job_result_rows(job, outcome):
        yield template % (
            "null" if row is None else row,
            string(username),
            string(action),
            string(license_id),
            string(outcome_),
            string(code),
            string(message),
        )


def error_report_rows(job: Import) -> Iterator[list[str]]:
    """The rejected rows as the error report (`--errors-out`, web and API) lists them."""
    for r in job_results(job, "rejected"):
        yield [
            str(r["username"]),
            str(r["action"]),
            str(r["license_id"]),
            str(r["row"] or ""),
            str(r["code"]),
            str(r["message"]),
        ]


def job_as_dict(job: Import, *, results: bool = True) -> dict[str, object]:
    """The object `plm import --json` prints (and `plm imports show`)."""
    data: dict[str, object] = {
        "import_id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "dry_run": job.dry_run,
        "source": job.source,
        "actor": job.actor,
        "file_name": job.file_name,
        "created_at": _iso(job.created_at),
        "finished_at": _iso(job.finished_at) if job.finished_at else None,
        "rows": job.rows,
        "processed": job.processed,
        "applied": job.applied,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
        "encoding": job.encoding or None,
        "sheet": job.sheet or None,
    }
    if job.policy_id is not None:
        data["policy_id"] = job.policy_id
    if job.error_code:
        data["error"] = {"code": job.error_code, "message": job.error_message}
    if results:
        data["results"] = list(job_results(job))
    return data


def _iso(value) -> str:  # type: ignore[no-untyped-def]
    return value.isoformat().replace("+00:00", "Z")


def jobs_purge(*, actor: Actor, older_than_days: int) -> int:
    """Drop per-row results and stored uploads of finished imports older than N days (the
    imports and the audit log stay; one audit event per import purged). Returns the number
    of imports purged."""
    cutoff = now() - timedelta(days=older_than_days)
    purged = 0
    old = Import.objects.filter(created_at__lt=cutoff, results_purged=False).exclude(
        status__in=[Status.QUEUED, Status.RUNNING]
    )
    for job in old:
        with transaction.atomic():
            ImportRow.objects.filter(job=job).delete()
            ImportFile.objects.filter(job=job).delete()
            Import.objects.filter(pk=job.pk).update(results_purged=True)
            audit_record(
                actor=actor.name,
                source=actor.source,
                events=[
                    Event(
                        "import_purge",
                        detail=f"row results and upload dropped (older than {older_than_days} days)",
                    )
                ],
                import_id=job.pk,
            )
        purged += 1
    return purged


def previews_expire(*, older_than_hours: int) -> int:
    """Delete the stored uploads of previews (finished dry runs) older than N hours: they can
    no longer be applied for real from the page. Returns how many were deleted."""
    cutoff = now() - timedelta(hours=older_than_hours)
    stale = ImportFile.objects.filter(job__dry_run=True, job__finished_at__lt=cutoff)
    return stale.delete()[0]
