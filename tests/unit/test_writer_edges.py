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
