"""Workbooks (.xlsx): read by content like CSV, written as text cells; hostile ones refused."""

import datetime as dt
import io
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from plm.core import codes
from plm.core.codes import FatalFileError
from plm.core.reader import inspect, records
from plm.core.writer import LICENSES_HEADER, write_csv
from plm.core.xlsx import cell_text, write_xlsx

REQUIRED = ["username", "action"]
MB = 1024 * 1024


def workbook(*rows: tuple[object, ...], sheets: int = 1) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for n in range(1, sheets):
        book.create_sheet(f"Other {n}").append(["not", "read"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes, max_bytes: int = 50 * MB) -> tuple[list[str], list[tuple[int, tuple]]]:
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED, max_bytes=max_bytes)
    rows = [(r.row, r.cells) for r in records(lambda: io.BytesIO(data), layout, max_bytes)]
    return list(layout.header), rows


def fatal(data: bytes, max_bytes: int = 50 * MB) -> FatalFileError:
    with pytest.raises(FatalFileError) as error:
        read(data, max_bytes)
    return error.value


def test_first_sheet_is_read_with_spreadsheet_row_numbers():
    data = workbook(
        ("Username", "Action", "License ID"),
        ("ann@x.edu", "assign", "ID 2013-07-05-012345"),
        (None, None, None),
        ("  bob ", "revokeall", None),
        sheets=2,
    )
    header, rows = read(data)
    assert header == ["Username", "Action", "License ID"]
    assert rows == [
        (2, ("ann@x.edu", "assign", "ID 2013-07-05-012345")),
        (4, ("bob", "revokeall")),  # trailing empty cells are absent, as in CSV
    ]


def test_a_workbook_is_detected_by_content_not_by_name():
    # The opener knows no name at all: the bytes decide.
    data = workbook(("Username", "Action"), ("ann", "revokeall"))
    assert read(data)[1] == [(2, ("ann", "revokeall"))]


def test_typed_cells_read_as_the_text_a_user_sees():
    assert cell_text(12.0) == "12"
    assert cell_text(1.5) == "1.5"
    assert cell_text(True) == "true"
    assert cell_text(dt.datetime(2027, 1, 31)) == "2027-01-31"
    assert cell_text(None) == ""


def test_same_sha256_as_the_bytes_so_a_resume_can_check_the_file():
    import hashlib

    data = workbook(("Username", "Action"), ("ann", "revokeall"))
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    assert layout.sha256 == hashlib.sha256(data).hexdigest()


def test_missing_column_in_a_workbook_names_what_was_found():
    error = fatal(workbook(("User", "Action"), ("ann", "revokeall")))
    assert error.code == codes.MISSING_COLUMN
    assert "'User'" in error.message


def test_empty_workbook_is_an_empty_file():
    assert fatal(workbook()).code == codes.EMPTY_FILE


def test_not_a_zip_after_the_magic_is_malformed_xlsx():
    error = fatal(b"PK\x03\x04" + b"garbage" * 100)
    assert error.code == codes.MALFORMED_XLSX
    assert "save it" in error.message


def test_legacy_xls_is_unreadable_with_advice():
    error = fatal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert error.code == codes.UNREADABLE_FILE
    assert ".xlsx" in error.message


def test_upload_over_the_limit_is_file_too_large():
    data = workbook(("Username", "Action"), *[(f"user{i}", "revokeall") for i in range(2000)])
    assert fatal(data, max_bytes=len(data) - 1).code == codes.FILE_TOO_LARGE


def test_zip_bomb_is_refused_before_it_is_inflated():
    # 200 MB of zeros in a sheet part compresses to about 200 KB.
    data = workbook(("Username", "Action"), ("ann", "revokeall"))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename), zipfile.ZIP_DEFLATED)
        part = zipfile.ZipInfo("xl/bomb.bin")
        part.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(part, "w", force_zip64=True) as bomb:
            for _ in range(200):
                bomb.write(b"\x00" * MB)
    assert len(out.getvalue()) < MB
    started = time.monotonic()
    error = fatal(out.getvalue(), max_bytes=10 * MB)
    assert error.code == codes.FILE_TOO_LARGE
    assert "unpacked" in error.message
    assert time.monotonic() - started < 30  # refused from the directory, not by inflating


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = content if item.filename == name else src.read(item.filename)
            dst.writestr(item.filename, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_billion_laughs_sheet_is_malformed_not_a_hang():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    data = _replace_part(
        workbook(("Username", "Action"), ("ann", "revokeall")), "xl/worksheets/sheet1.xml", laughs
    )
    assert fatal(data).code == codes.MALFORMED_XLSX


def test_forged_row_number_past_excel_limit_is_refused():
    sheet = (
        b'<?xml version="1.0"?><worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Username</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>Action</t></is></c></row>'
        b'<row r="99999999999"><c r="A99999999999" t="inlineStr"><is><t>x</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    data = _replace_part(
        workbook(("Username", "Action"), ("ann", "revokeall")), "xl/worksheets/sheet1.xml", sheet
    )
    started = time.monotonic()
    error = fatal(data)
    assert error.code == codes.MALFORMED_XLSX
    assert "1,048,576 rows" in error.message
    assert time.monotonic() - started < 60


def test_too_many_columns_is_malformed_xlsx():
    data = workbook(("Username", "Action", *[f"c{i}" for i in range(1200)]))
    error = fatal(data)
    assert error.code == codes.MALFORMED_XLSX
    assert "columns" in error.message


def test_export_workbook_reads_back_to_the_same_rows_as_the_csv():
    rows = [("=cmd|' /C calc'!A0", "assign", "ID 2013-07-05-012345"), ("bob", "assign", "")]
    out = io.BytesIO()
    assert write_xlsx(out, LICENSES_HEADER, rows, title="licenses") == 2
    header, read_rows = read(out.getvalue())
    assert header == list(LICENSES_HEADER)
    assert [cells for _, cells in read_rows] == [tuple(r) for r in rows]
    csv_out = io.StringIO(newline="")
    write_csv(csv_out, LICENSES_HEADER, rows)
    csv_bytes = csv_out.getvalue().encode()
    assert [cells for _, cells in read(csv_bytes)[1]] == [cells for _, cells in read_rows]


def test_exported_formula_text_is_stored_as_text_not_a_formula():
    out = io.BytesIO()
    write_xlsx(out, ("Username",), [('=HYPERLINK("http://evil")',)], title="x")
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil")'


def test_opendocument_spreadsheet_is_named_in_the_error():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    error = fatal(out.getvalue())
    assert (error.code, ".ods" in error.message) == (codes.MALFORMED_XLSX, True)


def test_a_plain_zip_is_not_taken_for_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("licenses.csv", "Username,Action\nann,revokeall\n")
    error = fatal(out.getvalue())
    assert (error.code, "not an Excel workbook" in error.message) == (codes.MALFORMED_XLSX, True)
