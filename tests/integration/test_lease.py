"""The job lease: two executions of one import can never write at once, and a run heartbeats
from its start, before the file's first pass (hardening issue, finding 1)."""

import io
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from plm.app.imports import bytes_opener, import_run
from plm.audit.models import AuditEvent
from plm.directory.actors import actor_for_user, system_actor
from plm.directory.models import Organization, RoleGrant
from plm.imports.models import Import, ImportRow
from plm.jobs.queue import claim, execute, resume_now, submit
from plm.jobs.recovery import mark_interrupted, prepare_resume
from plm.licensing.models import Assignment
from tests.builders import make_license, make_org, make_staff, make_user

L1 = "ID 2024-01-01-000001"
ROWS = 12


def data() -> bytes:
    body = "".join(f"u{i:02},assign,{L1}\n" for i in range(ROWS))
    return ("Username,Action,License ID\n" + body).encode()


@pytest.fixture
def staff(db) -> None:  # type: ignore[no-untyped-def]
    org = make_org("Science")
    for i in range(ROWS):
        make_staff(f"u{i:02}", org)
    make_license(L1, seats=100)


def test_a_run_whose_import_was_taken_over_stops_and_writes_nothing_more(staff, settings) -> None:
    settings.PLM_IMPORT_BATCH_ROWS = 4
    taken: list[int] = []
    old = import_run(
        actor=system_actor(),
        opener=bytes_opener(data()),
        file_name="f.csv",
        progress=_taken_over(taken),
    )
    assert taken == [4]
    # The old run stopped before its second batch: only its first batch was applied, and the
    # record belongs to the new attempt (running, 4 rows committed), not to the old run.
    assert Assignment.objects.count() == 4
    assert (old.attempt, old.status, old.processed) == (2, "running", 4)
    assert ImportRow.objects.filter(job=old).count() == 4

    # The new attempt (the resumer, which prepared it above) continues after the committed
    # rows: each row applied exactly once.
    done = execute(Import.objects.get(pk=old.pk), bytes_opener(data()), resume=True)
    assert (done.status, done.rows, done.processed, done.applied) == ("completed", 12, 12, 12)
    assert Assignment.objects.count() == 12
    assert list(ImportRow.objects.filter(job=done).values_list("row", flat=True)) == list(
        range(2, 14)
    )
    events = list(AuditEvent.objects.filter(import_id=done.pk).values_list("username", flat=True))
    assert len(events) == len(set(events)) == 12


def test_a_run_that_lost_its_lease_mid_batch_rolls_that_batch_back(staff, settings) -> None:
    settings.PLM_IMPORT_BATCH_ROWS = 5
    job_ids: list[int] = []

    def stolen(done: int, total: int) -> None:
        if not job_ids:  # a claim by someone else: the attempt moves on
            job_ids.append(Import.objects.get().pk)
            Import.objects.filter(pk=job_ids[0]).update(attempt=99)

    import_run(
        actor=system_actor(), opener=bytes_opener(data()), file_name="f.csv", progress=stolen
    )
    job = Import.objects.get(pk=job_ids[0])
    assert job.attempt == 99 and job.processed == 5  # the 2nd batch never counted...
    assert Assignment.objects.count() == 5  # ...nor applied


@pytest.mark.django_db(transaction=True)
def test_a_run_heartbeats_from_its_start_before_reading_the_file(settings) -> None:
    """A first pass longer than the stale limit must not look like a dead run: the opener
    (the file) waits until the heartbeat has moved, and fails the import if it never does."""
    settings.PLM_HEARTBEAT_SECONDS = 0.05
    org = make_org("Science")
    make_staff("u00", org)
    make_license(L1)
    seen: list[bool] = []

    def slow_first_pass() -> io.BytesIO:
        if not seen:
            job = Import.objects.get()
            started = job.heartbeat_at
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.heartbeat_at > started:
                    break
                time.sleep(0.02)
            seen.append(job.heartbeat_at > started)
        return io.BytesIO(b"Username,Action,License ID\nu00,assign," + L1.encode() + b"\n")

    done = import_run(actor=system_actor(), opener=slow_first_pass, file_name="f.csv")
    assert seen == [True] and done.status == "completed"
    connection.close()


def test_two_claims_of_one_queued_import_give_it_to_one_worker(staff) -> None:
    job = submit(kind="licenses", data=data(), file_name="f.csv", as_user=None, source="api")
    results = [claim(job.pk), claim(job.pk)]
    assert [r is not None for r in results] == [True, False]
    assert Import.objects.get(pk=job.pk).attempt == 1


def _taken_over(taken: list[int]):  # type: ignore[no-untyped-def]
    """A progress callback that, after the first batch, does what other processes would: the
    janitor marks the import interrupted (its heartbeat looked stale) and someone resumes it
    (a new attempt, which fences this run out). The rows done then go into `taken`."""

    def take_over(done: int, total: int) -> None:
        if taken:
            return
        job = Import.objects.get()
        Import.objects.filter(pk=job.pk).update(status="interrupted")
        with transaction.atomic():
            prepare_resume(Import.objects.select_for_update().get(pk=job.pk))
        taken.append(done)

    return take_over


