"""The byte scan across block boundaries, and the reader's edges: what each counts, the line
and row numbers it names, Excel's `sep=` line, and the exact text of each fatal error."""

import io

import pytest
from openpyxl import Workbook

from plm.core import codes
from plm.core.codes import FatalFileError
from plm.core.encoding import SAMPLE_BYTES, Scan, scan
from plm.core.reader import MAX_COLUMNS, header_key, inspect, records

LONG = 4 * SAMPLE_BYTES
"""The longest piece of a line without a line break that `scan` keeps before judging it."""
REQUIRED = ["username", "action"]
UNREADABLE = (
    "The file is not readable text (binary data, NUL bytes or an unknown encoding). "
    "Save it from your spreadsheet as CSV (UTF-8) and import it again."
)
EMPTY = "it needs a header row and data rows."


def fatal(data: bytes, **options: str) -> FatalFileError:
    with pytest.raises(FatalFileError) as error:
        layout = inspect(lambda: io.BytesIO(data), required=REQUIRED, **options)
        list(records(lambda: io.BytesIO(data), layout))
    return error.value


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- scan: counts, line numbers, samples --------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
@pytest.mark.parametrize(
    "cuts",
    [(), ((1, 0),), ((1, 3), (4, 1))],
    ids=["one-block", "after-an-ascii-line", "inside-lines"],
)
def test_a_mixed_file_names_its_lines_whatever_the_line_breaks_and_blocks(
    eol: bytes, cuts: tuple[tuple[int, int], ...]
) -> None:
    lines = [b"a", b"M\xfcller", b"b", b"Jos\xc3\xa9", b"Zo\xc3\xab", b"c"]
    data = b"".join(line + eol for line in lines)
    # (line index, bytes into it) -> a chunk boundary
    bounds = [sum(len(line + eol) for line in lines[:index]) + into for index, into in cuts]
    chunks = [data[a:b] for a, b in zip([0, *bounds], [*bounds, len(data)], strict=True)]
    found = scan(chunks)
    assert (found.first_other_line, found.first_utf8_line) == (2, 4)
    assert (found.other_lines, found.utf8_lines) == (1, 2)
    assert found.high_bytes == {0xFC} and found.sample == [b"M\xfcller"]


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
@pytest.mark.parametrize(
    ("lines", "first_other", "first_utf8"),
    [
        # A block of another encoding, then an ASCII block, then a UTF-8 one, then another one.
        ([[b"a", b"M\xfc"], [b"b", b"c"], [b"Jos\xc3\xa9"], [b"N\xfc"]], 2, 5),
        # A UTF-8 block first, then an ASCII block, then one of another encoding.
        ([[b"a", b"Jos\xc3\xa9", b"Zo\xc3\xab"], [b"b"], [b"c", b"M\xfc"], [b"N\xfc"]], 6, 2),
    ],
    ids=["other-first", "utf8-first"],
)
def test_lines_are_counted_across_blocks_of_every_kind(
    eol: bytes, lines: list[list[bytes]], first_other: int, first_utf8: int
) -> None:
    found = scan([b"".join(line + eol for line in block) for block in lines])
    assert (found.first_other_line, found.first_utf8_line) == (first_other, first_utf8)
    assert (found.other_lines, found.utf8_lines) == (2, 1)


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
def test_a_character_cut_at_the_end_of_a_full_chunk_of_lines_is_still_utf8(eol: bytes) -> None:
    unit = b"a,b" + eol
    count = (LONG - 4) // len(unit)
    head = b"a" * (LONG - 4 - count * len(unit)) + unit * count + b"Jos\xc3"
    assert len(head) == LONG
    found = scan([head, b"\xa9" + eol])
    assert (found.utf8_lines, found.other_lines, found.first_utf8_line) == (1, 0, count + 1)


def test_every_utf8_block_and_every_other_line_counts() -> None:
    found = scan([b"Jos\xc3\xa9\n", b"Zo\xc3\xab\n", b"Ren\xc3\xa9\n", b"M\xfc\nN\xfc\nZo\xeb\n"])
    assert (found.utf8_lines, found.other_lines, found.first_other_line) == (3, 3, 4)
    assert found.high_bytes == {0xFC, 0xEB}


