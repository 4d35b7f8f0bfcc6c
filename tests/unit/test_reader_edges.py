"""Reader and workbook edges: the exact advice of each fatal error, the limits at their
boundaries, the encoding a file is recorded with, and cells as a user sees them."""

import codecs
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from plm.core.codes import FatalFileError, PlmError
from plm.core.reader import MAX_COLUMNS, inspect, records
from plm.core.xlsx import MAX_PARTS, XLSX_EXPANSION, cell_text, write_xlsx

MB = 1024 * 1024
REQUIRED = ["username", "action"]
AGAIN = ' Open it in your spreadsheet and save it again as "Excel Workbook (.xlsx)" or "CSV UTF-8".'
LEGACY = (
    "This is an Excel 97-2003 (.xls), Excel Binary (.xlsb), OpenDocument (.ods) or "
    "password-protected workbook, which PLM cannot read: open it in your spreadsheet and save "
    'it as "Excel Workbook (.xlsx)" or "CSV UTF-8", without a password.'
)


def fatal(data: bytes, max_bytes: int = 50 * MB) -> FatalFileError:
    with pytest.raises(FatalFileError) as error:
        layout = inspect(lambda: io.BytesIO(data), required=REQUIRED, max_bytes=max_bytes)
        list(records(lambda: io.BytesIO(data), layout, max_bytes))
    return error.value


def workbook(*rows: list[object], pad: int = 0) -> bytes:
    """An .xlsx; `pad` adds a stored part of that many bytes (unpacked size, not upload size)."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    if pad:
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("customXml/pad.bin", b"\0" * pad)
    return out.getvalue()


def unpacked_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(part.file_size for part in archive.infolist())


def test_an_error_shows_its_message() -> None:
    assert str(PlmError("x", "Do this.")) == "Do this."


def test_a_file_without_the_required_columns_says_the_first_row_names_them() -> None:
    error = fatal(b"Name,Action\nann,assign\n")
    assert error.message == (
        "Missing column(s) username in the header row (row 1); found 'Name', 'Action'. "
        "The first row must name the columns, as in an export."
    )


def test_a_nul_character_in_a_utf16_file_is_unreadable() -> None:
    data = "Username,Action\na\x00b,assign\n".encode("utf-16")
    assert fatal(data).code == "unreadable_file"


def test_a_row_of_exactly_the_column_limit_is_read() -> None:
    data = b"Username,Action" + b",x" * (MAX_COLUMNS - 2) + b"\nann,assign\n"
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    assert len(layout.header) == MAX_COLUMNS
    assert layout.has("username") and not layout.has("license")


def test_a_windows_1252_file_is_recorded_as_cp1252() -> None:
    data = "Username,Action\nJosé,assign\n".encode("cp1252")
    assert inspect(lambda: io.BytesIO(data), required=REQUIRED).encoding == "cp1252"


def test_the_size_limit_is_named_in_whole_megabytes() -> None:
    error = fatal(b"Username,Action\n" + b"ann,assign\n" * 200_000, max_bytes=MB)
    assert (
        error.message == "The file is larger than the limit of 1 MB: split it into smaller files."
    )


def test_a_legacy_workbook_gets_the_advice_to_save_it_as_xlsx() -> None:
    error = fatal(codecs.decode("d0cf11e0a1b11ae1", "hex") + b"\0" * 600)
    assert error.message == LEGACY


def zip_of(**parts: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"PK\x03\x04 not a zip at all", "it is not a valid .xlsx file"),
        (zip_of(**{"a.txt": b"x"}), "it is a zip archive, not an Excel workbook"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_named_with_advice(data: bytes, detail: str) -> None:
    error = fatal(data)
    assert (error.code, error.message) == (
        "malformed_xlsx",
        f"The workbook cannot be read ({detail})." + AGAIN,
    )


def test_an_opendocument_spreadsheet_gets_the_one_plain_message() -> None:
    error = fatal(zip_of(mimetype=b"application/vnd.oasis.opendocument.spreadsheet"))
    assert (error.code, error.message) == ("unreadable_file", LEGACY)


def test_a_workbook_openpyxl_cannot_open_says_why_without_a_library_name() -> None:
    error = fatal(zip_of(**{"[Content_Types].xml": b"<Types/>"}))
    assert error.message == (
        "The workbook cannot be read (its content is not valid (File contains no valid "
        "workbook part))." + AGAIN
    )
    assert "OSError" not in error.message


def test_the_number_of_parts_is_limited_and_named() -> None:
    parts = {f"p{n}": b"" for n in range(MAX_PARTS + 1)}
    error = fatal(zip_of(**parts))
    assert error.message == f"The workbook cannot be read (it has {MAX_PARTS + 1} parts)." + AGAIN


def test_exactly_the_part_limit_is_not_too_many_parts() -> None:
    parts = {f"p{n}": b"" for n in range(MAX_PARTS)}
    assert "parts" not in fatal(zip_of(**parts)).message


def test_a_workbook_may_unpack_to_exactly_its_expansion_limit() -> None:
    base = workbook(["Username", "Action"], ["ann", "assign"])
    limit = XLSX_EXPANSION * MB
    data = workbook(["Username", "Action"], ["ann", "assign"], pad=limit - unpacked_size(base))
    assert unpacked_size(data) == limit
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED, max_bytes=MB)
    assert [r.cells for r in records(lambda: io.BytesIO(data), layout, MB)] == [("ann", "assign")]


def test_one_byte_over_the_expansion_limit_is_too_large_and_names_the_limit() -> None:
    base = workbook(["Username", "Action"], ["ann", "assign"])
    pad = XLSX_EXPANSION * MB - unpacked_size(base) + 1
    error = fatal(workbook(["Username", "Action"], ["ann", "assign"], pad=pad), max_bytes=MB)
    assert (error.code, error.message) == (
        "file_too_large",
        f"The unpacked workbook is larger than the limit of {XLSX_EXPANSION} MB: "
        "split it into smaller files.",
    )


def test_a_formula_cell_reads_as_its_value_never_as_the_formula() -> None:
    data = workbook(["Username", "Action"], ["=CONCAT(1,2)", "assign"])
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    (record,) = records(lambda: io.BytesIO(data), layout)
    assert record.cells == ("", "assign")  # no cached value: openpyxl wrote it, Excel did not


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (False, "false"),
        (True, "true"),
        (dt.datetime(2026, 1, 2, 3, 4, 5), "2026-01-02 03:04:05"),
    ],
)
def test_a_cell_reads_as_the_text_a_user_sees(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_an_exported_workbook_sheet_has_the_title_given() -> None:
    out = io.BytesIO()
    assert write_xlsx(out, ["Username"], [["ann"]], title="Licenses") == 1
    assert load_workbook(io.BytesIO(out.getvalue())).sheetnames == ["Licenses"]


def test_a_record_shorter_than_the_header_reads_empty_for_the_missing_cells() -> None:
    data = b"Username,Action,License ID\nann,revokeall\n"
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    (record,) = records(lambda: io.BytesIO(data), layout)
    assert record.cells == ("ann", "revokeall")
    assert record.get(layout, "licenseid") == ""


def test_delimiters_inside_quoted_header_names_do_not_count() -> None:
    data = b'"Username";"Action";"License ID, (a, b, c)"\nann;assign;\n'
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    assert layout.delimiter == ";"


def test_the_delimiter_that_occurs_most_in_the_header_wins() -> None:
    data = b"Username;Action;Notes, more\nann;assign;x\n"
    assert inspect(lambda: io.BytesIO(data), required=REQUIRED).delimiter == ";"
