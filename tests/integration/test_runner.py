"""The job runner (plm.jobs.runner) on the real database: batches and progress, the modes
(dry run, apply, all-or-nothing), cancel, resume, the lease, and failures. Each behaviour is
pinned through what the run leaves behind: the record's status and counts, its result rows, the
holdings. Batches are 2 rows, so the 5-row file below takes three of them."""

import pytest
from django.db.models import F

from plm.app.imports import bytes_opener, import_resume, import_run
from plm.audit.models import AuditEvent
from plm.core.codes import PlmError
from plm.core.rules import RawRow
from plm.directory.actors import system_actor
from plm.imports.models import Import, ImportRow
from plm.imports.records import job_cancel, job_create, job_results
from plm.jobs.recovery import mark_interrupted
from plm.jobs.runner import run
from plm.jobs.works import LicenseRows
from plm.licensing.decide import decide_batch
from plm.licensing.models import Assignment
from tests.builders import codes, holders
from tests.integration.conftest import L1, L2

FILE = (
    "Username,Action,License ID\n"
    f"ann,assign,{L1}\n"  # row 2: applied
    f"bob,assign,{L1}\n"  # row 3: applied (L1 is now full)
    f"cat,assign,{L1}\n"  # row 4: rejected, no seat
    f"ann,revoke,{L1}\n"  # row 5: applied
    f"cat,assign,{L1}\n"  # row 6: applied (ann's seat)
).encode()
EXPECTED = [
    (2, "applied", "assigned"),
    (3, "applied", "assigned"),
    (4, "rejected", "no_seat_available"),
    (5, "applied", "revoked"),
    (6, "applied", "assigned"),
]
CLEAN = f"Username,Action,License ID\nann,assign,{L1}\nbob,assign,{L1}\n".encode()


class Killed(BaseException):
    """The process dies between two batches (nothing of the runner's catches it)."""