@pytest.mark.parametrize(
    "chunks",
    [
        [b"Jos\xc3", b"\xa9,assign\n"],  # a character cut between chunks
        [b"Jos\xc3\xa9,", b"assign"],  # no line break at all
        [b"Jos\xc3\xa9"],
    ],
)
def test_a_line_cut_between_chunks_is_judged_whole(chunks: list[bytes]) -> None:
    assert scan(chunks) == Scan(utf8_lines=1, first_utf8_line=1)


def test_a_last_line_without_a_line_break_is_read_from_its_first_byte() -> None:
    assert scan([b"a,b\n\xc3\x89ric"]) == Scan(utf8_lines=1, first_utf8_line=2)
    assert scan([b"a,b\n", b"\xc9ric"]).first_other_line == 2


@pytest.mark.parametrize(
    "chunks",
    [
        # The first chunk is exactly the longest piece kept: judged alone, it is clean ASCII.
        [b"x" * LONG, b"y" * (LONG - 4) + b"\xc3", b"\xa9\n"],
        [b"x" * LONG, b"y" * (SAMPLE_BYTES - 1) + b"\xc3", b"\xa9\n"],
        # A line break as the first byte of a chunk ends a line.
        [b"\n" + b"x" * (LONG - 2) + b"\xc3", b"\xa9\n"],
    ],
    ids=["long-line-then-almost-long", "long-line-then-more", "break-first"],
)
def test_a_very_long_line_is_judged_in_pieces_only_past_the_limit(chunks: list[bytes]) -> None:
    found = scan(chunks)
    assert (found.utf8_lines, found.other_lines) == (1, 0)
    assert found.first_utf8_line == chunks[0].count(b"\n") + 1


@pytest.mark.parametrize(
    ("first", "sampled"),
    [(SAMPLE_BYTES - 1, 2), (SAMPLE_BYTES, 1)],
    ids=["under-the-sample-size", "the-sample-size"],
)
def test_lines_are_sampled_until_the_sample_size_is_reached(first: int, sampled: int) -> None:
    lines = [b"M\xfc" + b"a" * (first - 2), b"N\xfc", b"Zo\xeb"]
    found = scan([b"\n".join(lines) + b"\n"])
    assert found.sample == lines[:sampled]
    assert found.other_lines == 3


# --- reader: numbering, sep= line, delimiter, header keys ----------------------------------


def test_blank_lines_before_the_header_keep_the_spreadsheet_row_numbers() -> None:
    data = b"\r\n \r\nUsername;Action\r\nann;assign\r\n"
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    assert (layout.header_row, layout.delimiter, layout.sheet) == (3, ";", "")
    assert list(records(lambda: io.BytesIO(data), layout)) == [(4, ("ann", "assign"))]


@pytest.mark.parametrize(
    ("sep", "delimiter"),
    [(";", ";"), ("\t", "\t"), ("|", "|"), ("X", "X")],
    ids=["semicolon", "tab", "pipe", "letter"],
)
def test_excels_sep_line_names_the_delimiter_and_is_not_a_row(sep: str, delimiter: str) -> None:
    # The header has more commas than the delimiter named: the sep= line wins over sniffing.
    header = sep.join(["Username", "Action", "Notes, a, b, c"])
    data = f"sep={sep}\r\n{header}\r\nann{sep}assign{sep}x\r\n".encode()
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    assert (layout.delimiter, layout.header_row) == (delimiter, 1)
    assert list(records(lambda: io.BytesIO(data), layout)) == [(2, ("ann", "assign", "x"))]


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
def test_a_sep_line_naming_no_character_is_read_as_the_header(eol: bytes) -> None:
    error = fatal(eol.join([b"sep=", b"Username,Action", b"ann,assign", b""]))
    assert error.code == codes.MISSING_COLUMN
    assert "(row 1); found 'sep='." in error.message


