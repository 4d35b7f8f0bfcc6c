"""person.csv values longer than the database holds reject their row (value_too_long), the same
on SQLite (which would store them) and PostgreSQL (which would fail the whole import)."""

import io

import pytest

from plm.core.people import MAX_LENGTHS, PersonColumns, parse_person
from plm.core.reader import inspect, records
from plm.core.results import RowResult


def parse(text: str) -> list[object]:
    data = text.encode()
    layout = inspect(lambda: io.BytesIO(data), required=["username"])
    cols = PersonColumns.of(layout)
    return [parse_person(r, cols) for r in records(lambda: io.BytesIO(data), layout)]


HEADER = "User-Name,Email,First-Name,Last-Name\n"


@pytest.mark.parametrize(
    ("column", "row"),
    [
        ("User-Name", f"{'u' * 151},u@x.edu,U,U"),
        ("Email", f"e,{'e' * 249}@x.edu,E,E"),
        ("First-Name", f"f,f@x.edu,{'F' * 151},F"),
        ("Last-Name", f"l,l@x.edu,L,{'L' * 151}"),
    ],
)
def test_an_over_long_value_rejects_the_row_naming_row_column_and_length(column, row) -> None:
    (result,) = parse(HEADER + row + "\n")
    assert isinstance(result, RowResult)
    assert (result.row, result.username, result.action, result.license_id) == (
        2,
        row.split(",")[0],
        "",
        "",
    )
    assert (result.outcome, result.code) == ("rejected", "value_too_long")
    assert f"Row 2: {column}" in result.message and str(MAX_LENGTHS[column] + 1) in result.message


def test_values_at_the_limit_are_accepted() -> None:
    (person,) = parse(HEADER + f"{'u' * 150},{'e' * 247}@x.edu,{'F' * 150},{'L' * 150}\n")
    assert not isinstance(person, RowResult)


def test_a_user_name_whose_casefolded_copy_is_too_long_is_rejected() -> None:
    # 'ß' casefolds to 'ss': the unique, casefolded copy the database keeps would not fit.
    (result,) = parse(HEADER + f"{'ß' * 76},s@x.edu,S,S\n")
    assert isinstance(result, RowResult) and result.code == "value_too_long"


def test_only_the_long_row_is_rejected() -> None:
    results = parse(HEADER + "a,a@x.edu,A,A\n" + f"b,b@x.edu,{'B' * 200},B\n" + "c,c@x.edu,C,C\n")
    assert [isinstance(r, RowResult) for r in results] == [False, True, False]
