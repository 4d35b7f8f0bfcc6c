"""Import use cases: run, queue, preview, apply a preview, cancel, resume, revert, and what an
actor may see of imports. Every face calls these; each checks permission and visibility itself.

Visibility: system administrators see every import; other users the imports they ran, and the
runs of the policies they see (app/policies.py).
"""

import io
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Q, QuerySet

from plm.app.policies import require_run_manageable, run_queued_now
from plm.core import codes as c
from plm.core.codes import PlmError, Status
from plm.core.encoding import CHOICES as ENCODING_CHOICES
from plm.core.encoding import label as encoding_label
from plm.core.encoding import resolve as resolve_encoding
from plm.core.percent import max_revoke_percent as max_revoke_percent_of
from plm.core.reader import Opener
from plm.directory.actors import CHANGE, SYSADMIN, VIEW, Actor, require
from plm.imports.models import Import, ImportFile, ImportRow
from plm.imports.records import (
    RESULT_FIELDS,
    error_report_rows,
    job_as_dict,
    job_cancel,
    job_create,
    job_result_rows,
    job_results,
    job_results_json,
    jobs_purge,
    plain_label,
)
from plm.jobs.queue import execute, resume_now, resume_queued, stored_file, submit
from plm.jobs.runner import Progress, run
from plm.jobs.works import LicenseRows
from plm.licensing.policies import policies_in
from plm.licensing.revert import revert_decide, revert_events

__all__ = ["Import"]
KINDS = ("licenses", "users")
OUTCOMES = ("applied", "unchanged", "rejected")
DEFAULT_MAX_REVOKE_PERCENT = 10
LIVE = (Status.QUEUED, Status.RUNNING)


def _level(kind: str) -> str:
    return SYSADMIN if kind == "users" else CHANGE


def imports_visible_to(actor: Actor) -> QuerySet[Import]:
    """The imports `actor` may see (and act on, with the right level)."""
    require(actor, VIEW)
    if actor.is_sysadmin:
        return Import.objects.all()
    return Import.objects.filter(
        Q(as_user=actor.username) | Q(policy_id__in=policies_in(actor.view_scope))
    )


def import_get(*, actor: Actor, import_id: int) -> Import:
    """One visible import, or import_not_found (the same answer as for one that does not exist)."""
    job = imports_visible_to(actor).filter(pk=import_id).first()
    if job is None:
        raise PlmError(
            c.IMPORT_NOT_FOUND, f"Import {import_id} does not exist (see the import history)."
        )
    return job


def policy_runs_after(*, actor: Actor, import_id: int) -> list[Import]:
    """The finished policy runs recorded after import `import_id` that `actor` may see: those
    a users import in this process set off (the CLI reports them)."""
    return list(
        imports_visible_to(actor)
        .filter(policy_id__isnull=False, pk__gt=import_id, dry_run=False)
        .exclude(status__in=LIVE)
        .order_by("pk")
    )


def sync_threshold(sync: bool, max_revoke_percent: int | str | None) -> int | None:
    """The sync threshold in percent (None: not a sync), or invalid_argument."""
    if max_revoke_percent is None or max_revoke_percent == "":
        return DEFAULT_MAX_REVOKE_PERCENT if sync else None
    if not sync:
        raise PlmError(c.INVALID_ARGUMENT, "max_revoke_percent goes with sync: add sync.")
    return max_revoke_percent_of(max_revoke_percent)


def _accepted(
    actor: Actor,
    kind: str,
    all_or_nothing: bool,
    sync: bool,
    max_revoke_percent: int | str | None,
) -> int | None:
    """Check an import request (permission for its kind, its options); return its sync
    threshold (None: not a sync)."""
    if kind not in KINDS:
        raise PlmError(c.INVALID_ARGUMENT, f"kind must be licenses or users, not {kind!r}.")
    require(actor, _level(kind))
    percent = sync_threshold(sync, max_revoke_percent)
    _check_options(kind, all_or_nothing, percent)
    return percent


def _check_options(kind: str, all_or_nothing: bool, sync: int | None) -> None:
    if kind not in KINDS:
        raise PlmError(c.INVALID_ARGUMENT, f"kind must be licenses or users, not {kind!r}.")
    if kind == "users" and (all_or_nothing or sync is not None):
        raise PlmError(c.INVALID_ARGUMENT, "A users import has no all-or-nothing or sync mode.")
    if all_or_nothing and sync is not None:
        raise PlmError(c.INVALID_ARGUMENT, "Use all-or-nothing or sync, not both.")


def _encoding(name: str | None) -> str:
    """A chosen encoding's canonical name ("" = detect), or invalid_argument naming the
    choices."""
    return resolve_encoding(name) if name and name.strip() else ""


