import io

from plm.core.people import PersonColumns, PersonState, decide_person, parse_person
from plm.core.reader import inspect, records
from plm.core.results import RowResult


def rows(text: str):
    data = text.encode()
    layout = inspect(lambda: io.BytesIO(data), required=["username"])
    cols = PersonColumns.of(layout)
    return [parse_person(r, cols) for r in records(lambda: io.BytesIO(data), layout)]


HEADER = "User-Name,Email,First-Name,Last-Name,Active,Organization-Name-1,Organization-Role-Name-1,Organization-Name-2,Organization-Role-Name-2\n"


def test_a_full_row_parses_with_canonical_role_names() -> None:
    (row,) = rows(
        HEADER + "ann,ann@x.edu,Ann,Lee,no,Science,academic staff,Science,license_manager\n"
    )
    assert not isinstance(row, RowResult)
    assert row.active is False
    assert row.roles == (("Science", "Academic Staff"), ("Science", "License Manager"))


def test_absent_columns_are_none_so_they_stay_unchanged() -> None:
    (row,) = rows("User-Name,Email\nann,ann@x.edu\n")
    assert not isinstance(row, RowResult)
    assert (row.first_name, row.active, row.roles) == (None, None, None)


def test_row_errors() -> None:
    results = rows(
        HEADER
        + ",a@x.edu,,,,,,,\n"
        + "b,b@x.edu,,,maybe,,,,\n"
        + "c,c@x.edu,,,,Science,,,\n"
        + "d,d@x.edu,,,,,Academic Staff,,\n"
        + "e,e@x.edu,,,,Science,Dean,,\n"
        + "f,not-an-email,,,,,,,\n"
    )
    assert [r.code for r in results if isinstance(r, RowResult)] == [
        "missing_username",
        "invalid_active",
        "invalid_role",
        "org_not_found",
        "invalid_role",
        "invalid_email",
    ]


def state(**kw) -> PersonState:
    base = dict(
        pk=1,
        username="ann",
        email="ann@x.edu",
        first_name="Ann",
        last_name="Lee",
        active=True,
        roles=frozenset({("Science", "Academic Staff")}),
    )
    base.update(kw)
    return PersonState(**base)  # type: ignore[arg-type]


def test_decide_created_updated_unchanged_and_conflicts() -> None:
    orgs = {"science": "Science"}
    (row,) = rows(HEADER + "ann,ann@x.edu,Ann,Lee,yes,science,Academic Staff,,\n")
    assert not isinstance(row, RowResult)
    assert decide_person(row, None, orgs, None).result.code == "created"
    assert decide_person(row, state(), orgs, "ann").result.code == "unchanged"
    assert decide_person(row, state(active=False), orgs, "ann").result.code == "updated"
    assert decide_person(row, state(), orgs, "bob").result.code == "email_conflict"
    assert decide_person(row, state(), {}, None).result.code == "org_not_found"
