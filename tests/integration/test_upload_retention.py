"""Stored uploads live only as long as something can need them: an interrupted import's resume,
or a preview's "Apply this file for real" (PLM_PREVIEW_RETENTION_HOURS); purge removes the rest
(hardening issue, finding 5)."""

import subprocess
from datetime import timedelta

import pytest
from django.test import Client

from plm.clock import now
from plm.imports.models import Import, ImportFile
from plm.imports.records import previews_expire
from tests.builders import make_user, plm, run_queued_tasks
from tests.integration.conftest import L1
from tests.integration.test_web_import import upload
from tests.processes import PLM, plm_env

GOOD = f"Username,Action,License ID\nann,assign,{L1}\n"


def signed_in(campus) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("root", sysadmin=True))
    return client


def test_a_finished_import_keeps_no_upload_whatever_its_end(campus) -> None:
    client = signed_in(campus)
    upload(client, GOOD)  # completed
    upload(client, b"Username,Action\nann\x00,assign\n")  # failed
    upload(client, f"Username,Action,License ID\nnobody,assign,{L1}\n", all_or_nothing="on")
    run_queued_tasks()
    assert sorted(Import.objects.values_list("status", flat=True)) == [
        "completed",
        "failed",
        "refused",
    ]
    assert ImportFile.objects.count() == 0


def test_a_preview_keeps_its_upload_to_be_applied_until_it_expires(campus) -> None:
    client = signed_in(campus)
    upload(client, GOOD, dry_run="on")
    run_queued_tasks()
    preview = Import.objects.get()
    assert ImportFile.objects.filter(job=preview).count() == 1
    assert previews_expire(older_than_hours=72) == 0
    Import.objects.filter(pk=preview.pk).update(finished_at=now() - timedelta(hours=73))
    assert previews_expire(older_than_hours=72) == 1
    page = client.post(f"/imports/{preview.pk}/apply/", follow=True).content.decode()
    assert "not_a_preview" in page
    assert Import.objects.count() == 1


def test_purge_removes_old_results_and_uploads_but_not_live_imports(campus, tmp_path) -> None:
    client = signed_in(campus)
    upload(client, GOOD, dry_run="on")
    run_queued_tasks()
    upload(client, GOOD)  # still queued: its upload must stay
    Import.objects.update(created_at=now() - timedelta(days=400))
    assert plm("imports", "purge", "--older-than", "365").code == 0
    queued = Import.objects.get(status="queued")
    assert list(ImportFile.objects.values_list("job_id", flat=True)) == [queued.pk]
    assert Import.objects.get(dry_run=True).results.count() == 0


def test_files_plm_writes_with_peoples_data_are_private(campus, tmp_path, on_postgres) -> None:
    plm("assign", "ann", L1)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"Username,Action,License ID\nnobody,assign,{L1}\n")
    outputs = {
        "licenses.csv": ["export", "-o"],
        "licenses.xlsx": ["export", "-o"],
        "person.csv": ["users", "export", "-o"],
        "errors.csv": ["import", str(bad), "--errors-out"],
    }
    if not on_postgres:  # there a backup opens its own snapshot transaction: not in a test's
        outputs["backup.jsonl.gz"] = ["backup"]
    for name, args in outputs.items():
        plm(*args, str(tmp_path / name))
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name


def test_cancelling_a_queued_import_deletes_its_upload(campus) -> None:
    client = signed_in(campus)
    upload(client, GOOD)
    upload(client, GOOD)
    cancelled, kept = Import.objects.order_by("pk")
    assert ImportFile.objects.count() == 2
    assert plm("imports", "cancel", str(cancelled.pk)).code == 0
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled"
    # Nothing will read it again (a cancelled import neither runs, resumes nor is applied).
    assert list(ImportFile.objects.values_list("job_id", flat=True)) == [kept.pk]


@pytest.mark.django_db(transaction=True)
def test_worker_once_expires_old_previews_and_marks_interrupted_imports() -> None:
    """`plm worker --once` (from cron) does the janitor's pass the long-running worker does: a
    real `plm worker --once` process on the test database."""

    def job(status: str, *, dry_run: bool, age: timedelta) -> Import:
        at = now() - age
        created = Import.objects.create(
            kind="licenses",
            source="web",
            actor="root",
            status=status,
            dry_run=dry_run,
            created_at=at,
            finished_at=None if status == "running" else at,
            heartbeat_at=at if status == "running" else None,
        )
        ImportFile.objects.create(job=created, data=GOOD.encode(), size=len(GOOD))
        return created

    old = job("completed", dry_run=True, age=timedelta(hours=73))
    recent = job("completed", dry_run=True, age=timedelta(hours=1))
    stalled = job("running", dry_run=False, age=timedelta(minutes=10))
    subprocess.run(
        [PLM, "worker", "--once"],
        env=plm_env(PLM_PREVIEW_RETENTION_HOURS="72", PLM_HEARTBEAT_STALE_SECONDS="60"),
        check=True,
        capture_output=True,
    )
    assert not ImportFile.objects.filter(job=old).exists()
    assert ImportFile.objects.filter(job=recent).exists()  # still within its retention
    stalled.refresh_from_db()
    assert stalled.status == "interrupted"
    assert ImportFile.objects.filter(job=stalled).exists()  # kept: it can resume
