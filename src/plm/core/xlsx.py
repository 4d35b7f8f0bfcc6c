"""Excel workbooks (.xlsx): the first sheet read as rows of text, and exports written as sheets.

A workbook is a zip of XML parts, so a small upload can unpack into a huge one (a zip bomb).
The upload itself is held to the same byte limit as a CSV; before any part is parsed, the
archive's declared sizes are checked (Python's zipfile never inflates a part past its declared
size, so the check is a real bound): at most XLSX_EXPANSION times the upload limit in all.
Rows past Excel's own 1,048,576 or wider than the CSV column limit are refused while streaming.
"""

import datetime as dt
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, BinaryIO

from plm.core.codes import FILE_TOO_LARGE, MALFORMED_XLSX, UNREADABLE_FILE, FatalFileError

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and password-protected workbooks
XLSX_EXPANSION = 4
MAX_PARTS = 10_000
MAX_SHEET_ROWS = 1_048_576
_COPY_CHUNK = 1024 * 1024
_IN_MEMORY = 8 * 1024 * 1024

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def looks_like_xlsx(head: bytes) -> bool:
    return head.startswith(XLSX_MAGIC)


def legacy_workbook_error() -> FatalFileError:
    return FatalFileError(
        UNREADABLE_FILE,
        "This is an Excel 97-2003 (.xls) or password-protected workbook, which cannot be read: "
        "open it in your spreadsheet and save it as Excel Workbook (.xlsx) or CSV (UTF-8), "
        "without a password.",
    )


def _malformed(detail: str) -> FatalFileError:
    return FatalFileError(
        MALFORMED_XLSX,
        f"The workbook cannot be read ({detail}). Open it in your spreadsheet and save it "
        "again as Excel Workbook (.xlsx) or CSV (UTF-8).",
    )


def _too_large(limit: int) -> FatalFileError:
    return FatalFileError(
        FILE_TOO_LARGE,
        f"The unpacked workbook is larger than the limit of {limit // (1024 * 1024)} MB: "
        "split it into smaller files.",
    )


def _spool(raw: io.RawIOBase | BinaryIO) -> IO[bytes]:
    """Copy the upload to a seekable temporary file (zip needs to seek). `raw` is the
    reader's size-limited, hashing stream, so the limit and the digest are kept there."""
    spool = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)
    try:
        shutil.copyfileobj(raw, spool, _COPY_CHUNK)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _check_archive(spool: IO[bytes], max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(spool) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise _malformed(f"it has {len(parts)} parts")
            unpacked = sum(part.file_size for part in parts)
            if unpacked > max_bytes * XLSX_EXPANSION:
                raise _too_large(max_bytes * XLSX_EXPANSION)
            names = {part.filename for part in parts}
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                raise _malformed("it is an OpenDocument spreadsheet (.ods), not .xlsx")
    except FatalFileError:
        raise
    except Exception:  # zipfile raises several types on a damaged archive
        raise _malformed("it is not a valid .xlsx file") from None
    if "[Content_Types].xml" not in names:
        raise _malformed("it is a zip archive, not an Excel workbook")
    spool.seek(0)


def cell_text(value: object) -> str:
    """A cell as the text the user sees: whole numbers without `.0`, dates as yyyy-mm-dd."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def sheet_rows(
    raw: io.RawIOBase | BinaryIO, max_bytes: int, max_columns: int
) -> Iterator[tuple[int, list[str]]]:
    """Yield (sheet row number, cells as text) for every row of the first sheet, blank ones too.

    `raw` must already stop at `max_bytes` (core.reader wraps it); `max_bytes` here bounds
    what the archive may unpack to. Raises FatalFileError (file_too_large, malformed_xlsx) on
    a file that cannot be read whole.
    """
    from openpyxl import load_workbook  # imported here: CSV-only runs never load it

    spool = _spool(raw)
    with spool:
        _check_archive(spool, max_bytes)
        try:
            book = load_workbook(spool, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types on hostile input
            raise _malformed(_describe(exc)) from None
        try:
            if not book.worksheets:
                raise _malformed("it has no worksheet")
            sheet: Any = book.worksheets[0]
            # A declared dimension (which can be forged) must not pad every row.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
            number = 0
            while True:
                try:
                    values = next(rows)
                except StopIteration:
                    return
                except Exception as exc:
                    raise _malformed(_describe(exc)) from None
                number += 1
                if number > MAX_SHEET_ROWS:
                    raise _malformed(f"the sheet has more than {MAX_SHEET_ROWS:,} rows")
                if len(values) > max_columns:
                    raise _malformed(
                        f"row {number} has {len(values)} columns; at most {max_columns} are allowed"
                    )
                yield number, [cell_text(value) for value in values]
        finally:
            book.close()


def _describe(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__


def write_xlsx(
    out: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[str]], *, title: str
) -> int:
    """Write one sheet of text cells; return the number of data rows written.

    Every cell is stored as text, never as a formula, so `=cmd()` in a name stays inert
    (the CSV export prefixes `'` instead; a workbook does not need it).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet(title=title)

    def text_cells(values: Sequence[str]) -> list[Any]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl would store a leading `=` as a formula
            cells.append(cell)
        return cells

    sheet.append(text_cells(header))
    count = 0
    for row in rows:
        sheet.append(text_cells(row))
        count += 1
    book.save(out)
    return count
