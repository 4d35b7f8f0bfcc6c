"""The CSV writer reports how many data rows it wrote (the CLI and exports print it)."""

import io

from hypothesis import given
from hypothesis import strategies as st

from plm.core.writer import _field, neutralize, write_csv


def test_writing_csv_returns_the_number_of_data_rows() -> None:
    out = io.StringIO()
    assert write_csv(out, ["A"], [["1"], ["2"], ["3"]]) == 3
    assert write_csv(io.StringIO(), ["A"], []) == 0


@given(st.text(alphabet=st.sampled_from("ab =+-@'\t\r\n,;\"x1"), max_size=12) | st.text())
def test_a_row_is_written_as_each_value_neutralized_then_quoted(value: str) -> None:
    """The writer's one-test shortcut for plain values changes nothing: every value comes out
    exactly as the formula guard and the quoting would write it."""
    out = io.StringIO()
    write_csv(out, ["A", "B"], [[value, "x"]], bom=False)
    assert out.getvalue() == "A,B\r\n" + _field(neutralize(value)) + ",x\r\n"


CELLS = st.text(alphabet=st.sampled_from("ab =+-@'\t\r\n,;\"x1"), max_size=6) | st.text(max_size=8)


@given(st.lists(st.lists(CELLS, min_size=1, max_size=4), max_size=5))
def test_every_row_is_written_as_its_cells_neutralized_then_quoted(rows: list[list[str]]) -> None:
    """The writer's one-test shortcut for a whole plain row changes nothing, whatever the cells
    hold or how many there are."""
    out = io.StringIO()
    write_csv(out, ["A"], rows, bom=False)
    expected = "".join(",".join(_field(neutralize(v)) for v in row) + "\r\n" for row in rows)
    assert out.getvalue() == "A\r\n" + expected
