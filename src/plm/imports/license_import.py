"""The license CSV import: read -> validate -> decide (in file order) -> apply -> record.

Rows are taken in batches; each batch is decided and applied inside one transaction that holds
the license locks, so every row is atomic and decided against the current holdings. A dry run
decides the same way against an in-memory ledger and writes nothing but its report.
"""

from collections.abc import Callable, Iterator
from itertools import islice

from django.conf import settings
from django.db import transaction

from plm.bulk import relaxed_gc
from plm.clock import today
from plm.core.codes import (
    FILE_MISMATCH,
    INTERNAL_ERROR,
    NOT_ALLOWED_IN_SYNC,
    Outcome,
    PlmError,
    Status,
)
from plm.core.reader import Layout, Opener, Record, header_key, inspect, records
from plm.core.results import RowResult, Tally
from plm.core.rules import Action, Command, Decision, Ledger, RawRow, Rules, reject, validate
from plm.directory.actors import Actor, license_actor
from plm.directory.people import people_for_keys
from plm.imports.models import Import
from plm.imports.records import (
    batch_record,
    job_create,
    job_fail,
    job_finish,
)
from plm.imports.recovery import heartbeat
from plm.imports.sync import named_holders, simulate_revocations, sync_revocations, threshold_error
from plm.licensing.ledger import apply_decisions, load_holdings, lock_licenses, read_licenses

USERNAME, ACTION, LICENSE_ID = (
    header_key("Username"),
    header_key("Action"),
    header_key("License ID"),
)
COLUMN_NAMES = {USERNAME: "Username", ACTION: "Action", LICENSE_ID: "License ID"}

Progress = Callable[[int, int], None]
"""Called with (rows processed, rows in file) after each batch."""


class Refused(Exception):
    """Raised inside the all-or-nothing transaction to roll it back."""


class Cancelled(Exception):
    """Raised between batches when someone cancelled the import."""


def _raw_rows(opener: Opener, layout: Layout) -> Iterator[RawRow]:
    for rec in records(opener, layout, settings.PLM_MAX_IMPORT_BYTES):
        yield _raw(rec, layout)


def _raw(rec: Record, layout: Layout) -> RawRow:
    return RawRow(
        rec.row, rec.get(layout, USERNAME), rec.get(layout, ACTION), rec.get(layout, LICENSE_ID)
    )


def decide_batch(rows: list[RawRow], rules: Rules, *, sync: bool = False) -> list[Decision]:
    """Validate and decide a batch in order (looks users up once for the whole batch)."""
    checked: list[Command | RowResult] = [_sync_check(validate(raw), sync) for raw in rows]
    commands = [item for item in checked if isinstance(item, Command)]
    people = people_for_keys(cmd.key for cmd in commands)
    load_holdings(rules.ledger, (p.pk for cmd in commands for p in people[cmd.key]))
    decisions = []
    for item in checked:
        if isinstance(item, RowResult):
            decisions.append(Decision(item))
        else:
            decisions.append(rules.decide(item, people[item.key]))
    return decisions


def _sync_check(item: Command | RowResult, sync: bool) -> Command | RowResult:
    if sync and isinstance(item, Command) and item.action is not Action.ASSIGN:
        return reject(
            item.raw,
            NOT_ALLOWED_IN_SYNC,
            f"Action {item.action} is not allowed in a "
            "sync file: it lists who should hold each license (assign rows only).",
            action=str(item.action),
        )
    return item


def _run(
    job: Import,
    rows: Iterator[RawRow],
    actor: Actor,
    *,
    apply: bool,
    stop_on_reject: bool,
    progress: Progress | None,
    total: int,
    start: Tally | None = None,
    skip: int | None = None,
    dry_ledger: Ledger | None = None,
    sync: bool = False,
) -> Tally:
    """One pass over the rows. apply=False: dry run. stop_on_reject: the all-or-nothing pass.

    `start`: the counts of rows already committed (a resume); those rows are skipped."""
    tally = Tally(**vars(start)) if start else Tally()
    skip = start.rows if skip is None and start else (skip or 0)
    if skip:
        rows = islice(rows, skip, None)
    on = today()
    ledger = Ledger()
    rules: Rules | None = None
    if not apply:
        licenses, used = read_licenses()
        ledger = dry_ledger or Ledger(used=used)
        rules = Rules(licenses, ledger, actor.scope, on)
    cancelled = False
    while batch := list(islice(rows, settings.PLM_IMPORT_BATCH_ROWS)):
        if cancelled:  # asked while the previous batch ran: stop before this one
            raise Cancelled(tally)
        with transaction.atomic():
            if apply and (rules is None or not stop_on_reject):
                # Fresh state under lock for every batch: other writers may have run in between.
                ledger = Ledger()
                licenses, ledger.used = lock_licenses()
                rules = Rules(licenses, ledger, actor.scope, on)
            assert rules is not None
            decisions = decide_batch(batch, rules, sync=sync)
            if stop_on_reject and any(d.result.outcome is Outcome.REJECTED for d in decisions):
                raise Refused
            if apply:
                apply_decisions(decisions, actor=actor, licenses=rules.by_pk, import_id=job.pk)
            cancelled = not batch_record(job, tally, [d.result for d in decisions])
        if progress:
            progress(tally.rows, total)
    return tally


