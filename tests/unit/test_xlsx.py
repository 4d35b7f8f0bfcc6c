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
    assert (error.code, ".ods" in error.message) == (codes.UNREADABLE_FILE, True)


def test_a_plain_zip_is_not_taken_for_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("licenses.csv", "Username,Action\nann,revokeall\n")
    error = fatal(out.getvalue())
    assert (error.code, "not an Excel workbook" in error.message) == (codes.MALFORMED_XLSX, True)


def read_sheet(data: bytes, sheet: str | None = None) -> tuple[str, list[tuple[int, tuple]]]:
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED, sheet=sheet)
    rows = [(r.row, r.cells) for r in records(lambda: io.BytesIO(data), layout)]
    return layout.sheet, rows


def book_of(*sheets: tuple[str, list[tuple[object, ...]], str]) -> bytes:
    """Sheets as (title, rows, state) in order."""
    book = Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [("Username", "Action"), ("ann", "revokeall")]


def test_an_empty_or_hidden_first_sheet_is_skipped_and_the_sheet_read_is_recorded():
    data = book_of(
        ("Empty", [], "visible"), ("Old", [("x", "y")], "hidden"), ("Licences", GOOD, "visible")
    )
    assert read_sheet(data) == ("Licences", [(2, ("ann", "revokeall"))])


def test_a_sheet_can_be_chosen_by_name_ignoring_case():
    data = book_of(
        ("First", [("Username", "Action"), ("bob", "revokeall")], "visible"),
        ("Second", GOOD, "visible"),
    )
    assert read_sheet(data, sheet="second") == ("Second", [(2, ("ann", "revokeall"))])


def test_an_unknown_sheet_name_is_refused_listing_the_sheets():
    data = book_of(("First", GOOD, "visible"), ("Secret", GOOD, "hidden"))
    with pytest.raises(FatalFileError) as error:
        read_sheet(data, sheet="Nope")
    assert error.value.code == codes.SHEET_NOT_FOUND
    assert "'First'" in error.value.message and "'Secret' (hidden)" in error.value.message


def test_a_workbook_with_no_visible_content_is_empty_naming_its_sheets():
    error = fatal(book_of(("Blank", [], "visible"), ("Data", GOOD, "hidden")))
    assert error.code == codes.EMPTY_FILE and "'Data' (hidden)" in error.message


def test_messages_about_a_sheet_name_it():
    error = fatal(book_of(("Staff list", [("User", "Action"), ("ann", "x")], "visible")))
    assert error.code == codes.MISSING_COLUMN and "sheet 'Staff list'" in error.message
    wide = book_of(("Wide", [tuple(f"c{i}" for i in range(1200))], "visible"))
    error = fatal(wide)
    assert error.code == codes.MALFORMED_XLSX and "sheet 'Wide'" in error.message


def test_cells_read_as_shown_without_float_noise_or_escapes():
    assert cell_text(274.65999999999997) == "274.66"
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(1e20) == "1e+20"
    assert cell_text(dt.datetime(2027, 1, 31, 8, 30)) == "2027-01-31 08:30:00"
    assert cell_text("line_x000D_end") == "line\rend"


def test_a_cell_over_the_csv_cell_limit_is_refused_naming_sheet_and_cell():
    # Excel stops at 32,767 characters; a 20 MB cell is crafted XML.
    sheet = (
        b'<?xml version="1.0"?><worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Username</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>Action</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>ann</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>' + b"x" * (20 * MB) + b"</t></is></c></row>"
        b"</sheetData></worksheet>"
    )
    data = _replace_part(book_of(("Big", GOOD, "visible")), "xl/worksheets/sheet1.xml", sheet)
    error = fatal(data)
    assert error.code == codes.MALFORMED_XLSX
    assert "sheet 'Big'" in error.message and "cell B2" in error.message


