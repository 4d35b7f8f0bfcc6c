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


@pytest.mark.parametrize(
    "value",
    ["x;=cmd|' /C calc'!A0", "x,=1+2", "a\t+b", "name;  -2+3", "x\n@SUM(A1)", "ok;\r=x"],
)
def test_a_formula_a_spreadsheet_could_split_off_at_a_separator_is_neutralized(
    value: str,
) -> None:
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["Lee, Ann", "a;b", "x-y", "ann@example.edu", "O'Brien"])
def test_separators_without_a_formula_after_them_are_left_alone(value: str) -> None:
    assert neutralize(value) == value


def test_values_with_a_semicolon_or_tab_are_quoted_so_no_spreadsheet_splits_them() -> None:
    out = io.StringIO(newline="")
    write_csv(out, LICENSES_HEADER, [("x;=cmd|' /C calc'!A0", "a\tb", 'say "hi"')], bom=False)
    assert out.getvalue().splitlines()[1] == '"\'x;=cmd|\' /C calc\'!A0","a\tb","say ""hi"""'


def test_neutralized_exports_read_back_exactly() -> None:
    from plm.core.reader import inspect, records

    values = ["x;=cmd|' /C calc'!A0", "=HYPERLINK(1)", "'quoted", "Lee, Ann", "a\t-b", "plain"]
    out = io.StringIO(newline="")
    write_csv(out, LICENSES_HEADER, [(v, "assign", "") for v in values])
    data = out.getvalue().encode()
    layout = inspect(lambda: io.BytesIO(data), required=["username"])
    got = [r.get(layout, "username") for r in records(lambda: io.BytesIO(data), layout)]
    assert got == values


def test_workbook_export_marks_formula_risks_as_text_and_reads_back_exactly() -> None:
    from openpyxl import load_workbook

    from plm.core.reader import inspect, records
    from plm.core.xlsx import write_xlsx

    values = ["x;=cmd|' /C calc'!A0", "=HYPERLINK(1)", "plain"]
    out = io.BytesIO()
    write_xlsx(out, LICENSES_HEADER, [(v, "assign", "") for v in values], title="licenses")
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert [sheet.cell(row, 1).quotePrefix for row in (2, 3, 4)] == [True, True, False]
    data = out.getvalue()
    layout = inspect(lambda: io.BytesIO(data), required=["username"])
    got = [r.get(layout, "username") for r in records(lambda: io.BytesIO(data), layout)]
    assert got == values
