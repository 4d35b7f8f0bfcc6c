"""atheris fuzz target for the CSV and workbook reader: any bytes either read as records or give one
FatalFileError with a documented code; anything else (an exception, a hang) is a bug.

python fuzz/fuzz_reader.py -max_total_time=60      (make fuzz)
"""

import io
import sys

import atheris

with atheris.instrument_imports():
    from plm.core import codes
    from plm.core.codes import FatalFileError
    from plm.core.reader import inspect, records

FATAL = {
    codes.EMPTY_FILE,
    codes.UNREADABLE_FILE,
    codes.FILE_TOO_LARGE,
    codes.MALFORMED_CSV,
    codes.MALFORMED_XLSX,
    codes.MISSING_COLUMN,
    codes.UNKNOWN_ENCODING,
    codes.SHEET_NOT_FOUND,
}


def test_one_input(data: bytes) -> None:
    def opener() -> io.BytesIO:
        return io.BytesIO(data)

    try:
        layout = inspect(opener, required=["username", "action"], max_bytes=1 << 20)
    except FatalFileError as error:
        assert error.code in FATAL, error.code
        return
    count = sum(1 for _ in records(opener, layout, max_bytes=1 << 20))
    assert count == layout.data_rows


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