def _strict(data: bytes) -> bytes:
    """The same workbook with Strict Open XML namespaces (as Excel's "Strict" save writes)."""
    import re

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.endswith((".xml", ".rels")):
                body = re.sub(
                    rb"http://schemas\.openxmlformats\.org/([A-Za-z]+)/2006/",
                    rb"http://purl.oclc.org/ooxml/\1/",
                    body,
                )
            dst.writestr(item.filename, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_strict_open_xml_workbook_is_read():
    data = _strict(workbook(("Username", "Action"), ("ann", "revokeall")))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"purl.oclc.org/ooxml/spreadsheetml/main" in archive.read("xl/workbook.xml")
    assert read(data)[1] == [(2, ("ann", "revokeall"))]


def test_xlsb_xls_and_ods_get_one_plain_message():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    xlsb = fatal(out.getvalue())
    xls = fatal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert xlsb.code == xls.code == codes.UNREADABLE_FILE
    assert xlsb.message == xls.message
    assert "Error" not in xlsb.message and ".xlsx" in xlsb.message


def test_openpyxl_warnings_do_not_reach_stderr(tmp_path):
    import subprocess
    import sys

    data = _replace_part(
        workbook(("Username", "Action"), ("ann", "revokeall")),
        "xl/styles.xml",  # openpyxl warns "Workbook contains no stylesheet" for this
        b'<?xml version="1.0"?><styleSheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
    )
    path = tmp_path / "no-styles.xlsx"
    path.write_bytes(data)
    child = (
        "import io, sys\n"
        "from plm.core.reader import inspect, records\n"
        "from pathlib import Path\n"
        "data = Path(sys.argv[1]).read_bytes()\n"
        "layout = inspect(lambda: io.BytesIO(data), required=['username'])\n"
        "print(len(list(records(lambda: io.BytesIO(data), layout))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "default", "-c", child, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (out.stdout, out.stderr) == ("1\n", "")


def test_text_repeated_through_shared_strings_is_counted_as_it_is_read() -> None:
    """One stored string, referenced by every row: the stored text is small, the text read is
    not, and the limit holds for what is read (sheet named, the limit in the message)."""
    long = "x" * 3_000
    data = workbook(("Username", "Action"), *[(long, "revokeall")] * 40)
    layout = inspect(lambda: io.BytesIO(data), required=["username", "action"], max_bytes=150_000)
    with pytest.raises(FatalFileError) as refused:
        list(records(lambda: io.BytesIO(data), layout, max_bytes=100_000))
    assert refused.value.code == codes.FILE_TOO_LARGE
    assert str(refused.value) == (
        "The workbook has more than 100,000 characters of text (sheet 'Sheet'), the limit for an "
        "import: split it into smaller files, or save it as CSV UTF-8."
    )
    exactly = len("UsernameAction") + 40 * len(long + "revokeall")
    assert len(list(records(lambda: io.BytesIO(data), layout, max_bytes=exactly))) == 40
    with pytest.raises(FatalFileError):
        list(records(lambda: io.BytesIO(data), layout, max_bytes=exactly - 1))


@pytest.mark.parametrize("index", ["-1", "+1", " " * 40 + "1", "0" * 40 + "1", "\u0661"], ids=repr)
def test_a_shared_string_index_counts_as_openpyxl_reads_it(index: str) -> None:
    """A cell's index is read with int(): signed, padded or in other digits it still names
    the long string, and the text limit must see it (these forms got past it)."""
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    strings = f"<sst {main}><si><t>a</t></si><si><t>{'x' * 3_000}</t></si></sst>"
    row = f'<row><c t="s"><v>{index}</v></c><c t="inlineStr"><is><t>revokeall</t></is></c></row>'
    sheet = (
        f'<worksheet {main}><sheetData><row><c t="inlineStr"><is><t>Username</t></is></c>'
        f'<c t="inlineStr"><is><t>Action</t></is></c></row>{row * 40}</sheetData></worksheet>'
    )
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    out = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(workbook(("Username", "Action"))))
    with base as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            body = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                body = sheet.encode()
            elif name == "[Content_Types].xml":
                body = body.replace(b"</Types>", override.encode())
            target.writestr(name, body)
        target.writestr("xl/sharedStrings.xml", strings)
    data = out.getvalue()
    layout = inspect(lambda: io.BytesIO(data), required=["username"], max_bytes=500_000)
    assert len(list(records(lambda: io.BytesIO(data), layout, max_bytes=500_000))) == 40
    with pytest.raises(FatalFileError) as refused:
        list(records(lambda: io.BytesIO(data), layout, max_bytes=100_000))
    assert refused.value.code == codes.FILE_TOO_LARGE
