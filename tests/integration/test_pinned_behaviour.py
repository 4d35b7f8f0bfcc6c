"""Behaviour a deliberate bug once survived: each test fails if its rule is broken."""

from plm.imports.models import Import
from tests.builders import holders, plm, write_csv
from tests.integration.conftest import L1, L2

HEADER = "Username,Action,License ID\n"


def run(tmp_path, body: str, *args: str):  # type: ignore[no-untyped-def]
    return plm("import", str(write_csv(tmp_path / "f.csv", HEADER + body)), "--json", *args)


def test_a_dry_run_all_or_nothing_with_a_rejected_row_reports_refused_and_exits_3(
    campus, tmp_path
) -> None:
    ran = run(tmp_path, f"ann,assign,{L1}\nnobody,assign,{L1}\n", "--all-or-nothing", "--dry-run")
    assert ran.code == 3 and ran.json["status"] == "refused"
    assert [r["code"] for r in ran.json["results"]] == ["assigned", "user_not_found"]
    assert holders(L1) == set()


def test_a_dry_run_all_or_nothing_without_a_rejected_row_completes_and_exits_0(
    campus, tmp_path
) -> None:
    ran = run(tmp_path, f"ann,assign,{L1}\n", "--all-or-nothing", "--dry-run")
    assert ran.code == 0 and ran.json["status"] == "completed"
    assert holders(L1) == set()


def test_a_refused_all_or_nothing_import_exits_3_and_applies_nothing(campus, tmp_path) -> None:
    ran = run(tmp_path, f"ann,assign,{L1}\nnobody,assign,{L1}\n", "--all-or-nothing")
    assert ran.code == 3 and ran.json["status"] == "refused"
    assert ran.json["applied"] == 1  # what would have happened, reported
    assert holders(L1) == set()
    assert Import.objects.get(pk=ran.json["import_id"]).status == "refused"


def test_sync_rejects_autoassign_revokeall_and_revoke_rows(campus, tmp_path) -> None:
    body = f"ann,assign,{L2}\ncat,autoassign,\nbob,revokeall,\ncat,revoke,{L2}\n"
    ran = run(tmp_path, body, "--sync", "--max-revoke-percent", "100")
    assert [r["code"] for r in ran.json["results"]] == [
        "assigned",
        "not_allowed_in_sync",
        "not_allowed_in_sync",
        "not_allowed_in_sync",
    ]
    assert holders(L2) == {"ann"}


def test_a_utf16_file_containing_a_nul_character_is_unreadable(campus, tmp_path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes((HEADER + f"ann\x00,assign,{L1}\n").encode("utf-16"))
    ran = plm("import", str(path), "--json")
    assert ran.code == 2 and ran.json["error"]["code"] == "unreadable_file"
    assert holders(L1) == set()


def test_a_sync_refused_by_its_threshold_says_refused_not_failed(campus, tmp_path) -> None:
    for who in ("ann", "bob", "cat"):
        plm("assign", who, L2)
    path = write_csv(tmp_path / "s.csv", HEADER + f"ann,assign,{L2}\n")
    ran = plm("import", str(path), "--sync")
    assert ran.code == 3
    assert "refused" in ran.stdout and "change_threshold_exceeded" in ran.stdout
    assert "failed" not in ran.stdout + ran.stderr and "All or nothing" not in ran.stdout


def test_a_long_bad_action_rejects_its_row_on_every_database(campus, tmp_path) -> None:
    ran = run(tmp_path, f"ann,{'x' * 60},{L1}\nann,assign,{L1}\n")
    assert [r["code"] for r in ran.json["results"]] == ["invalid_action", "assigned"]
    assert ran.json["status"] == "completed"
