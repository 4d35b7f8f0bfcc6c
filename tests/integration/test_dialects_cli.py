"""The dialect corpus through `plm import` and `plm users import`: exact results or the
documented fatal code, and a refused file changes nothing (the database compared before/after)."""

import pytest

from plm.directory.models import Organization, RoleGrant, User
from plm.licensing.models import Assignment
from tests.builders import make_license, make_org, make_user, plm
from tests.data.dialects import CASES, LICENSE_ID, ROLE, Case

LICENSE_CASES = [c for c in CASES if c.kind == "licenses"]
USER_CASES = [c for c in CASES if c.kind == "users"]


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Everything a users import could change, comparable before and after."""
    return {
        "users": sorted(
            User.objects.values_list(
                "username", "email", "first_name", "last_name", "is_active", "username_key"
            )
        ),
        "orgs": sorted(Organization.objects.values_list("name", "name_key")),
        "roles": sorted(
            RoleGrant.objects.values_list("user__username", "organization__name", "role")
        ),
    }


@pytest.mark.parametrize("case", LICENSE_CASES, ids=[c.file for c in LICENSE_CASES])
def test_licenses_file_in_each_dialect(db, case: Case) -> None:
    org = make_org(case.names.org)
    for person in case.names.people:
        make_user(person.username, person.email, roles=[(org, ROLE)])
    make_license(LICENSE_ID, seats=10)
    run = plm("import", str(case.path), "--json")
    assert "Traceback" not in run.stderr
    if case.fatal:
        assert run.code == 2
        assert run.json["error"]["code"] == case.fatal
        assert run.json["results"] == []
        assert Assignment.objects.count() == 0
        return
    assert run.code == 0, run.json["results"]
    assert [(r["username"], r["code"]) for r in run.json["results"]] == [
        (name, "assigned") for name in case.expected_usernames()
    ]
    assert set(Assignment.objects.values_list("user__username", flat=True)) == set(
        case.expected_usernames()
    )


@pytest.mark.parametrize("case", USER_CASES, ids=[c.file for c in USER_CASES])
def test_person_file_in_each_dialect(db, case: Case) -> None:
    make_org(case.names.org)
    make_user("admin", "admin@example.edu")
    before = snapshot()
    run = plm("users", "import", str(case.path), "--json")
    assert "Traceback" not in run.stderr
    if case.fatal:
        assert run.code == 2
        assert run.json["error"]["code"] == case.fatal
        assert snapshot() == before  # a refused file changes nothing
        return
    assert run.code == 0, run.json["results"]
    assert [r["code"] for r in run.json["results"]] == ["created"] * len(case.names.people)
    people = case.names.people
    assert sorted(
        User.objects.exclude(username="admin").values_list(
            "username", "email", "first_name", "last_name"
        )
    ) == sorted((p.username, p.email, p.first, p.last) for p in people)
    assert sorted(
        RoleGrant.objects.values_list("user__username", "organization__name", "role")
    ) == sorted((p.username, case.names.org, ROLE) for p in people)
    assert Organization.objects.count() == 1  # matched the existing organization, made none


def test_a_users_import_of_a_misread_prone_file_changes_nothing(db, tmp_path) -> None:
    # The Polish file of the issue, with one row pasted from a Cyrillic (Windows-1251) file
    # after the sample the encoding is chosen from: applying it would rename people.
    org = make_org("Wydział Fizyki")
    make_user("Iga Świątek", "iswiatek@example.edu", roles=[(org, ROLE)])
    header = "User-Name,Email,First-Name,Last-Name,Organization-Name-1,Organization-Role-Name-1\n"
    rows = "Iga Świątek,iswiatek@example.edu,Iga,Świątek,Wydział Fizyki,Academic Staff\n" * 12_000
    data = (header + rows).encode("cp1250") + "Иван Петров,ip@example.edu,Иван,Петров,,\n".encode(
        "cp1251"
    )
    path = tmp_path / "person.csv"
    path.write_bytes(data)
    before = snapshot()
    run = plm("users", "import", str(path), "--json")
    assert run.code == 2 and run.json["error"]["code"] == "unknown_encoding"
    assert "Row 12002" in run.json["error"]["message"]
    assert snapshot() == before
