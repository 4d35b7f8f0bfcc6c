"""The CSV writer reports how many data rows it wrote (the CLI and exports print it)."""

import io

from plm.core.writer import write_csv


def test_writing_csv_returns_the_number_of_data_rows() -> None:
    out = io.StringIO()
    assert write_csv(out, ["A"], [["1"], ["2"], ["3"]]) == 3
    assert write_csv(io.StringIO(), ["A"], []) == 0