def _sheet(name: str | None) -> str:
    sheet = (name or "").strip()
    if len(sheet) > 255:  # Excel's own limit is 31 characters
        raise PlmError(c.INVALID_ARGUMENT, "A sheet name has at most 255 characters.")
    return sheet


def encoding_choices() -> dict[str, str]:
    """The encodings a user may choose (name -> label), for the faces' option lists."""
    return dict(ENCODING_CHOICES)


def reading_label(job: Import) -> str:
    """How the file was read, for people: `Windows-1250 (Central European)`, `sheet Staff`."""
    if job.encoding == "xlsx":
        return f"workbook, sheet {job.sheet!r}" if job.sheet else "workbook"
    return encoding_label(job.encoding) if job.encoding else ""


def too_large() -> PlmError:
    """An upload over PLM_MAX_IMPORT_BYTES (the faces raise it too, before reading the body)."""
    mb = settings.PLM_MAX_IMPORT_BYTES // (1024 * 1024)
    return PlmError(
        c.FILE_TOO_LARGE,
        f"The file is larger than the limit of {mb} MB: split it into smaller files.",
    )


def _empty(name: str) -> PlmError:
    return PlmError(c.EMPTY_FILE, f"'{name}' is empty: it needs a header row and data rows.")


def safe_file_name(name: str) -> str:
    """The base name of an upload, without control characters: a label, never a path."""
    return plain_label(name.replace("\\", "/").rsplit("/", 1)[-1]) or "upload.csv"


