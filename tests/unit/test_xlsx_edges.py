"""Workbook reader edges: exact limits, exact messages, shared strings, sheet lookup, Strict files.

Workbooks are written part by part here (openpyxl writes inline strings only, and never the
odd or hostile XML these tests need), then read through `sheet_rows` with small limits, so
every bound is checked at its edge: the value at the limit is read, one past it is refused.
"""

import datetime as dt
import io
import re
import zipfile
from xml.etree.ElementTree import ParseError

import pytest

from plm.core import codes
from plm.core.codes import FatalFileError
from plm.core.xlsx import (
    MAX_CELLS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_ROWS,
    MAX_SMALL_PART,
    cell_text,
    sheet_rows,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHARED = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def sheet(body: str) -> bytes:
    return (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def strings(*texts: str) -> bytes:
    return f'<sst xmlns="{MAIN}">{"".join(f"<si><t>{t}</t></si>" for t in texts)}</sst>'.encode()


def book(
    *sheets: tuple[str | None, bytes | None] | tuple[str | None, bytes | None, str, str],
    shared: bytes | None = None,
    shared_part: str = "xl/sharedStrings.xml",
    parts: dict[str, bytes] | None = None,
    workbook_extra: str = "",
    rels_extra: str = "",
    leave_out: tuple[str, ...] = (),
) -> bytes:
    """A workbook of `sheets`: (name, part) or (name, part, state, relationship target); a name
    of None leaves the attribute out, a part of None leaves the part out."""
    types = [f'<Override PartName="/xl/workbook.xml" ContentType="{WORKBOOK}"/>']
    entries, rels, files = [], [], {}
    for number, spec in enumerate(sheets, 1):
        name, xml, state, target = (
            spec if len(spec) == 4 else (*spec, "visible", f"/xl/worksheets/sheet{number}.xml")
        )
        named = "" if name is None else f'name="{name}" '
        entries.append(f'<sheet {named}sheetId="{number}" state="{state}" r:id="rId{number}"/>')
        rels.append(f'<Relationship Id="rId{number}" Type="{RELS}/worksheet" Target="{target}"/>')
        if xml is not None:
            files[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = xml
    if shared is not None:
        types.append(f'<Override PartName="/{shared_part}" ContentType="{SHARED}"/>')
        files[shared_part] = shared
    files["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{"".join(types)}</Types>'
    ).encode()
    files["_rels/.rels"] = (
        f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ).encode()
    files["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{"".join(entries)}</sheets>'
        f"{workbook_extra}</workbook>"
    ).encode()
    files["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{PACKAGE_RELS}">{"".join(rels)}{rels_extra}</Relationships>'
    ).encode()
    files.update(parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, body in files.items():
            if path not in leave_out:
                archive.writestr(path, body)
    return out.getvalue()


def read(
    data: bytes,
    *,
    max_bytes: int = 1_000_000,
    max_columns: int = 10,
    max_cell_chars: int | None = None,
    sheet: str | None = None,
) -> list[tuple[int, list[str]]]:
    return list(
        sheet_rows(
            io.BytesIO(data),
            max_bytes,
            max_columns,
            sheet=sheet,
            max_cell_chars=max_cell_chars,
        )
    )


def refused(data: bytes, **limits: object) -> FatalFileError:
    with pytest.raises(FatalFileError) as error:
        read(data, **limits)  # type: ignore[arg-type]
    return error.value


def malformed(detail: str, sheet: str | None = None) -> str:
    where = f"sheet {sheet!r}: " if sheet else ""
    return (
        f"The workbook cannot be read ({where}{detail}). Open it in your spreadsheet and save "
        'it again as "Excel Workbook (.xlsx)" or "CSV UTF-8".'
    )


def too_much(what: str, sheet: str | None = None) -> str:
    where = f" (sheet {sheet!r})" if sheet else ""
    return (
        f"The workbook has more than {what}{where}, the limit for an import: split it into "
        "smaller files, or save it as CSV UTF-8."
    )


def at(xml: bytes, tag: bytes) -> str:
    """Where expat reports a mismatched end `tag` in one-line XML."""
    return f"line 1, column {xml.index(tag) + 2}"  # the name after "</"


HEADER = f'<row r="1">{inline("A1", "Username")}{inline("B1", "Action")}</row>'


# Shared strings ---------------------------------------------------------------------------


def test_shared_strings_and_typed_cells_read_as_text():
    data = book(
        (
            "Data",
            sheet(
                f'{HEADER}<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>42</v></c>'
                '<c r="C2" t="s"><v>0</v></c></row>'
            ),
        ),
        shared=strings("revokeall", "ann"),
    )
    assert read(data) == [(1, ["Username", "Action"]), (2, ["ann", "42", "revokeall"])]


def test_shared_strings_over_the_text_limit_are_refused_before_any_sheet():
    data = book(("Data", sheet(HEADER)), shared=strings("x" * 500, "y" * 501))
    error = refused(data, max_bytes=1_000)
    assert (error.code, error.message) == (
        codes.FILE_TOO_LARGE,
        too_much("1,000 characters of text"),
    )


def test_shared_strings_stored_under_any_part_name_are_counted():
    # The part is found by its content type, whatever its name (here one starting with "X").
    data = book(("Data", sheet(HEADER)), shared=strings("x" * 1_001), shared_part="Xl/texts.xml")
    error = refused(data, max_bytes=1_000)
    assert (error.code, error.message) == (
        codes.FILE_TOO_LARGE,
        too_much("1,000 characters of text"),
    )


def test_shared_strings_may_use_the_whole_text_limit():
    data = book(
        ("Data", sheet('<row r="1"><c r="A1"/></row>')), shared=strings("x" * 600, "y" * 400)
    )
    assert read(data, max_bytes=1_000, sheet="Data") == [(1, [""])]


def test_a_cell_referring_to_a_shared_string_counts_its_length_in_the_sheet():
    # Each reference reads the whole string: two references to 499 characters, plus their
    # one-digit indexes, are 1,000 characters of the sheet's text.
    cells = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>0</v></c></row>'
    at_limit = book(("Data", sheet(cells)), shared=strings("a" * 499))
    assert read(at_limit, max_bytes=1_000) == [(1, ["a" * 499, "a" * 499])]
    over = book(("Data", sheet(cells)), shared=strings("a" * 500))
    error = refused(over, max_bytes=1_000)
    assert (error.code, error.message) == (
        codes.FILE_TOO_LARGE,
        too_much("1,000 characters of text", "Data"),
    )


def test_whitespace_between_shared_string_elements_is_not_text():
    shared = (
        f'<sst xmlns="{MAIN}">\n  <si>\n    <t>{"x" * 999}</t>\n  </si>\n'
        "  <si>\n    <r>\n      <rPr/>\n      <t></t>\n    </r>\n  </si>\n</sst>"
    ).encode()
    data = book(("Data", sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')), shared=shared)
    assert read(data, max_bytes=1_000) == [(1, ["x" * 999])]


def test_more_shared_strings_than_the_limit_are_refused():
    shared = f'<sst xmlns="{MAIN}">{"<si/>" * (MAX_SHARED_STRINGS + 1)}</sst>'.encode()
    error = refused(book(("Data", sheet(HEADER)), shared=shared), max_bytes=20_000_000)
    assert (error.code, error.message) == (
        codes.FILE_TOO_LARGE,
        too_much("2,000,000 different texts (shared strings)"),
    )


def test_exactly_the_shared_string_limit_passes_the_count():
    # The count passes, so the scan goes on to the sheet, which is refused for its own reason
    # (cheaper than having openpyxl load two million strings).
    shared = f'<sst xmlns="{MAIN}">{"<si/>" * MAX_SHARED_STRINGS}</sst>'.encode()
    bad = sheet(f"{HEADER}<row>")
    data = book(("Data", bad), shared=shared)
    error = refused(data, max_bytes=20_000_000)
    assert error.message == malformed(
        f"its content is not valid (mismatched tag: {at(bad, b'</sheetData>')})", "Data"
    )


def test_a_shared_strings_part_named_but_missing_is_a_missing_part():
    data = book(("Data", sheet(HEADER)), shared=strings("x"), leave_out=("xl/sharedStrings.xml",))
    assert refused(data).message == malformed("a part it refers to is missing")


# Sheet scan: text ------------------------------------------------------------------------


def test_sheet_text_at_the_limit_is_read_whitespace_between_elements_is_not_text():
    body = (
        f'\n  <row r="1">\n    {inline("A1", "a" * 500)}\n    <c r="B1">\n      <v>1</v>\n'
        f'    </c>\n    <c r="C1">\n      <f>1+1</f>\n      <v>2</v>\n    </c>\n  </row>\n'
        f'  <row r="2">\n    {inline("A2", "b" * 495)}\n  </row>\n'
    )
    data = book(("Data", sheet(body)))
    assert read(data, max_bytes=1_000) == [(1, ["a" * 500, "1", "2"]), (2, ["b" * 495])]


def test_sheet_text_past_the_limit_is_refused_naming_the_sheet():
    body = f'<row r="1">{inline("A1", "a" * 600)}</row><row r="2">{inline("A2", "b" * 401)}</row>'
    error = refused(book(("Data", sheet(body))), max_bytes=1_000)
    assert (error.code, error.message) == (
        codes.FILE_TOO_LARGE,
        too_much("1,000 characters of text", "Data"),
    )


# Sheet scan: rows and cells --------------------------------------------------------------


def test_rows_of_exactly_the_column_limit_are_read():
    body = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}"><v>{n * 10}</v></c></row>'
        for n in (1, 2, 3)
    )
    assert read(book(("Data", sheet(body))), max_columns=2) == [
        (1, ["1", "10"]),
        (2, ["2", "20"]),
        (3, ["3", "30"]),
    ]


def test_a_row_with_more_cells_than_the_limit_is_refused_by_number():
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="3">{}</row>'.format(
        "".join(f'<c r="{col}3"><v>1</v></c>' for col in "ABC")
    )
    error = refused(book(("Data", sheet(body))), max_columns=2)
    assert (error.code, error.message) == (
        codes.MALFORMED_XLSX,
        malformed("row 3 has more than 2 cells; at most 2 columns are allowed", "Data"),
    )


def test_a_too_wide_row_without_a_number_is_named_row_question_mark():
    body = "<row>{}</row>".format("<c><v>1</v></c>" * 3)
    error = refused(book(("Data", sheet(body))), max_columns=2)
    assert error.message == malformed(
        "row ? has more than 2 cells; at most 2 columns are allowed", "Data"
    )


def test_cells_outside_any_row_are_counted_too():
    one = sheet('<c r="A1"><v>5</v></c><row r="1"><c r="A1"><v>1</v></c></row>')
    assert read(book(("Data", one)), max_columns=1) == [(1, ["1"])]
    two = sheet('<c><v>5</v></c><c><v>6</v></c><row r="1"><c r="A1"><v>1</v></c></row>')
    error = refused(book(("Data", two)), max_columns=1)
    assert error.message == malformed(
        "row ? has more than 1 cells; at most 1 columns are allowed", "Data"
    )


def test_a_row_padded_past_the_column_limit_is_refused_by_its_width():
    # One cell, in column E: the scan counts one cell, the row read has five columns.
    data = book(("Data", sheet('<row r="1"><c r="E1"><v>1</v></c></row>')))
    assert read(data, max_columns=5) == [(1, ["", "", "", "", "1"])]
    error = refused(data, max_columns=4)
    assert (error.code, error.message) == (
        codes.MALFORMED_XLSX,
        malformed("row 1 has 5 columns; at most 4 are allowed", "Data"),
    )


def test_the_last_row_excel_allows_is_read():
    last = MAX_SHEET_ROWS
    data = book(("Data", sheet(f'{HEADER}<row r="{last}"><c r="A{last}"><v>7</v></c></row>')))
    rows = read(data, sheet="Data")
    assert (len(rows), rows[0], rows[-1]) == (last, (1, ["Username", "Action"]), (last, ["7"]))


def test_a_row_past_the_last_one_excel_allows_is_refused():
    last = MAX_SHEET_ROWS
    forged = book(("Data", sheet(f'{HEADER}<row r="{last + 1}"><c><v>7</v></c></row>')))
    error = refused(forged)
    assert (error.code, error.message) == (
        codes.MALFORMED_XLSX,
        malformed("it has more than 1,048,576 rows", "Data"),
    )
    # Rows without a number follow the one before: the scan cannot see this one, the read does.
    unnumbered = book(
        ("Data", sheet(f'{HEADER}<row r="{last}"><c><v>7</v></c></row><row><c><v>8</v></c></row>'))
    )
    error = refused(unnumbered, sheet="Data")
    assert (error.code, error.message) == (
        codes.MALFORMED_XLSX,
        malformed("it has more than 1,048,576 rows", "Data"),
    )


def test_more_cells_than_the_limit_are_refused_naming_the_sheet():
    body = f'<row r="1">{"<c/>" * (MAX_CELLS + 1)}</row>'
    error = refused(book(("Big", sheet(body))), max_bytes=10_000_000, max_columns=MAX_CELLS * 2)
    assert (error.code, error.message) == (
        codes.FILE_TOO_LARGE,
        too_much("5,000,000 cells", "Big"),
    )


def test_exactly_the_cell_limit_passes_the_count():
    # The count passes, so the scan goes on to the next sheet, refused for its own reason
    # (cheaper than having openpyxl read five million cells).
    big = sheet(f'<row r="1">{"<c/>" * MAX_CELLS}</row>')
    bad = sheet("<row>")
    data = book(("Big", big), ("Bad", bad))
    error = refused(data, max_bytes=10_000_000, max_columns=MAX_CELLS * 2)
    assert error.message == malformed(
        f"its content is not valid (mismatched tag: {at(bad, b'</sheetData>')})", "Bad"
    )


def test_a_cell_at_the_cell_limit_is_read_one_past_it_is_refused_by_column_and_row():
    def data(text: str) -> bytes:
        cells = "".join(f'<c r="{col}3"><v>1</v></c>' for col in ("Z", "AA"))
        return book(("Data", sheet(f'<row r="3">{cells}{inline("AB3", text)}</row>')))

    rows = read(data("12345"), max_columns=30, max_cell_chars=5)
    assert rows[-1] == (3, [""] * 25 + ["1", "1", "12345"])
    error = refused(data("123456"), max_columns=30, max_cell_chars=5)
    assert (error.code, error.message) == (
        codes.MALFORMED_XLSX,
        malformed("cell AB3 has 6 characters; at most 5 are allowed", "Data"),
    )


# Sheet scan: XML -------------------------------------------------------------------------


def test_a_sheet_cut_short_is_refused_by_the_scan():
    cut = sheet(HEADER).replace(b"</sheetData></worksheet>", b"")
    error = refused(book(("Data", cut)))
    assert error.message == malformed(
        f"its content is not valid (no element found: line 1, column {len(cut)})", "Data"
    )


def test_a_sheet_that_is_not_xml_is_refused_naming_the_sheet():
    error = refused(book(("Data", b"PK\x03\x04 not xml")))
    assert (error.code, error.message) == (
        codes.MALFORMED_XLSX,
        malformed(
            "its content is not valid (not well-formed (invalid token): line 1, column 2)", "Data"
        ),
    )


def test_a_sheet_with_a_document_type_is_refused():
    doctype = b'<?xml version="1.0"?><!DOCTYPE worksheet>' + sheet(HEADER)[21:]
    error = refused(book(("Data", doctype)))
    assert error.code == codes.MALFORMED_XLSX
    assert "(it contains XML entity definitions, which are not allowed)" in error.message


def test_an_undefined_entity_in_a_sheet_is_described_as_an_entity():
    data = book(("Data", sheet(f'{HEADER}<row r="2"><c r="A2"><v>&lol;</v></c></row>')))
    assert refused(data).message == malformed(
        "it contains XML entity definitions, which are not allowed", "Data"
    )


# Sheet lookup ----------------------------------------------------------------------------


def scanned_as(data: bytes) -> str:
    """The name the scan gives the too-wide row of `data` (read with at most 2 columns)."""
    error = refused(data, max_columns=2)
    assert error.code == codes.MALFORMED_XLSX
    return error.message


WIDE = sheet('<row r="1"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>')
WIDE_DETAIL = "row 1 has more than 2 cells; at most 2 columns are allowed"


def test_a_sheet_target_relative_to_the_workbook_is_scanned_under_its_name():
    data = book(("Data", WIDE, "visible", "worksheets/sheet1.xml"))
    assert scanned_as(data) == malformed(WIDE_DETAIL, "Data")


def test_a_sheet_target_of_any_case_is_scanned_under_its_name():
    data = book(("Data", WIDE, "visible", "/XL/Data.xml"))
    assert scanned_as(data) == malformed(WIDE_DETAIL, "Data")


def test_a_sheet_without_a_name_is_scanned_under_its_part_name():
    assert scanned_as(book((None, WIDE))) == malformed(WIDE_DETAIL, "xl/worksheets/sheet1.xml")


def test_a_worksheet_part_no_sheet_names_is_scanned_too():
    data = book(("Data", sheet(HEADER)), parts={"xl/worksheets/extra.xml": WIDE})
    assert scanned_as(data) == malformed(WIDE_DETAIL, "xl/worksheets/extra.xml")


def test_parts_that_are_not_worksheets_are_not_scanned_as_sheets():
    # Custom XML that looks like a too-wide sheet, even when the workbook points at it.
    data = book(
        ("Data", sheet(HEADER)),
        parts={"customXml/item1.xml": WIDE},
        workbook_extra='<extLst><ext uri="{00000000}"><part r:id="rId9"/></ext></extLst>',
        rels_extra=f'<Relationship Id="rId9" Type="{RELS}/customXml" Target="/customXml/item1.xml"/>',
    )
    assert read(data, max_columns=2) == [(1, ["Username", "Action"])]


def test_a_workbook_part_that_is_not_xml_is_described_as_such():
    data = book(("Data", sheet(HEADER)), parts={"xl/workbook.xml": b"<workbook"})
    assert refused(data).message == malformed(
        "a part is not well-formed XML (unclosed token: line 1, column 0)"
    )


def test_a_workbook_whose_only_sheet_part_is_missing_has_no_worksheet():
    error = refused(book(("Data", None)))
    assert (error.code, error.message) == (
        codes.MALFORMED_XLSX,
        malformed("it has no worksheet"),
    )


# Choosing the sheet ----------------------------------------------------------------------


def test_an_unknown_sheet_is_refused_listing_every_sheet_and_which_are_hidden():
    data = book(
        ("First", sheet(HEADER)),
        ("Old", sheet(HEADER), "hidden", "/xl/worksheets/sheet2.xml"),
        ("Third", sheet(HEADER)),
    )
    error = refused(data, sheet="Nope")
    assert (error.code, error.message) == (
        codes.SHEET_NOT_FOUND,
        "The workbook has no sheet named 'Nope'; its sheets are 'First', 'Old' (hidden), "
        "'Third'. Choose one of them, or leave the sheet empty to read the first one with "
        "content.",
    )


def test_a_workbook_without_visible_content_lists_its_sheets():
    blank = sheet(f'<row r="1">{inline("A1", "   ")}<c r="B1"/></row>')
    data = book(("Blank", blank), ("Data", sheet(HEADER), "hidden", "/xl/worksheets/sheet2.xml"))
    error = refused(data)
    assert (error.code, error.message) == (
        codes.EMPTY_FILE,
        "The workbook has no visible sheet with content (sheets: 'Blank', 'Data' (hidden)): "
        "put the header row and data rows on its first sheet, or choose the sheet to read.",
    )


def test_a_sheet_of_blank_and_empty_cells_is_skipped_for_the_next():
    blank = sheet(f'<row r="1">{inline("A1", "   ")}<c r="B1" s="0"/></row><row r="2"/>')
    data = book(("Blank", blank), ("Data", sheet(HEADER)))
    assert read(data) == [(1, ["Username", "Action"])]


def test_a_cell_that_cannot_be_read_is_refused_naming_the_sheet():
    # openpyxl reads a number cell as int() or float(): "abc" is neither.
    data = book(("Data", sheet('<row r="1"><c r="A1"><v>abc</v></c></row>')))
    expected = malformed(
        "its content is not valid (invalid literal for int() with base 10: 'abc')", "Data"
    )
    assert refused(data).message == expected  # while looking for the first sheet with content
    assert refused(data, sheet="Data").message == expected  # while reading the chosen sheet


def test_a_long_failure_is_cut_to_two_hundred_characters():
    data = book(("Data", sheet(f'<row r="1"><c r="A1"><v>{"x" * 300}</v></c></row>')))
    detail = f"invalid literal for int() with base 10: '{'x' * 300}'"[:200]
    assert refused(data).message == malformed(f"its content is not valid ({detail})", "Data")


# Strict Open XML -------------------------------------------------------------------------


def strict(data: bytes, first: dict[str, bytes]) -> bytes:
    """`data` with Strict namespaces, `first` (binary parts) stored ahead of the XML parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for path, body in first.items():
            dst.writestr(path, body)
        for item in src.infolist():
            dst.writestr(
                item.filename,
                re.sub(
                    rb"http://schemas\.openxmlformats\.org/([A-Za-z]+)/2006/",
                    rb"http://purl.oclc.org/ooxml/\1/",
                    src.read(item.filename),
                ),
                zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def test_a_strict_workbook_with_binary_parts_is_read_whole():
    data = strict(
        book(("Data", sheet(HEADER))),
        {"docProps/thumbnail.jpeg": b"\xff\xd8\xff" + bytes(range(256)) * 8},
    )
    assert read(data) == [(1, ["Username", "Action"])]


def test_a_strict_workbook_that_cannot_be_converted_is_refused():
    # A stored part whose bytes no longer match its checksum: found while converting.
    data = bytearray(strict(book(("Data", sheet(HEADER))), {"docProps/thumbnail.jpeg": b"J" * 64}))
    data[data.index(b"J" * 64)] = ord("K")
    error = refused(bytes(data))
    assert (error.code, error.message) == (
        codes.MALFORMED_XLSX,
        malformed("a Strict Open XML workbook that cannot be converted"),
    )


# Archive ---------------------------------------------------------------------------------


def padded(size: int) -> bytes:
    """An XML part of exactly `size` bytes (mostly spaces, so it compresses to almost nothing)."""
    body = b'<?xml version="1.0"?><x xmlns="urn:x">'
    return body + b" " * (size - len(body) - 4) + b"</x>"


@pytest.mark.parametrize(
    "name", ["customXml/item1.xml", "customXml/_rels/item1.xml.rels", "docProps/Extra.XML"]
)
def test_a_part_openpyxl_parses_whole_is_refused_past_sixteen_megabytes(name):
    at_limit = book(("Data", sheet(HEADER)), parts={name: padded(MAX_SMALL_PART)})
    assert read(at_limit, max_bytes=10_000_000) == [(1, ["Username", "Action"])]
    over = book(("Data", sheet(HEADER)), parts={name: padded(MAX_SMALL_PART + 1)})
    error = refused(over, max_bytes=10_000_000)
    assert (error.code, error.message) == (
        codes.MALFORMED_XLSX,
        malformed(f"its part {name} is too large"),
    )


@pytest.mark.parametrize(
    "name",
    [
        "xl/sharedStrings.xml",
        "xl/pivotCache/pivotCacheRecords1.xml",
        "xl/externalLinks/externalLink1.xml",
        "xl/media/image1.png",
    ],
)
def test_parts_read_as_streams_or_not_at_all_may_be_larger(name):
    data = book(("Data", sheet(HEADER)), parts={name: padded(MAX_SMALL_PART + 1)})
    assert read(data, max_bytes=10_000_000) == [(1, ["Username", "Action"])]


# Cell text -------------------------------------------------------------------------------


def test_cell_text_edges():
    assert cell_text("_x0041__x0062_c") == "Abc"
    assert cell_text(999_999_999_999_999.0) == "999999999999999"
    assert cell_text(1e15) == "1e+15"
    assert cell_text(-1e15) == "-1e+15"
    assert cell_text(42) == "42"
    assert cell_text(dt.date(2027, 1, 31)) == "2027-01-31"


# Failure descriptions no real file here can produce ---------------------------------------


def describe(exc: Exception) -> str:
    # Called directly: this openpyxl, without lxml, and expat never raise these.
    from plm.core.xlsx import _describe

    return _describe(exc)


class XMLSyntaxError(Exception):
    """The name lxml's parse error has (openpyxl uses lxml when it is installed)."""


def test_failures_without_a_message_are_described_plainly():
    assert describe(ValueError()) == "its content is not valid"
    assert describe(ValueError("  \n")) == "its content is not valid"
    assert describe(ParseError("")) == "a part is not XML"


def test_lxml_failures_are_described_like_the_standard_parsers():
    assert describe(XMLSyntaxError("Opening and ending tag mismatch: a line 1 and b")) == (
        "a part is not well-formed XML (Opening and ending tag mismatch: a line 1 and b)"
    )
    assert describe(XMLSyntaxError("DTD is prohibited, line 1, column 10")) == (
        "it contains XML entity definitions, which are not allowed"
    )


def test_any_defusedxml_refusal_is_described_as_entity_definitions():
    from defusedxml import ExternalReferenceForbidden

    assert describe(ExternalReferenceForbidden(None, None, "http://x/a.dtd", None)) == (
        "it contains XML entity definitions, which are not allowed"
    )
