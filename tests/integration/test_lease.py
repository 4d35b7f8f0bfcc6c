"""The job lease: two executions of one import can never write at once, and a run heartbeats
from its start, before the file's first pass (hardening issue, finding 1)."""

import io
import time

import pytest
from django.db import connection, transaction

from plm.app.imports import bytes_opener, import_run
from plm.audit.models import AuditEvent
from plm.directory.actors import system_actor
from plm.imports.models import Import, ImportRow
from plm.jobs.queue import claim, execute, submit
from plm.jobs.recovery import prepare_resume
from plm.licensing.models import Assignment
from tests.builders import make_license, make_org, make_staff

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
    taken = []

    def take_over(done: int, total: int) -> None:
        """After the first batch, as another process would: the janitor marks the import
        interrupted (its heartbeat looked stale) and someone resumes it (a new attempt)."""
        if taken:
            return
        job = Import.objects.get()
        Import.objects.filter(pk=job.pk).update(status="interrupted")
        with transaction.atomic():
            prepare_resume(Import.objects.select_for_update().get(pk=job.pk))
        taken.append(done)

    old = import_run(
        actor=system_actor(), opener=bytes_opener(data()), file_name="f.csv", progress=take_over
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