def run_license_import(
    *,
    opener: Opener,
    file_name: str,
    actor_name: str | None,
    source: str,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
    sync_percent: int | None = None,
) -> Import:
    """Record and run a license import now; return its record (never raises PlmError).

    sync_percent: a sync import (docs/csv-format.md) revoking at most that percent."""
    job = job_create(
        kind="licenses",
        source=source,
        as_user=actor_name,
        file_name=file_name,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        sync_percent=sync_percent,
    )
    return execute_license_import(job, opener, progress)


def execute_license_import(
    job: Import, opener: Opener, progress: Progress | None = None, *, resume: bool = False
) -> Import:
    """Run a recorded license import (status running) to its end.

    resume=True continues after the rows already committed (after `prepare_resume`); then the
    file must be the one imported first (`file_mismatch`, raised, the import left interrupted).
    """
    try:
        actor = license_actor(job.as_user, job.source)
        layout = inspect(
            opener,
            required=[USERNAME, ACTION],
            describe=COLUMN_NAMES,
            max_bytes=settings.PLM_MAX_IMPORT_BYTES,
        )
    except PlmError as error:
        return job_fail(job, error)
    check_same_file(job, layout.sha256, resume)
    job.rows, job.file_sha256 = layout.data_rows, layout.sha256
    job.save(update_fields=["rows", "file_sha256"])
    start = Tally(job.processed, job.applied, job.unchanged, job.rejected) if resume else None
    try:
        with heartbeat(job), relaxed_gc():
            return _execute(job, opener, layout, actor, progress, start)
    except Cancelled as stop:
        return job_finish(job, stop.args[0], Status.CANCELLED)
    except Exception:
        job_fail(
            job,
            PlmError(
                INTERNAL_ERROR,
                "The import stopped on an internal error; rows "
                "applied before it stay applied (see the audit log).",
            ),
        )
        raise


def check_same_file(job: Import, sha256: str, resume: bool) -> None:
    if resume and job.file_sha256 and sha256 != job.file_sha256:
        job.status = Status.INTERRUPTED
        job.save(update_fields=["status"])
        raise PlmError(
            FILE_MISMATCH,
            f"This is not the file import {job.pk} was started with "
            "(its content differs): give the same file to resume it.",
        )


def _execute(
    job: Import,
    opener: Opener,
    layout: Layout,
    actor: Actor,
    progress: Progress | None,
    start: Tally | None,
) -> Import:
    def run(apply: bool, stop_on_reject: bool, start: Tally | None = None) -> Tally:
        return _run(
            job,
            _raw_rows(opener, layout),
            actor,
            apply=apply,
            stop_on_reject=stop_on_reject,
            progress=progress,
            total=layout.data_rows,
            start=start,
        )

    if job.sync_max_revoke_percent is not None:
        return _execute_sync(job, opener, layout, actor, progress)
    if job.dry_run:
        tally = run(apply=False, stop_on_reject=False)
        refused = job.all_or_nothing and tally.rejected
        return job_finish(job, tally, Status.REFUSED if refused else Status.COMPLETED)
    if job.all_or_nothing:
        try:
            with transaction.atomic():
                tally = run(apply=True, stop_on_reject=True)
        except Refused:
            # Nothing was applied; record what would have happened.
            return job_finish(job, run(apply=False, stop_on_reject=False), Status.REFUSED)
        except Cancelled:
            raise Cancelled(Tally()) from None  # rolled back: nothing applied
        return job_finish(job, tally, Status.COMPLETED)
    return job_finish(job, run(apply=True, stop_on_reject=False, start=start), Status.COMPLETED)


def _execute_sync(
    job: Import, opener: Opener, layout: Layout, actor: Actor, progress: Progress | None
) -> Import:
    """Sync: revocations first (under the license lock), then the file's assign rows."""
    named = named_holders(_raw_rows(opener, layout))
    percent = job.sync_max_revoke_percent or 0
    with transaction.atomic():
        if not job.dry_run:
            lock_licenses()
        revocations, holders = sync_revocations(named, actor)
        error = threshold_error(revocations, holders, percent)
        simulate = job.dry_run or error is not None
        licenses, used = read_licenses()
        ledger = Ledger(used=used)
        by_pk = {lic.pk: lic for lic in licenses}
        if simulate:
            simulate_revocations(revocations, ledger)
        else:
            apply_decisions(revocations, actor=actor, licenses=by_pk, import_id=job.pk)
        counts = Tally()
        batch_record(job, counts, [d.result for d in revocations])
    tally = _run(
        job,
        _raw_rows(opener, layout),
        actor,
        apply=not simulate,
        stop_on_reject=False,
        progress=progress,
        total=layout.data_rows,
        start=counts,
        skip=0,
        dry_ledger=ledger if simulate else None,
        sync=True,
    )
    if error is not None:
        job.error_code, job.error_message = error.code, error.message
        return job_finish(job, tally, Status.REFUSED)
    return job_finish(job, tally, Status.COMPLETED)


def exit_code(job: Import) -> int:
    """0 no row rejected; 3 rejected rows or refused; 2 fatal."""
    if job.status == Status.FAILED:
        return 2
    if job.status == Status.REFUSED or job.rejected:
        return 3
    return 0


def apply_one(*, raw: RawRow, actor: Actor) -> RowResult:
    """One row without a file (plm assign / revoke, API, web one-by-one): same rules, audited."""
    with transaction.atomic():
        licenses, used = lock_licenses()
        rules = Rules(licenses, Ledger(used=used), actor.scope, today())
        decision = decide_batch([raw], rules)[0]
        apply_decisions([decision], actor=actor, licenses=rules.by_pk)
    return decision.result