def test_a_line_break_inside_a_quoted_cell_is_kept_and_rows_are_records() -> None:
    data = b'Username,Action,Notes\r\nann,assign,"two\r\nlines"\r\nbob,revoke,"a\rb"\r\n'
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    assert list(records(lambda: io.BytesIO(data), layout)) == [
        (2, ("ann", "assign", "two\r\nlines")),
        (3, ("bob", "revoke", "a\rb")),
    ]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("User_Name", "username"),
        ("User_name\u200b", "username"),  # zero-width: not ASCII
        ("Lic\u00e9nce_ID", "lic\u00e9nceid"),
        ("Licence\u2013ID\u00a0", "licenseid"),
    ],
)
def test_header_names_match_without_underscores_dashes_or_spaces(name: str, key: str) -> None:
    assert header_key(name) == key


# --- reader: the exact text of each fatal error --------------------------------------------


@pytest.mark.parametrize(
    ("data", "row", "detail"),
    [
        (b'"Username,Action\n', 1, "unexpected end of data"),
        (b'Username,Action\nann,"assign\n', 2, "unexpected end of data"),
    ],
    ids=["first-row", "second-row"],
)
def test_a_broken_csv_names_the_row_and_what_to_check(data: bytes, row: int, detail: str) -> None:
    error = fatal(data)
    assert error.code == codes.MALFORMED_CSV
    assert error.message == (
        f"Row {row}: the CSV structure is broken ({detail}). "
        "Check for an unclosed quote or a very long cell, then save the file again."
    )


def test_the_missing_columns_are_named_as_described() -> None:
    with pytest.raises(FatalFileError) as error:
        inspect(
            lambda: io.BytesIO(b"Name,Note\n"), required=REQUIRED, describe={"username": "User"}
        )
    assert error.value.message == (
        "Missing column(s) User, action in the header row (row 1); found 'Name', 'Note'. "
        "The first row must name the columns, as in an export."
    )


def test_a_row_over_the_column_limit_names_its_row_and_the_limit() -> None:
    data = b"Username,Action\n" + b",".join([b"x"] * (MAX_COLUMNS + 1)) + b"\n"
    error = fatal(data)
    assert error.code == codes.MALFORMED_CSV
    assert error.message == (
        f"Row 2 has {MAX_COLUMNS + 1} columns; at most {MAX_COLUMNS} are allowed."
    )


@pytest.mark.parametrize(
    ("data", "options"),
    [
        # A byte-order mark or a chosen encoding skips the scan: the read itself refuses NUL.
        (b"\xef\xbb\xbfUsername,Action\nann\x00,assign\n", {}),
        (b"Username,Action\nann\x00,assign\n", {"encoding": "cp1252"}),
        # The scan refuses NUL before it could find the file mixed.
        (b"Username,Action\nann\x00,assign\nJos\xc3\xa9,x\nM\xfc,y\n", {}),
        ("Username,Action\nann\x00,assign\n".encode("utf-16"), {}),
    ],
    ids=["bom", "chosen", "scanned", "utf-16"],
)
def test_a_nul_byte_makes_any_text_file_unreadable(data: bytes, options: dict[str, str]) -> None:
    error = fatal(data, **options)
    assert (error.code, error.message) == (codes.UNREADABLE_FILE, UNREADABLE)


@pytest.mark.parametrize(
    ("data", "options", "where"),
    [
        (b"\n \r\n,\n", {}, ""),
        (workbook(), {"sheet": "Sheet"}, " (sheet 'Sheet')"),
    ],
    ids=["csv", "workbook"],
)
def test_a_file_of_blank_rows_is_empty(data: bytes, options: dict[str, str], where: str) -> None:
    error = fatal(data, **options)
    assert (error.code, error.message) == (codes.EMPTY_FILE, f"The file is empty{where}: {EMPTY}")


def test_a_workbook_is_not_a_detected_text_encoding_and_has_no_delimiter() -> None:
    data = workbook(["Username", "Action"], ["Z\u00e9\u00e8\u00ea\u00eb\u00c0", "assign"])
    layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    assert (layout.delimiter, layout.detected, layout.data_rows) == ("", False, 1)
    error = fatal(workbook(["Name", "Action"], ["ann", "assign"]))
    assert error.message == (
        "Missing column(s) username in the header row (row 1 of sheet 'Sheet'); "
        "found 'Name', 'Action'. The first row must name the columns, as in an export."
    )
