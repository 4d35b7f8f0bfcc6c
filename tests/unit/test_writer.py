import io

import pytest

from plm.core.writer import LICENSES_HEADER, neutralize, write_csv


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "'quoted", "\tTab", "\rCR"],
)
def test_formula_like_values_are_prefixed_with_an_apostrophe(value: str) -> None:
    assert neutralize(value) == "'" + value


def test_plain_values_are_left_alone() -> None:
    assert neutralize("ann@example.edu") == "ann@example.edu"


def test_csv_has_bom_crlf_and_minimal_quoting() -> None:
    out = io.StringIO(newline="")
    write_csv(out, LICENSES_HEADER, [("a, b", "assign", "ID 2013-07-05-012345")])
    assert (
        out.getvalue()
        == '\ufeffUsername,Action,License ID\r\n"a, b",assign,ID 2013-07-05-012345\r\n'
    )


def test_bom_can_be_left_out() -> None:
    out = io.StringIO(newline="")
    write_csv(out, LICENSES_HEADER, [], bom=False)
    assert out.getvalue() == "Username,Action,License ID\r\n"