def import_run(
    *,
    actor: Actor,
    opener: Opener,
    file_name: str,
    kind: str = "licenses",
    dry_run: bool = False,
    all_or_nothing: bool = False,
    sync: bool = False,
    max_revoke_percent: int | str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> Import:
    """Record and run an import now, in this process (the CLI); returns its record.

    Errors of the request (permission, options) raise PlmError and record nothing; errors of
    the file (empty_file, unreadable_file, ...) end the import `failed`, recorded."""
    percent = _accepted(actor, kind, all_or_nothing, sync, max_revoke_percent)
    job = job_create(
        kind=kind,
        source=actor.source,
        as_user=actor.username,
        file_name=safe_file_name(file_name),
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        sync_percent=percent,
        encoding=_encoding(encoding),
        sheet=_sheet(sheet),
    )
    job = execute(job, opener, progress=progress)
    if job.kind == "users":
        run_queued_now(actor=actor)  # the policy runs it queued: this process has no worker
    return job


def import_submit(
    *,
    actor: Actor,
    data: bytes,
    file_name: str,
    kind: str = "licenses",
    dry_run: bool = False,
    all_or_nothing: bool = False,
    sync: bool = False,
    max_revoke_percent: int | str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Import:
    """Store an upload and queue its import for the workers (web, API); returns the record.

    An empty upload is refused here (empty_file), nothing stored or queued."""
    percent = _accepted(actor, kind, all_or_nothing, sync, max_revoke_percent)
    chosen, named = _encoding(encoding), _sheet(sheet)
    if not data:
        raise _empty(file_name)
    if len(data) > settings.PLM_MAX_IMPORT_BYTES:  # the faces refuse it sooner, from headers
        raise too_large()
    return submit(
        kind=kind,
        data=data,
        file_name=safe_file_name(file_name),
        as_user=actor.username,
        source=actor.source,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        sync_percent=percent,
        encoding=chosen,
        sheet=named,
    )


def can_apply_preview(job: Import) -> bool:
    """A finished dry run whose file is stored can be applied for real."""
    return (
        job.dry_run
        and job.status in (Status.COMPLETED, Status.REFUSED)
        and ImportFile.objects.filter(job=job).exists()
    )


def import_apply_preview(*, actor: Actor, import_id: int) -> Import:
    """Queue a preview's stored file again as a real run, with the same options."""
    job = _acted_on(actor, import_get(actor=actor, import_id=import_id))
    if not can_apply_preview(job):
        raise PlmError(
            c.NOT_A_PREVIEW,
            f"Import {job.pk} is not a finished preview with a stored file: import the file again.",
        )
    return submit(
        kind=job.kind,
        data=stored_file(job) or b"",
        file_name=job.file_name,
        as_user=actor.username,
        source=actor.source,
        all_or_nothing=job.all_or_nothing,
        sync_percent=job.sync_max_revoke_percent,
        encoding=job.encoding if job.encoding != "xlsx" else "",
        sheet=job.sheet,
    )


def import_cancel(*, actor: Actor, import_id: int) -> Import:
    """Cancel a queued import now, or stop a running one after its current batch."""
    job = _acted_on(actor, import_get(actor=actor, import_id=import_id))
    return job_cancel(job, actor=actor)


def _acted_on(actor: Actor, job: Import) -> Import:
    """An import `actor` may act on (cancel, revert, ...): the level of its kind, and for a
    policy's run, managing that policy (seeing it is not enough)."""
    require(actor, _level(job.kind))
    if job.policy_id is not None:
        require_run_manageable(actor, job.policy_id)
    return job


def import_resume(
    *,
    actor: Actor,
    import_id: int,
    file_opener: Opener | None = None,
    progress: Progress | None = None,
) -> Import:
    """Continue an interrupted import in this process (the CLI), from the row after its last
    committed one."""
    job = _resumable(import_get(actor=actor, import_id=import_id))
    require(actor, _level(job.kind))
    return resume_now(job, file_opener=file_opener, progress=progress)


def import_resume_queued(*, actor: Actor, import_id: int) -> Import:
    """Continue an interrupted import through the workers (web, API)."""
    job = _resumable(import_get(actor=actor, import_id=import_id))
    require(actor, _level(job.kind))
    return resume_queued(job)


def _resumable(job: Import) -> Import:
    """A policy's run is not resumed: a new run finds what is left to do."""
    if job.policy_id is not None:
        raise PlmError(
            c.NOT_RESUMABLE,
            f"Import {job.pk} is a policy's run: apply the policy again (plm policies apply).",
        )
    return job


def import_revert(*, actor: Actor, import_id: int, dry_run: bool = False) -> Import:
    """Undo a visible license import's applied changes, as an import of its own (source
    `revert`); `not_revertible` for a users import."""
    require(actor, CHANGE)
    target = _acted_on(actor, import_get(actor=actor, import_id=import_id))
    if target.kind == "users":
        raise PlmError(
            c.NOT_REVERTIBLE,
            f"Import {import_id} is a users import: it cannot be reverted (import the previous "
            "person.csv instead).",
        )
    events, cutoff = revert_events(target.pk)
    job = job_create(
        kind="licenses",
        source="revert",
        as_user=actor.username,
        file_name=f"revert of import {target.pk}",
        dry_run=dry_run,
    )

    def decide(batch, rules, done):  # type: ignore[no-untyped-def]
        return revert_decide(batch, rules, done, target=target.pk, cutoff=cutoff)

    return run(job, LicenseRows(job, events, decide, actor=actor))


def import_results(
    *, actor: Actor, import_id: int, outcome: str | None = None
) -> tuple[Import, QuerySet[ImportRow]]:
    """A visible import and its per-row results in input order, maybe of one outcome."""
    job = import_get(actor=actor, import_id=import_id)
    if outcome and outcome not in OUTCOMES:
        raise PlmError(
            c.INVALID_ARGUMENT, f"outcome must be applied, unchanged or rejected, not {outcome!r}."
        )
    rows = ImportRow.objects.filter(job=job).order_by("seq")
    if outcome:
        rows = rows.filter(outcome=outcome)
    return job, rows


def result_dicts(rows: QuerySet[ImportRow]) -> Iterator[dict[str, object]]:
    for values in rows.values_list(*RESULT_FIELDS).iterator(chunk_size=5000):
        yield dict(zip(RESULT_FIELDS, values, strict=True))


def import_error_report(*, actor: Actor, import_id: int) -> tuple[Import, Iterator[list[str]]]:
    """A visible import and its rejected rows as the error report lists them."""
    job = import_get(actor=actor, import_id=import_id)
    return job, error_report_rows(job)


def imports_purge(*, actor: Actor, older_than_days: int | None, default_days: int) -> int:
    """Drop per-row results (and stored uploads) of imports older than N days."""
    require(actor, SYSADMIN)
    days = older_than_days if older_than_days is not None else default_days
    if not days or days < 0:
        raise PlmError(
            c.INVALID_ARGUMENT, "Give --older-than DAYS (or set PLM_IMPORT_RETENTION_DAYS)."
        )
    return jobs_purge(actor=actor, older_than_days=days)


def bytes_opener(data: bytes) -> Opener:
    return lambda: io.BytesIO(data)


def import_as_dict(job: Import, *, results: bool = True) -> dict[str, object]:
    """The import object of `plm import --json` (and the API's, with `id`)."""
    return job_as_dict(job, results=results)


def import_result_dicts(job: Import, outcome: str | None = None) -> Iterator[dict[str, object]]:
    """A record's per-row results, streamed (the import was already checked visible)."""
    return job_results(job, outcome)


def import_result_rows(job: Import, outcome: str | None = None) -> Iterator[tuple[object, ...]]:
    """The same results as value tuples in RESULT_FIELDS order (no dict per row)."""
    return job_result_rows(job, outcome)


def import_results_json(job: Import, outcome: str | None = None) -> Iterator[str]:
    """The same results, each encoded as one line of JSON (what `--json` prints)."""
    return job_results_json(job, outcome)


def import_error_rows(job: Import) -> Iterator[list[str]]:
    return error_report_rows(job)
