"""One file, three faces (CLI, web upload, POST /imports), each on the same fresh state:
identical per-row results and identical final assignments."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.imports.models import Import
from plm.imports.records import job_as_dict
from plm.licensing.models import Assignment
from tests.builders import make_user, plm, run_queued_tasks, write_csv
from tests.integration.conftest import EXPIRED, L1, L2

FILE = (
    "Username,Action,License ID\r\n"
    f"instructor1@example.com,assign,{L1}\r\nbob,assign,{L1}\r\ncat,assign,{L1}\r\n"
    f"bob,revoke,{L1}\r\ncat,assign,{L1}\r\ncat,autoassign,\r\nstud,autoassign,\r\n"
    f"gone,assign,{L2}\r\nnobody,revokeall,\r\nann,assign,{EXPIRED}\r\nann,frob,\r\n"
    ",assign,\r\nbob,assign,2013-07-05-012345\r\nann,revokeall,\r\n"
)


def outcome() -> tuple[list[dict[str, object]], set[tuple[str, str]]]:
    job = Import.objects.filter(dry_run=False).latest("pk")
    holdings = set(Assignment.objects.values_list("user__username", "license__license_id"))
    return job_as_dict(job)["results"], holdings  # type: ignore[return-value]


def fresh(run) -> tuple[list[dict[str, object]], set[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """Run one face on the fixture's state, capture, then roll the state back."""
    with transaction.atomic():
        run()
        captured = outcome()
        transaction.set_rollback(True)
    return captured


def test_cli_web_and_api_give_the_same_results(campus, tmp_path) -> None:
    root = make_user("root", "root@example.com", sysadmin=True)

    def cli() -> None:
        plm("import", str(write_csv(tmp_path / "f.csv", FILE)), "--as", "root")

    def web() -> None:
        client = Client()
        client.force_login(root)
        client.post("/licensing/import/", {"file": SimpleUploadedFile("f.csv", FILE.encode())})
        run_queued_tasks()

    def api() -> None:
        _, token = token_create(actor=system_actor(), user=root)
        Client().post(
            "/api/v1/imports",
            {"file": SimpleUploadedFile("f.csv", FILE.encode())},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        run_queued_tasks()

    by_cli, by_web, by_api = fresh(cli), fresh(web), fresh(api)
    assert len(by_cli[0]) == 14
    assert by_cli == by_web == by_api
    assert ("ann", L1) not in by_cli[1] and ("cat", L1) in by_cli[1]
