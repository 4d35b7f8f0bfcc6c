"""person.csv edges: what each parsed field holds, every rejection's full result, short records,
pair columns present on one side only, and what decide_person stores for new and changed users."""

import io

from plm.core.codes import Outcome
from plm.core.people import (
    PersonColumns,
    PersonRow,
    PersonState,
    decide_person,
    parse_person,
    person_header,
)
from plm.core.reader import inspect, records
from plm.core.results import RowResult

STAFF = ("Science", "Academic Staff")


def rows(text: str) -> list[PersonRow | RowResult]:
    data = text.encode()
    layout = inspect(lambda: io.BytesIO(data), required=["username"])
    cols = PersonColumns.of(layout)
    return [parse_person(r, cols) for r in records(lambda: io.BytesIO(data), layout)]


def one(text: str) -> PersonRow:
    (row,) = rows(text)
    assert isinstance(row, PersonRow), row
    return row


def test_the_header_has_the_five_fields_then_numbered_pairs() -> None:
    assert person_header(0) == ["User-Name", "Email", "First-Name", "Last-Name", "Active"]
    assert person_header(2)[5:] == [
        "Organization-Name-1",
        "Organization-Role-Name-1",
        "Organization-Name-2",
        "Organization-Role-Name-2",
    ]


def test_every_field_of_a_full_row_is_read_from_its_own_column() -> None:
    row = one(
        "Last-Name,Active,User-Name,First-Name,Email,Organization-Role-Name-1,Organization-Name-1\n"
        "Lee,yes,ann,Ann,ann@x.edu,Academic Staff,Science\n"
    )
    assert row == PersonRow(2, "ann", "ann@x.edu", "Ann", "Lee", True, (STAFF,))


def test_a_record_shorter_than_the_header_is_padded_with_empty_cells() -> None:
    row = one("User-Name,Email,Active,Organization-Name-1,Organization-Role-Name-1\nann,a@x.edu\n")
    assert (row.active, row.roles) == (True, ())


def test_an_organization_column_without_its_role_column_is_a_missing_role() -> None:
    (result,) = rows("User-Name,Organization-Name-1\nann,Science\n")
    assert isinstance(result, RowResult) and result.code == "invalid_role"


def test_an_empty_organization_without_a_role_column_is_no_role_at_all() -> None:
    assert one("User-Name,Organization-Name-1\nann,\n").roles == ()


def test_a_rejected_row_keeps_its_row_number_and_user_name_and_says_why() -> None:
    results = rows(
        "User-Name,Email,Active,Organization-Name-1,Organization-Role-Name-1\n"
        ",a@x.edu,,,\n"
        "bob,b@x.edu,,Science,\n"
        "cat,c@x.edu,,,Dean\n"
        "dan,d@x.edu,,Science,Dean\n"
    )
    assert results == [
        RowResult(
            2,
            "",
            "",
            "",
            Outcome.REJECTED,
            "missing_username",
            "The User-Name cell is empty: every user needs a user name.",
        ),
        RowResult(
            3,
            "bob",
            "",
            "",
            Outcome.REJECTED,
            "invalid_role",
            "Organization-Name-1 'Science' has no role in Organization-Role-Name-1: add one of "
            "Administrator, License Manager, Scheduler, A/V Technician, Academic Staff.",
        ),
        RowResult(
            4,
            "cat",
            "",
            "",
            Outcome.REJECTED,
            "org_not_found",
            "Organization-Role-Name-1 'Dean' has no organization in Organization-Name-1.",
        ),
        RowResult(
            5,
            "dan",
            "",
            "",
            Outcome.REJECTED,
            "invalid_role",
            "Organization-Role-Name-1 'Dean' is not a role: use one of Administrator, "
            "License Manager, Scheduler, A/V Technician, Academic Staff.",
        ),
    ]


def state(**kw: object) -> PersonState:
    base: dict[str, object] = dict(
        pk=7,
        username="ann",
        email="ann@x.edu",
        first_name="Ann",
        last_name="Lee",
        active=True,
        roles=frozenset({STAFF}),
    )
    base.update(kw)
    return PersonState(**base)  # type: ignore[arg-type]


ORGS = {"science": "Science", "arts": "Arts"}


