"""A worker killed with SIGKILL in the middle of an import: the import is marked interrupted
with its last committed row, and resuming gives the same final state and per-row results as
one uninterrupted run, with no row applied twice."""

import os
import signal
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plm.audit.models import AuditEvent
from plm.imports.models import Import
from plm.imports.records import job_as_dict
from plm.licensing.models import Assignment, License
from tests.builders import make_license, make_org, make_staff, make_user, plm, write_csv
from tests.processes import PLM, plm_env

SOAK = os.environ.get("PLM_SOAK") == "1"  # make soak: the full-size run
ROWS = 100_000 if SOAK else 3000
USERS = 5_000 if SOAK else 700
L1, L2 = "ID 2024-01-01-000001", "ID 2024-01-01-000002"


def body() -> str:
    lines = ["Username,Action,License ID"]
    for i in range(ROWS):
        user = f"u{i % USERS:04}"
        action = ("assign", "revoke", "autoassign", "assign")[i % 4]
        lines.append(f"{user},{action},{L1 if i % 3 else L2}")
    return "\n".join(lines) + "\n"


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_an_interrupted_import_that_resumes_exactly(tmp_path) -> None:
    org = make_org("Science")
    for i in range(USERS):
        make_staff(f"u{i:04}", org)
    make_license(L1, seats=300)
    make_license(L2, seats=200)
    admin = make_user("root", sysadmin=True)
    content = body()
    expected = plm(
        "import", str(write_csv(tmp_path / "f.csv", content)), "--dry-run", "--json"
    ).json

    client = Client()
    client.force_login(admin)
    client.post("/licensing/import/", {"file": SimpleUploadedFile("f.csv", content.encode())})
    job = Import.objects.get(dry_run=False)
    env = plm_env(PLM_IMPORT_BATCH_ROWS="100" if SOAK else "2")
    worker = subprocess.Popen(
        [PLM, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.processed >= ROWS // 10:
            break
        time.sleep(0.01)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    job.refresh_from_db()
    assert job.status == "running" and 0 < job.processed < ROWS, "the kill missed the import"
    committed = job.processed

    # The next worker to start marks it interrupted (no grace period, for the test).
    subprocess.run(
        [PLM, "worker", "--once"],
        env=plm_env(PLM_HEARTBEAT_STALE_SECONDS="0"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    job.refresh_from_db()
    assert job.status == "interrupted" and job.processed == committed
    assert len(job_as_dict(job)["results"]) == committed  # results up to the last committed row

    assert plm("imports", "resume", str(job.pk)).code in (0, 3)
    job.refresh_from_db()
    assert job.status == "completed" and job.rows == job.processed == ROWS
    resumed = job_as_dict(job)
    assert resumed["results"] == expected["results"]
    assert (resumed["applied"], resumed["unchanged"], resumed["rejected"]) == (
        expected["applied"],
        expected["unchanged"],
        expected["rejected"],
    )

    # No row applied twice: one audit event per change, and the events net to the final state.
    events = list(
        AuditEvent.objects.filter(import_id=job.pk).values_list(
            "row", "action", "username", "license_id"
        )
    )
    assert len(events) == len(set(events))
    for lic in License.objects.all():
        assert lic.assigned == Assignment.objects.filter(license=lic).count() <= lic.seats


def test_only_an_interrupted_import_resumes(campus, tmp_path) -> None:
    from plm.imports.records import job_get

    run = plm(
        "import", str(write_csv(tmp_path / "f.csv", "Username,Action\nann,revokeall\n")), "--json"
    )
    again = plm("imports", "resume", str(run.json["import_id"]), "--json")
    assert again.code == 2 and again.json["error"]["code"] == "not_resumable"
    job = job_get(run.json["import_id"])
    job.status = "interrupted"
    job.save()
    other = write_csv(tmp_path / "g.csv", "Username,Action\nbob,revokeall\n")
    mismatch = plm("imports", "resume", str(job.pk), "--file", str(other), "--json")
    assert mismatch.code == 2 and mismatch.json["error"]["code"] == "file_mismatch"
    assert plm("imports", "resume", str(job.pk), "--json").json["error"]["code"] == "not_resumable"
    done = plm("imports", "resume", str(job.pk), "--file", str(tmp_path / "f.csv"), "--json")
    assert done.code == 0 and done.json["status"] == "completed"
