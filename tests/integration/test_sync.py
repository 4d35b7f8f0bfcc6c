"""Sync mode: the file's assign rows are the complete list of holders of their licenses."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from tests.builders import holders, make_user, plm, run_queued_tasks, write_csv
from tests.integration.conftest import L2

FILE = f"Username,Action,License ID\nann,assign,{L2}\nnobody,assign,{L2}\ncat,revoke,{L2}\n"


def setup_holders() -> None:
    for who in ("ann", "bob", "cat"):
        plm("assign", who, L2)


def sync(tmp_path, *args: str):  # type: ignore[no-untyped-def]
    return plm("import", str(write_csv(tmp_path / "s.csv", FILE)), "--sync", "--json", *args)


def test_sync_revokes_everyone_not_named_first(campus, tmp_path) -> None:
    setup_holders()
    dry = sync(tmp_path, "--max-revoke-percent", "100", "--dry-run")
    assert holders(L2) == {"ann", "bob", "cat"}
    run = sync(tmp_path, "--max-revoke-percent", "100")
    assert run.code == 3 and run.json["status"] == "completed"
    assert [(r["row"], r["username"], r["action"], r["code"]) for r in run.json["results"]] == [
        (None, "bob", "revoke", "revoked_by_sync"),
        (None, "cat", "revoke", "revoked_by_sync"),
        (2, "ann", "assign", "already_assigned"),
        (3, "nobody", "assign", "user_not_found"),
        (4, "cat", "revoke", "not_allowed_in_sync"),
    ]
    assert dry.json["results"] == run.json["results"]
    assert holders(L2) == {"ann"}


def test_sync_over_the_threshold_applies_nothing(campus, tmp_path) -> None:
    setup_holders()
    run = sync(tmp_path)
    assert run.code == 3 and run.json["status"] == "refused"
    assert run.json["error"]["code"] == "change_threshold_exceeded"
    assert "2 of the 3" in run.json["error"]["message"]
    assert run.json["results"][0]["code"] == "revoked_by_sync"  # what would have happened
    assert holders(L2) == {"ann", "bob", "cat"}


def test_max_revoke_percent_needs_sync(campus, tmp_path) -> None:
    run = plm("import", str(write_csv(tmp_path / "s.csv", FILE)), "--max-revoke-percent", "5")
    assert run.code == 2


def test_holders_outside_a_scoped_actors_scope_stay_unnamed_and_uncounted(campus, tmp_path) -> None:
    setup_holders()
    run = sync(tmp_path, "--max-revoke-percent", "100", "--as", "mgr")
    first = [(r["username"], r["code"]) for r in run.json["results"] if r["row"] is None]
    assert first == [("cat", "revoked_by_sync")]  # bob (Arts) is not the manager's to see
    assert "bob" not in run.stdout
    assert holders(L2) == {"ann", "bob"}
    # The threshold counts the holders in scope only: 1 of ann and cat is 50%.
    setup_holders()
    refused = sync(tmp_path, "--max-revoke-percent", "40", "--as", "mgr")
    assert refused.json["error"]["code"] == "change_threshold_exceeded"
    assert "1 of the 2" in refused.json["error"]["message"]


def test_sync_through_the_api_and_the_web(campus, tmp_path) -> None:
    setup_holders()
    root = make_user("root", sysadmin=True)
    _, token = token_create(actor=system_actor(), user=root)
    client = Client()
    client.post(
        "/api/v1/imports",
        {
            "file": SimpleUploadedFile("s.csv", FILE.encode()),
            "sync": "true",
            "max_revoke_percent": "100",
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    run_queued_tasks()
    assert holders(L2) == {"ann"}
    plm("assign", "bob", L2)
    client.force_login(root)
    client.post(
        "/licensing/import/",
        {
            "file": SimpleUploadedFile("s.csv", FILE.encode()),
            "sync": "1",
            "max_revoke_percent": "5",
        },
    )
    run_queued_tasks()
    from plm.imports.models import Import

    assert Import.objects.filter(source="web").get().status == "refused"
    assert holders(L2) == {"ann", "bob"}
