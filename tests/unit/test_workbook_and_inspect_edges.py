"""Workbook scan and first-pass edges: text cut between read blocks, shared-string references
at their edges, stray values, and the exact messages `inspect` gives for files it refuses."""

import codecs
import io
import zipfile

import pytest

from plm.core import codes
from plm.core.codes import FatalFileError
from plm.core.reader import inspect
from plm.core.xlsx import sheet_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
SHARED = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
BLOCK = 1024 * 1024  # the scan reads each part in blocks of this size
SHEET_HEAD = f'<worksheet xmlns="{MAIN}">'


def book(sheet: bytes, shared: bytes) -> bytes:
    """A one-sheet workbook named 'S' with its shared strings."""
    files = {
        "[Content_Types].xml": (
            f'<Types xmlns="{TYPES}"><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{WORKBOOK}"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED}"/></Types>'
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, body in files.items():
            archive.writestr(path, body)
    return out.getvalue()


def sheet(cells: str, before: str = "", pad: int = 0) -> bytes:
    """One row of `cells`; `pad` spaces before it, `before` ahead of the sheet data."""
    return f'{SHEET_HEAD}{before}<sheetData>{" " * pad}<row r="1">{cells}</row></sheetData></worksheet>'.encode()


def strings(*texts: str, pad: int = 0) -> bytes:
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return f'<sst xmlns="{MAIN}">{" " * pad}{items}</sst>'.encode()


def shared(ref: str, index: str, formula: str = "") -> str:
    return f'<c r="{ref}" t="s">{formula}<v>{index}</v></c>'


def read(data: bytes, max_bytes: int) -> list[tuple[int, list[str]]]:
    return list(sheet_rows(io.BytesIO(data), max_bytes, 10))


def too_much(data: bytes, max_bytes: int) -> str:
    with pytest.raises(FatalFileError) as error:
        read(data, max_bytes)
    assert error.value.code == codes.FILE_TOO_LARGE
    return error.value.message


def text_limit(limit: int) -> str:
    return (
        f"The workbook has more than {limit:,} characters of text (sheet 'S'), the limit for an "
        "import: split it into smaller files, or save it as CSV UTF-8."
    )


LONG = 300_000
LIMIT = 400_000  # one reference to the long string fits, two do not


def test_a_shared_string_index_cut_between_read_blocks_is_counted_whole() -> None:
    strings_part = strings(*"abcdefghij", "x" * LONG)  # index 10 is the long one
    start = f'{SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>1'
    pad = BLOCK - len(start)  # "1" ends the first block, "0" starts the next
    data = book(sheet(shared("A1", "10") + shared("B1", "10"), pad=pad), strings_part)
    assert sheet(shared("A1", "10"), pad=pad)[BLOCK - 1 : BLOCK + 1] == b"10"
    assert too_much(data, LIMIT) == text_limit(LIMIT)


def test_a_shared_string_cut_between_read_blocks_is_counted_whole() -> None:
    pad = BLOCK - len(f'<sst xmlns="{MAIN}"><si><t>') - LONG // 2  # the cut falls mid-string
    data = book(sheet(shared("A1", "0") + shared("B1", "0")), strings("x" * LONG, pad=pad))
    assert too_much(data, LIMIT) == text_limit(LIMIT)


def test_a_formula_in_a_shared_string_cell_is_not_counted_as_a_reference() -> None:
    # counted: "1" (formula) + "0" (index) + the 2,000 characters of string 0 read
    cells = shared("A1", "0", formula="<f>1</f>")
    data = book(sheet(cells), strings("a" * 2000, "b" * 2000))
    assert read(data, 4001) == [(1, ["a" * 2000])]


def test_a_value_outside_any_cell_is_text_not_a_shared_string_reference() -> None:
    data = book(sheet(shared("A1", "0"), before="<sheetPr><v>0</v></sheetPr>"), strings("a" * 2000))
    assert read(data, 2002) == [(1, ["a" * 2000])]  # the stray "0" is one character


def test_an_empty_shared_string_value_reads_as_an_empty_cell() -> None:
    data = book(sheet('<c r="A1" t="s"><v></v></c>' + shared("B1", "0")), strings("a"))
    assert read(data, 100_000) == [(1, ["", "a"])]


def test_a_shared_string_index_past_the_last_string_is_malformed() -> None:
    with pytest.raises(FatalFileError) as error:
        read(book(sheet(shared("A1", "1")), strings("a")), 100_000)
    assert error.value.code == codes.MALFORMED_XLSX
    assert error.value.message == (
        "The workbook cannot be read (sheet 'S': its content is not valid (list index out of "
        'range)). Open it in your spreadsheet and save it again as "Excel Workbook (.xlsx)" or '
        '"CSV UTF-8".'
    )


REQUIRED = ["username", "action"]


def inspect_fatal(data: bytes, **options: object) -> FatalFileError:
    with pytest.raises(FatalFileError) as error:
        inspect(lambda: io.BytesIO(data), required=REQUIRED, **options)  # type: ignore[arg-type]
    return error.value


def test_an_empty_file_is_refused_with_what_it_needs() -> None:
    error = inspect_fatal(b"")
    assert (error.code, error.message) == (
        codes.EMPTY_FILE,
        "The file is empty: it needs a header row and data rows.",
    )


def test_a_file_that_cannot_be_opened_names_the_system_reason() -> None:
    def missing() -> io.BytesIO:
        raise FileNotFoundError(2, "No such file or directory", "/gone.csv")

    with pytest.raises(FatalFileError) as error:
        inspect(missing, required=REQUIRED)
    assert (error.value.code, error.value.message) == (
        codes.UNREADABLE_FILE,
        "The file cannot be opened: No such file or directory.",
    )


UNREADABLE = (
    "The file is not readable text (binary data, NUL bytes or an unknown encoding). "
    "Save it from your spreadsheet as CSV (UTF-8) and import it again."
)


@pytest.mark.parametrize(
    "data",
    [
        b"Username,Action\n\x01\xe9\x02,assign\n",  # control characters: binary
        codecs.BOM_UTF16_LE + "Username,Action\n".encode("utf-16-le") + b"\x00\xd8a\x00",
    ],
    ids=["control-characters", "utf16-lone-surrogate"],
)
def test_binary_or_undecodable_text_is_refused_as_unreadable(data: bytes) -> None:
    error = inspect_fatal(data)
    assert (error.code, error.message) == (codes.UNREADABLE_FILE, UNREADABLE)


def test_a_chosen_encoding_that_does_not_fit_names_it_and_the_way_out() -> None:
    error = inspect_fatal(b"Username,Action\n\x81\x8d,revokeall\n", encoding="cp1252")
    assert (error.code, error.message) == (
        codes.UNKNOWN_ENCODING,
        "The file is not in Windows-1252 (Western European), the encoding chosen: some of its "
        'bytes mean nothing in it. Choose another encoding, or save the file as "CSV UTF-8".',
    )


def test_a_chosen_utf16_that_does_not_fit_is_refused_by_its_name() -> None:
    error = inspect_fatal(b"x", encoding="utf-16")  # one byte: half a UTF-16 character
    assert (error.code, error.message) == (
        codes.UNKNOWN_ENCODING,
        "The file is not in UTF-16 (with BOM), the encoding chosen: some of its bytes mean "
        'nothing in it. Choose another encoding, or save the file as "CSV UTF-8".',
    )


def test_a_file_of_exactly_the_size_limit_is_read_and_one_byte_more_is_not() -> None:
    data = b"Username,Action\nann,assign\n"
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED, max_bytes=len(data))
    assert layout.encoding == "utf-8"
    assert inspect_fatal(data, max_bytes=len(data) - 1).code == codes.FILE_TOO_LARGE