def test_a_new_user_is_stored_with_the_roles_of_the_row_under_the_stored_org_names() -> None:
    row = one(
        "User-Name,Email,Organization-Name-1,Organization-Role-Name-1\n"
        "ann,ann@x.edu,SCIENCE,Academic Staff\n"
    )
    decision = decide_person(row, None, ORGS, None)
    assert decision.result == RowResult(
        2, "ann", "", "", Outcome.APPLIED, "created", "Created user 'ann'."
    )
    assert decision.state == PersonState(None, "ann", "ann@x.edu", "", "", True, frozenset({STAFF}))


def test_each_field_given_replaces_the_stored_one() -> None:
    row = one(
        "User-Name,Email,First-Name,Last-Name,Active,Organization-Name-1,Organization-Role-Name-1\n"
        "ann,new@x.edu,Anna,Li,no,Arts,Scheduler\n"
    )
    decision = decide_person(row, state(), ORGS, None)
    assert decision.result == RowResult(
        2, "ann", "", "", Outcome.APPLIED, "updated", "Updated user 'ann'."
    )
    assert decision.state == PersonState(
        7, "ann", "new@x.edu", "Anna", "Li", False, frozenset({("Arts", "Scheduler")})
    )


def test_a_row_equal_to_the_stored_user_is_unchanged_and_stores_nothing() -> None:
    row = one("user-name,email,last-name\nANN,ann@x.edu,Lee\n")
    decision = decide_person(row, state(), ORGS, "ann")
    assert decision.result == RowResult(
        2, "ANN", "", "", Outcome.UNCHANGED, "unchanged", "User 'ann' is unchanged."
    )
    assert decision.state is None


def test_an_unknown_organization_is_rejected_with_the_row_and_user_name() -> None:
    row = one("User-Name,Organization-Name-1,Organization-Role-Name-1\nann,Nowhere,Scheduler\n")
    assert decide_person(row, None, ORGS, None).result == RowResult(
        2,
        "ann",
        "",
        "",
        Outcome.REJECTED,
        "org_not_found",
        "Organization 'Nowhere' does not exist: add it first (plm orgs add) or fix the name.",
    )


def test_a_bad_email_or_active_cell_is_rejected_with_the_row_and_user_name() -> None:
    assert rows("User-Name,Email,Active\nann,nope,yes\nbob,b@x.edu,maybe\n") == [
        RowResult(
            2,
            "ann",
            "",
            "",
            Outcome.REJECTED,
            "invalid_email",
            "Email 'nope' is not an e-mail address (name@domain).",
        ),
        RowResult(
            3,
            "bob",
            "",
            "",
            Outcome.REJECTED,
            "invalid_active",
            "Active 'maybe' is not valid: use yes or no.",
        ),
    ]


def test_an_email_of_another_user_is_rejected_naming_its_owner() -> None:
    row = one("User-Name,Email\nann,bob@x.edu\n")
    assert decide_person(row, state(), ORGS, "bob").result == RowResult(
        2,
        "ann",
        "",
        "",
        Outcome.REJECTED,
        "email_conflict",
        "Email 'bob@x.edu' already belongs to user 'bob': each email identifies one user.",
    )


def test_a_new_user_takes_the_defaults_of_absent_columns_and_the_cells_given() -> None:
    bare = decide_person(one("User-Name\nann\n"), None, ORGS, None).state
    assert bare == PersonState(None, "ann", "", "", "", True, frozenset())
    inactive = decide_person(one("User-Name,Active\nbob,no\n"), None, ORGS, None).state
    assert inactive is not None and inactive.active is False


def test_absent_columns_leave_the_stored_fields_as_they_are() -> None:
    row = one("User-Name,First-Name\nann,Anna\n")
    decision = decide_person(row, state(), ORGS, None)
    assert decision.state == state(first_name="Anna")


def test_an_empty_pair_is_skipped_and_the_pairs_after_it_are_read() -> None:
    row = one(
        "User-Name,Organization-Name-1,Organization-Role-Name-1,"
        "Organization-Name-2,Organization-Role-Name-2\nann,,,Science,Academic Staff\n"
    )
    assert row.roles == (STAFF,)