@pytest.fixture(autouse=True)
def two_row_batches(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PLM_IMPORT_BATCH_ROWS = 2


def counts(job: Import) -> tuple[str, int, int, int, int, int]:
    job.refresh_from_db()
    return (job.status, job.rows, job.processed, job.applied, job.unchanged, job.rejected)


def results(job: Import) -> list[tuple[int | None, str, str]]:
    return codes(list(job_results(job)))


def start(data: bytes = FILE, progress=None, **options) -> Import:  # type: ignore[no-untyped-def]
    return import_run(
        actor=system_actor(),
        opener=bytes_opener(data),
        file_name="in.csv",
        progress=progress,
        **options,
    )


def test_progress_is_reported_after_every_batch_with_rows_done_and_rows_in_all(campus) -> None:
    calls: list[tuple[int, int]] = []
    job = start(progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert counts(job) == ("completed", 5, 5, 4, 0, 1)
    assert results(job) == EXPECTED
    assert holders(L1) == {"bob", "cat"}


def test_a_dry_run_reports_every_row_and_changes_nothing(campus) -> None:
    job = start(dry_run=True)
    assert counts(job) == ("completed", 5, 5, 4, 0, 1)
    assert results(job) == EXPECTED
    assert Assignment.objects.count() == 0 and not AuditEvent.objects.filter(action="assign")


def test_an_all_or_nothing_preview_with_a_rejected_row_is_refused(campus) -> None:
    job = start(dry_run=True, all_or_nothing=True)
    assert counts(job) == ("refused", 5, 5, 4, 0, 1)
    assert results(job) == EXPECTED and Assignment.objects.count() == 0


def test_an_all_or_nothing_preview_without_a_rejected_row_completes(campus) -> None:
    job = start(CLEAN, dry_run=True, all_or_nothing=True)
    assert counts(job) == ("completed", 2, 2, 2, 0, 0)
    assert Assignment.objects.count() == 0


def test_all_or_nothing_refused_reports_the_whole_file_as_a_dry_run(campus) -> None:
    """Rolled back at row 4, then every row decided again without applying: the counts and
    results are those of the whole file, and nothing at all is applied."""
    calls: list[tuple[int, int]] = []
    job = start(all_or_nothing=True, progress=lambda done, total: calls.append((done, total)))
    assert counts(job) == ("refused", 5, 5, 4, 0, 1)
    assert results(job) == EXPECTED
    assert Assignment.objects.count() == 0 and not AuditEvent.objects.filter(action="assign")
    assert calls == [(2, 5), (2, 5), (4, 5), (5, 5)]  # the first pass stopped in its 2nd batch


def test_all_or_nothing_without_a_rejected_row_applies_everything(campus) -> None:
    job = start(CLEAN, all_or_nothing=True)
    assert counts(job) == ("completed", 2, 2, 2, 0, 0)
    assert holders(L1) == {"ann", "bob"}


def test_a_cancel_asked_while_a_batch_runs_stops_the_import_before_the_next_batch(campus) -> None:
    """Asked after batch 1: batch 2 (already running) still commits; batch 3 never starts."""

    def cancel_once(done: int, total: int) -> None:
        if done == 2:
            job_cancel(Import.objects.get(), actor=system_actor())

    job = start(progress=cancel_once)
    assert counts(job) == ("cancelled", 4, 4, 3, 0, 1)
    assert results(job) == EXPECTED[:4]
    assert holders(L1) == {"bob"}


def test_a_cancelled_all_or_nothing_import_applies_nothing(campus) -> None:
    def cancel_once(done: int, total: int) -> None:
        if done == 2:
            job_cancel(Import.objects.get(), actor=system_actor())

    more = f"ann,assign,{L2}\nbob,assign,{L2}\ncat,assign,{L2}\n".encode()
    job = start(CLEAN + more, all_or_nothing=True, progress=cancel_once)
    assert counts(job) == ("cancelled", 0, 0, 0, 0, 0)
    assert Assignment.objects.count() == 0 and not ImportRow.objects.exists()


def test_a_killed_run_resumes_after_its_last_committed_batch_and_applies_no_row_twice(
    campus, settings
) -> None:
    """Killed after batch 2 (rows 2-5, one of them rejected): the resume does row 6 only and
    ends with the counts of the whole file, the committed ones included."""

    def die_after_two_batches(done: int, total: int) -> None:
        if done == 4:
            raise Killed

    with pytest.raises(Killed):
        start(progress=die_after_two_batches)
    job = Import.objects.get()
    assert counts(job) == ("running", 5, 4, 3, 0, 1)
    settings.PLM_HEARTBEAT_STALE_SECONDS = -60  # its heartbeat stopped: the janitor marks it
    assert mark_interrupted() == [job.pk]

    calls: list[tuple[int, int]] = []
    job = import_resume(
        actor=system_actor(),
        import_id=job.pk,
        file_opener=bytes_opener(FILE),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(5, 5)]
    assert counts(job) == ("completed", 5, 5, 4, 0, 1)
    assert results(job) == EXPECTED
    assert holders(L1) == {"bob", "cat"}
    assert AuditEvent.objects.filter(action="assign").count() == 3


def test_resuming_with_another_file_raises_and_leaves_the_import_interrupted(campus) -> None:
    with pytest.raises(Killed):
        start(progress=lambda done, total: (_ for _ in ()).throw(Killed))
    job = Import.objects.get()
    Import.objects.filter(pk=job.pk).update(status="interrupted")
    with pytest.raises(PlmError) as raised:
        import_resume(actor=system_actor(), import_id=job.pk, file_opener=bytes_opener(CLEAN))
    assert raised.value.code == "file_mismatch"
    assert counts(job)[:3] == ("interrupted", 5, 2)


def test_a_run_whose_lease_was_taken_over_stops_and_writes_nothing_more(campus, caplog) -> None:
    """A newer attempt (a resume elsewhere) took the import after batch 1: this run's batch 2
    is rolled back and it returns the record as the new attempt left it."""

    def taken_over(done: int, total: int) -> None:
        if done == 2:
            Import.objects.update(attempt=F("attempt") + 1)

    job = start(progress=taken_over)
    assert (job.status, job.processed, job.applied, job.attempt) == ("running", 2, 2, 2)
    assert results(job) == EXPECTED[:2]
    assert holders(L1) == {"ann", "bob"}
    assert job.finished_at is None
    assert [r.getMessage() for r in caplog.records if r.name == "plm.imports"] == [
        f"import {job.pk}: a newer attempt took it over; this run stopped"
    ]


def rows_job(decide, all_or_nothing: bool = False):  # type: ignore[no-untyped-def]
    """A license-rows job (as replace and revert run) whose rows `decide` judges."""
    job = job_create(
        kind="licenses",
        source="cli",
        as_user=None,
        file_name="rows",
        dry_run=False,
        all_or_nothing=all_or_nothing,
    )
    items = [
        RawRow(2, "ann", "assign", L1),
        RawRow(3, "bob", "assign", L1),
        RawRow(4, "cat", "assign", L2),
    ]
    return job, LicenseRows(job, items, decide, actor=system_actor())


def test_an_internal_error_fails_the_import_keeping_the_batches_committed_before_it(
    campus,
) -> None:
    def decide(items, rules, done):  # type: ignore[no-untyped-def]
        if done >= 2:
            raise RuntimeError("disk on fire")
        return decide_batch(items, rules)

    job, work = rows_job(decide)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(job, work)
    assert counts(job) == ("failed", 3, 2, 2, 0, 0)
    assert (job.error_code, job.error_message) == (
        "internal_error",
        "The run stopped on an internal error; rows applied before it stay applied and are "
        "reported (see the audit log).",
    )
    assert results(job) == [(2, "applied", "assigned"), (3, "applied", "assigned")]
    assert holders(L1) == {"ann", "bob"}


def test_an_internal_error_in_an_all_or_nothing_run_keeps_nothing(campus) -> None:
    def decide(items, rules, done):  # type: ignore[no-untyped-def]
        if done >= 2:
            raise RuntimeError("disk on fire")
        return decide_batch(items, rules)

    job, work = rows_job(decide, all_or_nothing=True)
    with pytest.raises(RuntimeError):
        run(job, work)
    assert counts(job) == ("failed", 3, 0, 0, 0, 0)
    assert job.error_code == "internal_error"
    assert not ImportRow.objects.exists() and Assignment.objects.count() == 0


def test_a_user_fixable_error_during_a_pass_fails_the_import_with_its_code(campus) -> None:
    """E.g. the file changed between the two passes: failed with that code, not re-raised,
    and the batches committed before it stay."""

    def decide(items, rules, done):  # type: ignore[no-untyped-def]
        if done >= 2:
            raise PlmError("file_mismatch", "The file changed while it was imported.")
        return decide_batch(items, rules)

    job, work = rows_job(decide)
    job = run(job, work)
    assert counts(job) == ("failed", 3, 2, 2, 0, 0)
    assert (job.error_code, job.error_message) == (
        "file_mismatch",
        "The file changed while it was imported.",
    )
    assert results(job) == [(2, "applied", "assigned"), (3, "applied", "assigned")]


def test_a_fatal_file_error_fails_the_import_with_nothing_recorded(campus) -> None:
    job = start(b"Username,License ID\nann,x\n")
    assert counts(job)[0] == "failed" and job.error_code == "missing_column"
    assert not ImportRow.objects.exists() and Assignment.objects.count() == 0


def test_an_internal_error_on_a_resumed_run_keeps_the_earlier_attempts_results(campus) -> None:
    """Resumed after 2 committed rows, the run fails in its first batch: the 2 rows of the
    earlier attempt stay reported and counted."""
    job, work = rows_job(lambda items, rules, done: decide_batch(items, rules))
    with pytest.raises(Killed):
        run(job, work, progress=lambda done, total: (_ for _ in ()).throw(Killed))
    job.refresh_from_db()

    def fail(items, rules, done):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    _, again = rows_job(fail)
    with pytest.raises(RuntimeError):
        run(job, LicenseRows(job, again.list, fail, actor=system_actor()), resume=True)
    assert counts(job) == ("failed", 3, 2, 2, 0, 0)
    assert results(job) == [(2, "applied", "assigned"), (3, "applied", "assigned")]


def test_a_run_tunes_its_sqlite_connection_only_while_it_runs(campus) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the page cache and checkpoint settings are SQLite's")

    def setting(name: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {name}")
            return int(cursor.fetchone()[0])

    before = (setting("cache_size"), setting("wal_autocheckpoint"))
    during: list[tuple[int, int]] = []
    job = start(
        progress=lambda done, total: during.append(
            (setting("cache_size"), setting("wal_autocheckpoint"))
        )
    )
    assert counts(job) == ("completed", 5, 5, 4, 0, 1)
    assert during and all(d == (-32768, 40000) for d in during)
    assert (setting("cache_size"), setting("wal_autocheckpoint")) == before
