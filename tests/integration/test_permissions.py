"""--as: system administrators, scoped Administrator + License Manager, everyone else denied."""

from plm.imports.models import Import
from plm.licensing.models import Assignment
from tests.builders import make_user, plm, write_csv
from tests.integration.conftest import L2


def run_as(tmp_path, who: str, body: str):
    path = write_csv(tmp_path / "in.csv", "Username,Action,License ID\n" + body)
    return plm("import", str(path), "--as", who, "--json")


def test_a_scoped_manager_acts_only_on_staff_in_and_below_their_organization(
    campus, tmp_path
) -> None:
    run = run_as(tmp_path, "mgr", f"ann,assign,{L2}\ncat,assign,{L2}\nbob,assign,{L2}\n")
    assert [r["code"] for r in run.json["results"]] == ["assigned", "assigned", "out_of_scope"]
    assert run.json["actor"] == "mgr"
    assert set(Assignment.objects.values_list("assigned_by", flat=True)) == {"mgr"}


def test_license_manager_alone_or_in_different_organizations_is_denied(campus, tmp_path) -> None:
    make_user("lm", roles=[(campus.science, "License Manager"), (campus.arts, "Administrator")])
    for who in ("lm", "stud", "ann", "nobody"):
        run = run_as(tmp_path, who, f"ann,assign,{L2}\n")
        assert run.code == 2 and run.json["error"]["code"] == "permission_denied"
    assert Assignment.objects.count() == 0
    # A request refused for its actor records nothing, as on the web and the API.
    assert Import.objects.count() == 0


def test_permission_is_checked_before_the_file_is_read(campus, tmp_path) -> None:
    run = plm("import", str(tmp_path / "does-not-exist.csv"), "--as", "stud", "--json")
    assert run.json["error"]["code"] == "permission_denied"


def test_a_system_administrator_acts_everywhere(campus, tmp_path) -> None:
    make_user("root", sysadmin=True)
    run = run_as(tmp_path, "root", f"bob,assign,{L2}\n")
    assert run.json["results"][0]["code"] == "assigned"


def test_a_role_at_the_top_organization_covers_all(campus, tmp_path) -> None:
    make_user("chief", roles=[(campus.top, "Administrator"), (campus.top, "License Manager")])
    run = run_as(tmp_path, "chief", f"bob,assign,{L2}\nann,assign,{L2}\n")
    assert [r["code"] for r in run.json["results"]] == ["assigned", "assigned"]
