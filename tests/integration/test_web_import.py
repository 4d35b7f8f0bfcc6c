"""The web import flow: upload returns at once, a worker runs it, the page reports."""

import pytest
from django.test import Client

from plm.imports.models import Import, ImportFile
from plm.licensing.models import Assignment
from tests.builders import holders, make_user, plm, run_queued_tasks, write_csv
from tests.integration.conftest import L1, L2

GOOD_AND_BAD = (
    f"Username,Action,License ID\r\nann,assign,{L1}\r\nnobody,assign,{L1}\r\nbob,assign,{L2}\r\n"
)


@pytest.fixture
def admin_client(campus) -> Client:
    client = Client()
    client.force_login(make_user("root", "root@example.com", sysadmin=True))
    return client


def upload(client: Client, content: str | bytes, name: str = "licenses.csv", **fields: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/licensing/import/", {"file": SimpleUploadedFile(name, data, "text/csv"), **fields}
    )


def test_upload_queues_a_job_that_a_worker_runs(admin_client: Client) -> None:
    response = upload(admin_client, GOOD_AND_BAD)
    job = Import.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert (job.status, job.source, job.actor) == ("queued", "web", "root")
    page = admin_client.get(f"/imports/{job.pk}/").content.decode()
    assert "queued" in page and 'hx-trigger="every 1s"' in page
    assert run_queued_tasks() == 1
    job.refresh_from_db()
    assert (job.status, job.rows, job.applied, job.rejected) == ("completed", 3, 2, 1)
    fragment = admin_client.get(f"/imports/{job.pk}/progress/")
    page = fragment.content.decode()
    assert "hx-trigger" not in page  # polling stops once done
    assert fragment["HX-Refresh"] == "true"  # the page reloads as the report
    assert "user_not_found" in page and "nobody" in page  # the new rejected row, out of band
    report = admin_client.get(f"/imports/{job.pk}/").content.decode()
    assert "Rows not processed" in report and "user_not_found" in report
    assert holders(L1) == {"ann"}


def test_the_error_report_matches_the_cli_errors_out(admin_client: Client, tmp_path) -> None:
    upload(admin_client, GOOD_AND_BAD)
    run_queued_tasks()
    job = Import.objects.get()
    web = b"".join(admin_client.get(f"/imports/{job.pk}/errors.csv").streaming_content)
    cli_out = tmp_path / "errors.csv"
    plm("import", str(write_csv(tmp_path / "f.csv", GOOD_AND_BAD)), "--errors-out", str(cli_out))
    assert web == cli_out.read_bytes()


def test_preview_changes_nothing_then_apply_for_real(admin_client: Client) -> None:
    upload(admin_client, GOOD_AND_BAD, dry_run="1")
    run_queued_tasks()
    preview = Import.objects.get()
    assert preview.dry_run and preview.status == "completed" and Assignment.objects.count() == 0
    response = admin_client.post(f"/imports/{preview.pk}/apply/")
    real = Import.objects.exclude(pk=preview.pk).get()
    assert response["Location"] == f"/imports/{real.pk}/"
    run_queued_tasks()
    real.refresh_from_db()
    assert not real.dry_run and real.applied == 2 and Assignment.objects.count() == 2


def test_applying_a_sync_preview_runs_the_same_sync(admin_client: Client) -> None:
    for who in ("bob", "cat"):
        plm("assign", who, L2)
    sync_file = f"Username,Action,License ID\r\nann,assign,{L2}\r\n"
    upload(admin_client, sync_file, dry_run="1", sync="1", max_revoke_percent="100")
    run_queued_tasks()
    preview = Import.objects.get(dry_run=True)
    assert preview.status == "completed" and holders(L2) == {"bob", "cat"}
    admin_client.post(f"/imports/{preview.pk}/apply/")
    run_queued_tasks()
    real = Import.objects.exclude(pk=preview.pk).filter(file_name=preview.file_name).get()
    assert (real.dry_run, real.sync_max_revoke_percent) == (False, 100)
    assert holders(L2) == {"ann"}


def test_all_or_nothing_on_the_web(admin_client: Client) -> None:
    upload(admin_client, GOOD_AND_BAD, all_or_nothing="1")
    run_queued_tasks()
    assert Import.objects.get().status == "refused" and Assignment.objects.count() == 0


def test_cancel_a_queued_import(admin_client: Client) -> None:
    upload(admin_client, GOOD_AND_BAD)
    job = Import.objects.get()
    asked = admin_client.post(f"/imports/{job.pk}/cancel/")  # the confirmation step
    assert asked.status_code == 200 and "Cancel import" in asked.content.decode()
    assert Import.objects.get().cancel_requested is False
    admin_client.post(f"/imports/{job.pk}/cancel/", {"confirmed": "1"})
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == "cancelled" and Assignment.objects.count() == 0


def test_cancel_a_running_import_keeps_the_rows_applied_so_far(
    admin_client: Client, settings
) -> None:
    from plm.directory.actors import system_actor
    from plm.imports.records import job_cancel
    from plm.jobs.queue import run_queued_import

    settings.PLM_IMPORT_BATCH_ROWS = 1
    upload(admin_client, GOOD_AND_BAD)
    job = Import.objects.get()
    job.status = "running"
    job.save()
    # As if asked while it ran: the import stops after its first batch.
    job_cancel(job, actor=system_actor())
    job.status = "queued"
    job.save(update_fields=["status"])
    run_queued_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed, job.applied) == ("cancelled", 1, 1)
    assert holders(L1) == {"ann"}


@pytest.mark.parametrize(
    ("content", "name", "status", "text"),
    [
        (b"", "empty.csv", 422, "empty_file"),
    ],
)
def test_bad_uploads_get_a_message_and_change_nothing(
    admin_client, content, name, status, text
) -> None:
    response = upload(admin_client, content, name)
    assert response.status_code == status and text in response.content.decode()
    assert Import.objects.count() == 0 and ImportFile.objects.count() == 0


def test_too_big_an_upload_is_refused_before_reading(admin_client, settings) -> None:
    settings.PLM_MAX_IMPORT_BYTES = 10
    response = upload(admin_client, "x" * 200_000)
    assert response.status_code == 413 and "file_too_large" in response.content.decode()
    assert Import.objects.count() == 0


def test_an_unreadable_file_fails_with_its_code_on_the_page(admin_client) -> None:
    upload(admin_client, b"Username,Action\nann\x00,assign\n")
    run_queued_tasks()
    job = Import.objects.get()
    assert job.status == "failed" and job.error_code == "unreadable_file"
    assert "unreadable_file" in admin_client.get(f"/imports/{job.pk}/").content.decode()


def test_web_and_cli_give_the_same_results_for_the_same_file(admin_client, tmp_path) -> None:
    from plm.imports.records import job_as_dict

    body = GOOD_AND_BAD + "cat,autoassign,\r\nann,revokeall,\r\nstud,assign,x\r\n"
    upload(admin_client, body, dry_run="1")
    run_queued_tasks()
    web = job_as_dict(Import.objects.get())["results"]
    cli = plm("import", str(write_csv(tmp_path / "f.csv", body)), "--dry-run", "--json").json[
        "results"
    ]
    assert web == cli


def test_a_scoped_manager_imports_within_scope(campus) -> None:
    client = Client()
    client.force_login(campus.manager)
    upload(client, f"Username,Action,License ID\nann,assign,{L2}\nbob,assign,{L2}\n")
    run_queued_tasks()
    job = Import.objects.get()
    assert (job.actor, job.applied, job.rejected) == ("mgr", 1, 1)
