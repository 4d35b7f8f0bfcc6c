"""Reverting an import (plm imports revert, the import page button, the API)."""

from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings

from plm.app.imports import bytes_opener, import_revert, import_run
from plm.audit.models import AuditEvent
from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.licensing.models import Assignment
from tests.builders import holders, make_user, plm, write_csv
from tests.integration.conftest import L1, L2
from tests.integration.test_import_properties import rows, to_csv, world


def holdings() -> set[tuple[int, int]]:
    return set(Assignment.objects.values_list("user_id", "license_id"))


def run_file(tmp_path, body: str):  # type: ignore[no-untyped-def]
    return plm(
        "import",
        str(write_csv(tmp_path / "f.csv", "Username,Action,License ID\n" + body)),
        "--json",
    ).json


def test_revert_undoes_each_change_in_reverse_row_order(campus, tmp_path) -> None:
    plm("assign", "cat", L2)
    plm("assign", "cat", L1)
    before = holdings()
    job = run_file(tmp_path, f"ann,assign,{L2}\ncat,revokeall,\nbob,assign,{L2}\n")
    result = plm("imports", "revert", str(job["import_id"]), "--json")
    assert result.code == 0 and result.json["source"] == "revert"
    assert [
        (r["row"], r["username"], r["action"], r["license_id"], r["code"])
        for r in result.json["results"]
    ] == [
        (4, "bob", "revoke", L2, "revoked"),
        (3, "cat", "assign", L2, "assigned"),
        (3, "cat", "assign", L1, "assigned"),
        (2, "ann", "revoke", L2, "revoked"),
    ]
    assert holdings() == before
    again = plm("imports", "revert", str(result.json["import_id"]), "--json")  # revertible too
    assert again.code == 0 and holders(L2) == {"ann", "bob"}


def test_later_activity_is_left_alone(campus, tmp_path) -> None:
    job = run_file(tmp_path, f"ann,assign,{L2}\nbob,assign,{L2}\n")
    plm("revoke", "ann", L2)
    result = plm("imports", "revert", str(job["import_id"]), "--json").json
    assert [(r["username"], r["code"]) for r in result["results"]] == [
        ("bob", "revoked"),
        ("ann", "changed_since"),
    ]
    assert result["rejected"] == 1


def test_a_reassign_the_rules_now_refuse_is_rejected_with_its_code(campus, tmp_path) -> None:
    plm("assign", "ann", L1)
    job = run_file(tmp_path, f"ann,revoke,{L1}\n")
    run_file(tmp_path, f"bob,assign,{L1}\ncat,assign,{L1}\n")  # the two seats are taken again
    result = plm("imports", "revert", str(job["import_id"]), "--json").json
    assert [r["code"] for r in result["results"]] == ["no_seat_available"]


def test_fatal_and_empty_reverts(campus, tmp_path) -> None:
    assert plm("imports", "revert", "999", "--json").json["error"]["code"] == "import_not_found"
    users = plm(
        "users", "import", str(write_csv(tmp_path / "p.csv", "User-Name\nzed\n")), "--json"
    ).json
    refused = plm("imports", "revert", str(users["import_id"]), "--json")
    assert refused.code == 2 and refused.json["error"]["code"] == "not_revertible"
    dry = plm(
        "import",
        str(write_csv(tmp_path / "f.csv", f"Username,Action,License ID\nann,assign,{L2}\n")),
        "--dry-run",
        "--json",
    ).json
    empty = plm("imports", "revert", str(dry["import_id"]), "--json").json
    assert (empty["status"], empty["rows"], empty["results"]) == ("completed", 0, [])


def test_revert_on_the_web_and_through_the_api(campus, tmp_path) -> None:
    root = make_user("root", sysadmin=True)
    job = run_file(tmp_path, f"ann,assign,{L2}\n")
    client = Client()
    client.force_login(root)
    assert "Revert this import" in client.get(f"/imports/{job['import_id']}/").content.decode()
    asked = client.post(f"/imports/{job['import_id']}/revert/")  # the confirmation step
    assert asked.status_code == 200 and holders(L2) == {"ann"}
    assert "undo its 1 applied change?" in asked.content.decode()
    revert = client.post(f"/imports/{job['import_id']}/revert/", {"confirmed": "1"})
    assert revert.status_code == 302
    assert holders(L2) == set()
    job = run_file(tmp_path, f"bob,assign,{L2}\n")
    _, token = token_create(actor=system_actor(), user=root)
    api = client.post(
        f"/api/v1/imports/{job['import_id']}/revert",
        {"dry_run": False},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert api.status_code == 200 and api.json()["applied"] == 1 and holders(L2) == set()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=rows, body=rows)
def test_import_then_revert_restores_the_holdings_exactly(db, prefix, body) -> None:
    with transaction.atomic():
        world()
        system = system_actor()
        import_run(actor=system, opener=bytes_opener(to_csv(prefix)), file_name="a")
        before = holdings()
        job = import_run(actor=system, opener=bytes_opener(to_csv(body)), file_name="b")
        dry = import_revert(actor=system, import_id=job.pk, dry_run=True)
        revert = import_revert(actor=system, import_id=job.pk)
        assert holdings() == before
        changes = AuditEvent.objects.filter(import_id=job.pk).count()
        assert (revert.rows, revert.applied, revert.rejected) == (changes, changes, 0)
        assert (dry.rows, dry.applied, dry.rejected) == (
            revert.rows,
            revert.applied,
            revert.rejected,
        )
        transaction.set_rollback(True)