def test_a_resume_that_cannot_start_keeps_what_earlier_attempts_committed(staff, settings) -> None:
    """The resume's actor lost their role: the import fails, and its first attempt's applied
    rows stay reported (the record matches what was applied)."""
    settings.PLM_IMPORT_BATCH_ROWS = 4
    science = Organization.objects.get()
    boss = make_user("boss", roles=[(science, "License Manager"), (science, "Administrator")])
    taken: list[int] = []
    job = import_run(
        actor=actor_for_user(boss, "cli"),
        opener=bytes_opener(data()),
        file_name="f.csv",
        progress=_taken_over(taken),
    )
    Import.objects.filter(pk=job.pk).update(status="interrupted")  # the new attempt died too
    RoleGrant.objects.filter(user=boss).delete()

    done = resume_now(Import.objects.get(pk=job.pk), file_opener=bytes_opener(data()))
    assert (done.status, done.error_code) == ("failed", "permission_denied")
    assert (done.processed, done.applied) == (4, 4) == (taken[0], Assignment.objects.count())
    assert ImportRow.objects.filter(job=done).count() == 4


def test_a_run_fenced_out_before_it_read_its_file_writes_nothing_when_the_file_is_bad(
    staff, settings
) -> None:
    """A process that claimed attempt 1 and stalled before its first pass: a newer attempt
    took the import over and committed rows. The stale run's failure (a refused file) must
    not delete those results nor close the record."""
    settings.PLM_IMPORT_BATCH_ROWS = 4
    taken: list[int] = []
    job = import_run(
        actor=system_actor(),
        opener=bytes_opener(data()),
        file_name="f.csv",
        progress=_taken_over(taken),
    )
    stale = Import.objects.get(pk=job.pk)
    assert stale.attempt == 2
    stale.attempt = 1  # the old run's view of the record

    returned = execute(stale, bytes_opener(b"Name,Colour\nx,y\n"))
    now_ = Import.objects.get(pk=job.pk)
    assert (now_.status, now_.attempt, now_.processed, now_.error_code) == ("running", 2, 4, "")
    assert ImportRow.objects.filter(job=now_).count() == 4
    assert returned.attempt == 2  # it reports the record as the newer attempt left it


@pytest.mark.django_db(transaction=True)
def test_a_slow_first_pass_is_not_marked_interrupted_and_a_real_takeover_fences_it(
    settings,
) -> None:
    """The issue's scenario: a first pass longer than the stale limit while the janitor runs
    keeps its import; once the run really stalls (its heartbeat stale), the janitor marks it
    interrupted, a resume takes it over, and each row is applied exactly once."""
    settings.PLM_HEARTBEAT_SECONDS = 0.05
    settings.PLM_HEARTBEAT_STALE_SECONDS = 0.5
    settings.PLM_IMPORT_BATCH_ROWS = 4
    org = make_org("Science")
    for i in range(ROWS):
        make_staff(f"u{i:02}", org)
    make_license(L1, seats=100)
    janitor: list[list[int]] = []

    def slow_first_pass() -> io.BytesIO:
        if not janitor:
            time.sleep(1.0)  # twice the stale limit
            janitor.append(mark_interrupted())
        return io.BytesIO(data())

    def stalls(done: int, total: int) -> None:
        if len(janitor) != 1:
            return
        job = Import.objects.get()
        # The run stalls here (its heartbeat is as old as if it had stopped long ago).
        Import.objects.filter(pk=job.pk).update(heartbeat_at=job.created_at - timedelta(hours=1))
        janitor.append(mark_interrupted())
        with transaction.atomic():
            prepare_resume(Import.objects.select_for_update().get(pk=job.pk))

    old = import_run(
        actor=system_actor(), opener=slow_first_pass, file_name="f.csv", progress=stalls
    )
    assert janitor[0] == [] and janitor[1] == [old.pk]
    assert (old.attempt, old.status, old.processed) == (2, "running", 4)
    done = execute(Import.objects.get(pk=old.pk), bytes_opener(data()), resume=True)
    assert (done.status, done.processed, done.applied) == ("completed", 12, 12)
    assert Assignment.objects.count() == 12
    assert sorted(ImportRow.objects.filter(job=done).values_list("row", flat=True)) == list(
        range(2, 14)
    )
    connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ends a PostgreSQL backend")
def test_the_heartbeat_goes_on_after_its_database_connection_is_lost(settings) -> None:
    """A heartbeat write that fails (here: its connection killed, as a database restart or a
    proxy would) must not end the heartbeat, or the janitor would think a live run died."""
    settings.PLM_HEARTBEAT_SECONDS = 0.05
    org = make_org("Science")
    make_staff("u00", org)
    make_license(L1)
    seen: list[bool] = []

    def beat_moved(after):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            job = Import.objects.get()
            if job.heartbeat_at > after:
                return job.heartbeat_at
            time.sleep(0.02)
        return None

    def opener() -> io.BytesIO:
        if not seen:
            first = beat_moved(Import.objects.get().heartbeat_at)
            with connection.cursor() as cursor:  # every other backend: the heartbeat's
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            time.sleep(0.3)  # a beat or more fails on the dead connection
            again = beat_moved(Import.objects.get().heartbeat_at)
            seen.append(first is not None and again is not None)
        return io.BytesIO(b"Username,Action,License ID\nu00,assign," + L1.encode() + b"\n")

    done = import_run(actor=system_actor(), opener=opener, file_name="f.csv")
    assert seen == [True] and done.status == "completed"
    connection.close()
