"""License policies through the CLI: applied on creation and after the changes that can affect
them, a shortfall, revoke-when-ineligible with its threshold, manual revokes respected, two
policies giving one license, previews equal to runs, scope, and revert."""

from datetime import date

from plm.directory.models import RoleGrant
from plm.imports.models import Import
from plm.licensing.models import License
from tests.builders import STAFF, holders, make_license, make_staff, plm, write_csv
from tests.integration.conftest import EXPIRED, L1, L2

L3 = "ID 2013-07-05-012347"


def add(name: str, org: str, *licenses: str, extra: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    args = ["policies", "add", name, "--org", org]
    for lid in licenses:
        args += ["--license", lid]
    return plm(*args, *extra, "--json")


def results(import_id: int) -> list[tuple[str, str, str, str]]:
    run = plm("imports", "show", str(import_id), "--json")
    return [(r["username"], r["action"], r["license_id"], r["code"]) for r in run.json["results"]]


def last_run(name: str) -> dict:  # type: ignore[type-arg]
    return plm("policies", "show", name, "--json").json["last_run"]


def test_a_new_policy_licenses_its_academic_staff_at_once_first_seat_in_pool_order(campus) -> None:
    created = add("Science staff", "Science", L2, L1)
    assert created.code == 0, created.stderr
    assert holders(L2) == {"ann", "cat"}  # L2 first in the pool, though L1 sorts first
    assert holders(L1) == set()
    job = Import.objects.get(pk=created.json["last_run"]["import_id"])
    assert (job.source, job.status, job.applied) == ("policy", "completed", 2)
    assert results(job.pk) == [
        ("ann", "assign", L2, "assigned"),
        ("cat", "assign", L2, "assigned"),
    ]


def test_expired_pool_licenses_are_skipped(campus) -> None:
    add("Arts staff", "Arts", EXPIRED, L2)
    assert holders(L2) == {"bob"} and holders(EXPIRED) == set()


def test_a_shortfall_is_reported_with_the_seats_needed_then_served_when_seats_are_added(
    campus,
) -> None:
    License.objects.filter(license_id=L1).update(seats=1)
    created = add("Everyone", "University", L1)
    assert holders(L1) == {"ann"}
    assert results(created.json["last_run"]["import_id"]) == [
        ("ann", "assign", L1, "assigned"),
        ("bob", "assign", "", "no_license_available"),
        ("cat", "assign", "", "no_license_available"),
    ]
    shown = plm("policies", "show", "Everyone", "--json").json["standing"]
    assert shown == {
        "eligible": 3,
        "licensed": 1,
        "opted_out": 0,
        "waiting": 2,
        "free_seats": 0,
        "seats_needed": 2,
        "revoking": 0,
        "refused": False,
    }
    text = plm("policies", "show", "Everyone").stdout
    assert "Shortfall: 2 more seats needed" in text
    assert plm("licenses", "update", L1, "--seats", "3").code == 0  # reconciled at once
    assert holders(L1) == {"ann", "bob", "cat"}
    assert plm("policies", "show", "Everyone", "--json").json["standing"]["seats_needed"] == 0


def test_a_users_import_is_followed_by_the_policies(campus, tmp_path) -> None:
    add("Arts staff", "Arts", L2)
    person = write_csv(
        tmp_path / "person.csv",
        "User-Name,Email,Organization-Name-1,Organization-Role-Name-1\n"
        "dan,dan@example.com,Arts,Academic Staff\n"
        "eve,eve@example.com,Arts,Scheduler\n",
    )
    run = plm("users", "import", str(person))
    assert run.code == 0, run.stdout + run.stderr
    assert holders(L2) == {"bob", "dan"}  # eve is not Academic Staff
    assert last_run("Arts staff")["applied"] == 1
    assert "policy Arts staff) completed: 1 applied, 0 rejected." in run.stderr


def test_a_paused_policy_waits_and_a_preview_changes_nothing(campus) -> None:
    add("Arts staff", "Arts", L2, extra=("--paused",))
    assert holders(L2) == set()
    preview = plm("policies", "preview", "Arts staff", "--json")
    assert preview.code == 0 and preview.json["dry_run"] is True
    assert [(r["username"], r["code"]) for r in preview.json["results"]] == [("bob", "assigned")]
    assert holders(L2) == set()
    assert plm("policies", "update", "Arts staff", "--enable").code == 0
    assert holders(L2) == {"bob"}


def test_a_user_revoked_by_hand_is_not_licensed_again_until_eligible_again(campus) -> None:
    add("Science staff", "Science", L2)
    assert plm("revoke", "ann", L2).code == 0
    run = plm("policies", "apply", "Science staff", "--json")
    assert run.code == 0 and run.json["results"] == []
    assert holders(L2) == {"cat"}
    standing = plm("policies", "show", "Science staff", "--json").json["standing"]
    assert (standing["opted_out"], standing["waiting"]) == (1, 0)
    # ann stops being eligible (her role is taken away), then becomes eligible again.
    grant = RoleGrant.objects.get(user=campus.ann, role=STAFF)
    grant.delete()
    plm("policies", "apply", "Science staff")
    RoleGrant.objects.create(user=campus.ann, organization=campus.physics, role=STAFF)
    plm("policies", "apply", "Science staff")
    assert holders(L2) == {"ann", "cat"}


def test_a_license_that_expired_is_renewed_from_the_pool(campus) -> None:
    add("Arts staff", "Arts", L1, L2)
    assert holders(L1) == {"bob"}
    License.objects.filter(license_id=L1).update(expires=date(2011, 1, 1))
    plm("policies", "apply", "Arts staff")
    assert holders(L2) == {"bob"}  # not a manual revoke: bob still holds the expired one


def test_two_policies_covering_one_user_give_one_license(campus) -> None:
    add("Everyone", "University", L1, L2)
    add("Science staff", "Science", L2)
    assert holders(L1) == {"ann", "bob"} and holders(L2) == {"cat"}
    run = plm("policies", "apply", "--json")
    assert run.code == 0
    assert all(job["applied"] == 0 for job in run.json)
    assert holders(L1) == {"ann", "bob"} and holders(L2) == {"cat"}


def test_revoke_when_ineligible_applies_under_its_threshold_and_refuses_above_it(campus) -> None:
    add("Science staff", "Science", L2, extra=("--revoke-ineligible", "--max-revoke-percent", "50"))
    assert holders(L2) == {"ann", "cat"}
    RoleGrant.objects.filter(user=campus.ann, role=STAFF).delete()
    RoleGrant.objects.filter(user=campus.cat, role=STAFF).delete()
    refused = plm("policies", "apply", "Science staff", "--json")
    assert refused.code == 3 and refused.json["status"] == "refused"
    assert refused.json["error"]["code"] == "change_threshold_exceeded"
    assert "2 of the 2 holders" in refused.json["error"]["message"]
    assert [r["code"] for r in refused.json["results"]] == ["revoked_not_eligible"] * 2
    assert holders(L2) == {"ann", "cat"}
    RoleGrant.objects.create(user=campus.cat, organization=campus.science, role=STAFF)
    done = plm("policies", "apply", "Science staff", "--json")
    assert done.code == 0 and done.json["status"] == "completed"
    assert [(r["username"], r["code"]) for r in done.json["results"]] == [
        ("ann", "revoked_not_eligible")
    ]
    assert holders(L2) == {"cat"}


def test_without_revoke_a_user_who_leaves_keeps_the_license(campus) -> None:
    add("Science staff", "Science", L2)
    RoleGrant.objects.filter(user=campus.ann, role=STAFF).delete()
    plm("policies", "apply", "Science staff")
    assert holders(L2) == {"ann", "cat"}


def test_a_policy_run_can_be_reverted(campus) -> None:
    created = add("Science staff", "Science", L2)
    run = plm("imports", "revert", str(created.json["last_run"]["import_id"]), "--json")
    assert run.code == 0, run.stdout
    assert holders(L2) == set()


def test_preview_equals_the_run_that_follows(campus) -> None:
    make_staff("dan", campus.physics)
    make_license(L3, seats=1)
    add("Science staff", "Science", L3, L1, extra=("--paused",))
    preview = plm("policies", "preview", "Science staff", "--json").json
    run = plm("policies", "apply", "Science staff", "--json").json
    assert preview["results"] == run["results"]
    assert len(run["results"]) == 3


def test_scope_a_manager_manages_policies_of_the_organizations_they_manage_only(campus) -> None:
    denied = add("Arts staff", "Arts", L2, extra=("--as", "mgr"))
    assert denied.code == 2 and denied.json["error"]["code"] == "permission_denied"
    mine = add("Physics staff", "Physics", L2, extra=("--as", "mgr"))
    assert mine.code == 0, mine.stdout
    add("Arts staff", "Arts", L2)
    listed = plm("policies", "list", "--as", "mgr", "--json").json
    assert [p["name"] for p in listed] == ["Physics staff"]
    hidden = plm("policies", "show", "Arts staff", "--as", "mgr", "--json")
    assert hidden.code == 2 and hidden.json["error"]["code"] == "policy_not_found"
    # The manager sees the runs of their policy in the history, not the Arts one.
    runs = {job.policy_id for job in Import.objects.filter(source="policy")}
    assert len(runs) == 2
    history = plm("imports", "list", "--as", "mgr", "--json").json
    assert {job["file_name"] for job in history} == {"policy Physics staff"}


def test_bad_input_names_what_to_fix(campus) -> None:
    assert add("X", "Nowhere", L2).json["error"]["code"] == "org_not_found"
    assert add("X", "Arts", "ID 2099-01-01-999999").json["error"]["code"] == "license_not_found"
    assert add("X", "Arts", "nonsense").json["error"]["code"] == "invalid_license_id"
    assert add("X", "Arts", L2, L2).json["error"]["code"] == "invalid_argument"
    add("Arts staff", "Arts", L2)
    assert add("arts STAFF", "Arts", L2).json["error"]["code"] == "policy_exists"
    bad = add("Y", "Arts", L2, extra=("--max-revoke-percent", "101"))
    assert bad.json["error"]["code"] == "invalid_argument"
    in_pool = plm("licenses", "delete", L2, "--json")
    assert in_pool.json["error"]["code"] == "license_in_use"
