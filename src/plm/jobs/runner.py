"""The one job runner: a license file, a sync, a replace, a revert and a users file are each an
Import record whose rows a `Work` decides in batches, and `run` owns everything else.

- Each batch is one transaction: decided (and, when applied, written) with its result rows and
  the record's counts, so every row is atomic and a crash loses nothing committed.
- The modes, from the record: dry run (decide only), apply, all-or-nothing (one transaction,
  rolled back at the first rejected row, then re-run as a dry run to report), sync (a preamble
  of revocations; over its threshold everything is simulated and the import `refused`).
- The lease: the record's `attempt` is this run's; it heartbeats from the moment it runs, and
  every write checks the attempt, so a run whose lease a newer attempt took over stops before
  its next batch and writes nothing more (records.Fenced).
- Cancel: asked between batches, honoured before the next one.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from plm.bulk import import_connection, relaxed_gc, writers_turn
from plm.core.codes import INTERNAL_ERROR, Outcome, PlmError, Status
from plm.core.results import RowResult, Tally
from plm.imports.models import Import
from plm.imports.records import Fenced, batch_record, job_fail, job_finish
from plm.jobs.recovery import heartbeat

Progress = Callable[[int, int], None]
"""Called with (rows processed, rows in all) after each batch."""
log = logging.getLogger("plm.imports")


@dataclass
class Opening:
    """What a pass starts with: result rows before the first item (sync's revocations), whether
    the pass really applies, and an error that makes the import `refused`."""

    results: list[RowResult] = field(default_factory=list)
    apply: bool = True
    error: PlmError | None = None


class Work(Protocol):
    """What one kind of job gives the runner."""

    def prepare(self, job: Import, resume: bool) -> int:
        """Check the input (PlmError: fatal, nothing changed) and return the rows to do."""
        ...

    def items(self) -> Iterator[Any]:
        """The rows, in order, from the start (called once per pass)."""
        ...

    def begin(self, apply: bool) -> Opening:
        """Start a pass (inside a transaction)."""
        ...

    def batch(self, items: list[Any], apply: bool, done: int) -> list[RowResult]:
        """Decide, and when `apply` write, one batch (inside its transaction)."""
        ...

    def finish(self, tally: Tally) -> None:
        """After the last batch of a completed run."""
        ...


class _Refused(Exception):
    """Raised inside the all-or-nothing transaction to roll it back."""


class _Cancelled(Exception):
    """Raised between batches when someone cancelled the import."""


class _Failed(Exception):
    """An error inside a pass, with the counts of what the pass had committed before it."""

    def __init__(self, committed: Tally, error: BaseException) -> None:
        self.committed, self.error = committed, error


def run(
    job: Import, work: Work, *, resume: bool = False, progress: Progress | None = None
) -> Import:
    """Run a claimed (running) import to its end and return its record.

    Fatal input errors end it `failed` with nothing changed (a resume keeps what its earlier
    attempt committed); an internal error ends it `failed` keeping what its committed batches
    did, then is raised again. A run fenced out by a newer attempt writes nothing more, its
    failure or cancellation included, and returns the record as the newer attempt left it."""
    with heartbeat(job):
        try:
            return _run(job, work, resume, progress)
        except Fenced:
            log.warning("import %s: a newer attempt took it over; this run stopped", job.pk)
            job.refresh_from_db()
            return job


def _run(job: Import, work: Work, resume: bool, progress: Progress | None) -> Import:
    try:
        total = work.prepare(job, resume)
    except PlmError as error:
        if error.code == "file_mismatch":
            raise  # the import stays interrupted: give the right file
        return job_fail(job, error, keep=_committed(job))
    start = _committed(job)  # a new run, or a resume starting over, has committed nothing
    try:
        with relaxed_gc(), import_connection():
            tally, status, error = _passes(job, work, total, start, progress)
        with transaction.atomic():  # fenced at the end: what `finish` wrote rolls back too
            if status == Status.COMPLETED:
                work.finish(tally)
            return job_finish(job, tally, status, error)
    except _Cancelled as stop:
        return job_finish(job, stop.args[0], Status.CANCELLED)
    except _Failed as failed:
        if isinstance(failed.error, PlmError):  # e.g. the file changed between passes
            return job_fail(job, failed.error, keep=failed.committed)
        job_fail(
            job,
            PlmError(
                INTERNAL_ERROR,
                "The run stopped on an internal error; rows applied before it stay "
                "applied and are reported (see the audit log).",
            ),
            keep=failed.committed,
        )
        raise failed.error from None


def _committed(job: Import) -> Tally:
    return Tally(job.processed, job.applied, job.unchanged, job.rejected)


def _passes(
    job: Import, work: Work, total: int, start: Tally, progress: Progress | None
) -> tuple[Tally, Status, PlmError | None]:
    """The passes the record's mode asks for: (counts, final status, error)."""
    if job.all_or_nothing and not job.dry_run:
        try:
            with transaction.atomic():
                tally, _ = _pass(
                    job, work, total, apply=True, stop_on_reject=True, progress=progress
                )
        except _Refused:
            # Rolled back: nothing applied. Record what would have happened.
            tally, _ = _pass(job, work, total, apply=False, progress=progress)
            return tally, Status.REFUSED, None
        except _Cancelled:
            raise _Cancelled(Tally()) from None  # rolled back: nothing applied
        return tally, Status.COMPLETED, None
    tally, error = _pass(job, work, total, apply=not job.dry_run, start=start, progress=progress)
    refused = error is not None or (job.dry_run and job.all_or_nothing and tally.rejected > 0)
    return tally, Status.REFUSED if refused else Status.COMPLETED, error


def _pass(
    job: Import,
    work: Work,
    total: int,
    *,
    apply: bool,
    stop_on_reject: bool = False,
    start: Tally | None = None,
    progress: Progress | None,
) -> tuple[Tally, PlmError | None]:
    """One pass over the rows; `start`: the counts of rows already committed (a resume), whose
    rows are skipped."""
    tally = Tally(**vars(start)) if start else Tally()
    committed = Tally(**vars(tally))
    try:
        with transaction.atomic():
            opening = work.begin(apply)
            if opening.results:
                batch_record(job, tally, opening.results)
        committed = Tally(**vars(tally))
        apply = opening.apply
        rows = work.items()
        if start:
            rows = islice(rows, start.rows, None)
        cancelled = False
        while batch := list(islice(rows, settings.PLM_IMPORT_BATCH_ROWS)):
            if cancelled:  # asked while the previous batch ran: stop before this one
                raise _Cancelled(tally)
            with transaction.atomic():
                results = work.batch(batch, apply, tally.rows)
                if stop_on_reject and any(r.outcome is Outcome.REJECTED for r in results):
                    raise _Refused
                cancelled = not batch_record(job, tally, results)
            committed = Tally(**vars(tally))
            if apply:
                writers_turn()
            if progress:
                progress(tally.rows, total)
    except (_Refused, _Cancelled, Fenced):
        raise
    except Exception as exc:
        # Inside an all-or-nothing transaction nothing was committed.
        raise _Failed(Tally() if stop_on_reject else committed, exc) from exc
    return tally, opening.error
