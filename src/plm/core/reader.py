"""Reading a CSV upload: bytes -> spreadsheet-numbered records, or one fatal file error.

The file is read twice: a first pass checks everything that could make the whole file fatal
(encoding, structure, size, header), so that nothing is applied from a file that later turns out
to be broken; the second pass streams records. Neither pass holds the file in memory.
"""

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO, NamedTuple

from plm.core import encoding as encodings
from plm.core import xlsx
from plm.core.codes import (
    EMPTY_FILE,
    FILE_TOO_LARGE,
    MALFORMED_CSV,
    MISSING_COLUMN,
    UNKNOWN_ENCODING,
    UNREADABLE_FILE,
    FatalFileError,
)
from plm.core.text import is_invisible, nfc, strip_invisible

Opener = Callable[[], BinaryIO]
"""Opens the upload from its start; called once per pass."""

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
XLSX = "xlsx"
"""Layout.encoding of a workbook: the file is read as a sheet, not decoded as text."""
MAX_CELL_CHARS = 1024 * 1024
MAX_COLUMNS = 1000
_CHUNK = 1024 * 1024
_DELIMITERS = (",", ";", "\t")

csv.field_size_limit(MAX_CELL_CHARS)


_SEP_LINE = re.compile(r'\s*"?sep=(.)"?\s*', re.IGNORECASE)
"""Excel's first line `sep=;`: names the delimiter; it is not a row (Excel does not show it)."""


def header_key(name: str) -> str:
    """Column names match ignoring case, spaces (non-breaking and zero-width too), `_` and dashes;
    the British `Licence` is `License` (`License ID` = `license_id` = `Licence ID`)."""
    if name.isascii():
        key = "".join(ch for ch in name.casefold() if ch not in " _-\t\r\n")
    else:
        name = unicodedata.normalize("NFKC", name).casefold()
        key = "".join(
            ch
            for ch in name
            if not (ch == "_" or is_invisible(ch) or unicodedata.category(ch) == "Pd")
        )
    return key.replace("licence", "license")


def clean_cell(value: str) -> str:
    """Trim, and drop one leading `'` (our exports add it against formula injection)."""
    value = value.strip() if value.isascii() else strip_invisible(nfc(value))
    if value.startswith("'"):
        value = value[1:].strip()
    return value


@dataclass(frozen=True)
class Layout:
    """What the first pass learned: how to decode and split the file, and where the columns are."""

    encoding: str
    """The codec the file was read with (`utf-8`, `utf-8-sig`, `utf-16`, `cp1250`, ...), or
    `xlsx` for a workbook. `encodings.label(encoding)` names it for people."""
    delimiter: str
    header: tuple[str, ...]
    header_row: int
    columns: dict[str, int]
    """header_key -> index of its first occurrence."""
    data_rows: int
    """Data records that are not blank (what `rows` counts)."""
    sha256: str = ""
    """Of the file's bytes: a resumed import must be given the same file."""
    sheet: str = ""
    """The name of the sheet read, for a workbook ("" for CSV)."""
    detected: bool = False
    """True when the encoding was guessed from the bytes (not a BOM, not chosen by the user)."""

    def has(self, key: str) -> bool:
        return key in self.columns

    @property
    def encoding_label(self) -> str:
        """How to show the encoding with the import: `Windows-1250 (Central European)`."""
        if self.encoding == XLSX:
            return f"Excel workbook, sheet {self.sheet!r}"
        return encodings.label(self.encoding)


class Record(NamedTuple):
    """One non-blank data record: its spreadsheet row number and its cells, cleaned."""

    row: int
    cells: tuple[str, ...]

    def get(self, layout: Layout, key: str) -> str:
        index = layout.columns.get(key)
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]


def _detect_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _sniff_delimiter(line: str) -> str:
    """The delimiter is whichever of `,` `;` tab occurs most in the header line outside quotes."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class _LimitedReader(io.RawIOBase):
    """Passes bytes through, raising file_too_large past the limit and unreadable on NUL bytes."""

    def __init__(self, raw: BinaryIO, max_bytes: int, nul_is_binary: bool) -> None:
        self.digest = hashlib.sha256()
        self._raw = raw
        self._left = max_bytes
        self._max = max_bytes
        self._nul_is_binary = nul_is_binary

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        data = self._raw.read(min(len(buffer), _CHUNK))
        self._left -= len(data)
        if self._left < 0:
            raise FatalFileError(
                FILE_TOO_LARGE,
                f"The file is larger than the limit of {self._max // (1024 * 1024)} MB: "
                "split it into smaller files.",
            )
        if self._nul_is_binary and b"\x00" in data:
            raise FatalFileError(UNREADABLE_FILE, _UNREADABLE)
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


_UNREADABLE = (
    "The file is not readable text (binary data, NUL bytes or an unknown encoding). "
    "Save it from your spreadsheet as CSV (UTF-8) and import it again."
)


def _records(
    open_file: Opener,
    encoding: str,
    delimiter: str | None,
    max_bytes: int,
    digest: list["hashlib._Hash"] | None = None,
    sheet: str | None = None,
    sheet_read: list[str] | None = None,
) -> Iterator[tuple[int, list[str], str]]:
    """Yield (row number, raw cells, delimiter) for every record, blank ones included.

    `digest`, when given, receives the SHA-256 object of the bytes read. A workbook
    (encoding XLSX) yields the rows of `sheet` (default: the first visible sheet with content),
    numbered as the spreadsheet shows them; `sheet_read` receives that sheet's name."""
    raw = open_file()
    try:
        # One size limit and one digest for every format (NUL bytes are binary in a zip).
        counter = _LimitedReader(raw, max_bytes, encoding not in ("utf-16", XLSX))
        if digest is not None:
            digest.append(counter.digest)
        if encoding == XLSX:
            rows = xlsx.sheet_rows(
                counter,
                max_bytes,
                MAX_COLUMNS,
                sheet=sheet,
                sheet_read=sheet_read,
                max_cell_chars=MAX_CELL_CHARS,
            )
            for row, cells in rows:
                yield row, cells, ""
            return
        limited = io.BufferedReader(counter, _CHUNK)
        text = io.TextIOWrapper(limited, encoding=encoding, errors="strict", newline="")
        first = text.readline()
        sep = _SEP_LINE.fullmatch(first.rstrip("\r\n")) if first else None
        if sep:
            # Excel's `sep=;` line: it names the delimiter and is not a row (Excel hides it).
            delimiter = delimiter or sep.group(1)
            first = text.readline()
        if delimiter is None:
            # Sniff from the first line with content; blank lines before it are kept for numbering.
            leading = []
            while first and not first.strip():
                leading.append(first)
                first = text.readline()
            delimiter = _sniff_delimiter(first)
            lines: Iterator[str] = _chain_first([*leading, first], text)
        else:
            lines = _chain_first([first], text)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        row = 0
        try:
            for row, cells in enumerate(reader, 1):
                if len(cells) > MAX_COLUMNS:
                    raise FatalFileError(
                        MALFORMED_CSV,
                        f"Row {row} has {len(cells)} columns; at most {MAX_COLUMNS} are allowed.",
                    )
                yield row, cells, delimiter
        except csv.Error as exc:
            raise FatalFileError(
                MALFORMED_CSV,
                f"Row {row + 1}: the CSV structure is broken ({exc}). "
                "Check for an unclosed quote or a very long cell, then save the file again.",
            ) from None
    finally:
        raw.close()


def _chain_first(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    """The non-empty lines of `first`, then `rest` (in C: no Python frame per line)."""
    return chain(filter(None, first), rest)


def _is_blank(cells: Sequence[str]) -> bool:
    return not "".join(cells).strip()


def inspect(
    open_file: Opener,
    *,
    required: Sequence[str],
    max_bytes: int = DEFAULT_MAX_BYTES,
    describe: dict[str, str] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Layout:
    """First pass: check the whole file and learn its layout, or raise FatalFileError.

    `required` lists header keys that must be present; `describe` maps them to display names.
    `encoding` (a name `core.encoding.resolve` accepts) reads a text file in that encoding
    instead of detecting it (a byte-order mark still wins); `sheet` names the workbook sheet
    to read instead of the first visible one with content. Both end up on the Layout.
    """
    chosen = encodings.resolve(encoding) if encoding else None
    try:
        with open_file() as probe:
            head = probe.read(4)
    except OSError as exc:
        raise FatalFileError(
            UNREADABLE_FILE, f"The file cannot be opened: {exc.strerror or exc}."
        ) from None
    if not head:
        raise FatalFileError(EMPTY_FILE, "The file is empty: it needs a header row and data rows.")
    if head.startswith(xlsx.OLE_MAGIC):
        raise xlsx.legacy_workbook_error()
    describe = describe or {}
    if xlsx.looks_like_xlsx(head):
        return _first_pass(open_file, XLSX, required, max_bytes, describe, sheet=sheet)
    bom_encoding = _detect_encoding(head)
    detected = False
    if bom_encoding:
        text_encoding = bom_encoding
    elif chosen:
        text_encoding = "utf-16" if chosen == "utf-16" else chosen
    else:
        found = encodings.scan(_chunks(open_file, max_bytes))
        if found.mixed:
            raise encodings.mixed_error(found)
        if not found.other_lines:
            text_encoding = "utf-8"
        elif _looks_binary(found.sample):
            raise FatalFileError(UNREADABLE_FILE, _UNREADABLE)
        else:
            text_encoding = encodings.choose_code_page(found)
            detected = True
    try:
        return _first_pass(
            open_file, text_encoding, required, max_bytes, describe, check_text=detected
        )
    except UnicodeError:  # UnicodeDecodeError, or UTF-16 chosen for a file without its BOM
        if text_encoding == "utf-8-sig":
            found = encodings.scan(_chunks(open_file, max_bytes))
            raise encodings.mixed_error(found, bom=True) from None
        if chosen:
            raise FatalFileError(
                UNKNOWN_ENCODING,
                f"The file is not in {encodings.label(chosen)}, the encoding chosen: some of "
                "its bytes mean nothing in it. Choose another encoding, or save the file as "
                '"CSV UTF-8".',
            ) from None
        raise FatalFileError(UNREADABLE_FILE, _UNREADABLE) from None


def _chunks(open_file: Opener, max_bytes: int) -> Iterator[bytes]:
    """The raw bytes in blocks, with the size limit and the NUL check of every pass."""
    raw = open_file()
    try:
        limited = _LimitedReader(raw, max_bytes, True)
        buffer = bytearray(_CHUNK)
        while count := limited.readinto(buffer):
            yield bytes(buffer[:count])
    finally:
        raw.close()


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


def _looks_binary(sample: list[bytes]) -> bool:
    """Control characters no spreadsheet writes: binary data, not text in some encoding."""
    return any(_CONTROL.search(line) for line in sample)


def _first_pass(
    open_file: Opener,
    encoding: str,
    required: Sequence[str],
    max_bytes: int,
    describe: dict[str, str],
    *,
    sheet: str | None = None,
    check_text: bool = False,
) -> Layout:
    """`check_text`: the encoding was detected, so every cell must read as text in it."""
    header: list[str] | None = None
    header_row = 0
    delimiter = ","
    data_rows = 0
    digest: list[hashlib._Hash] = []
    sheet_read: list[str] = []
    rows = _records(open_file, encoding, None, max_bytes, digest, sheet, sheet_read)
    for row, cells, delimiter in rows:  # noqa: B007
        # Other encodings are checked for NUL on the raw bytes (_LimitedReader).
        if encoding == "utf-16" and any("\x00" in cell for cell in cells):
            raise FatalFileError(UNREADABLE_FILE, _UNREADABLE)
        if _is_blank(cells):
            continue
        if check_text:
            _check_text(row, cells, header, encoding)
        if header is None:
            header, header_row = [nfc(cell) for cell in cells], row
        else:
            data_rows += 1
    where = f"row {header_row}"
    if sheet_read:
        where += f" of sheet {sheet_read[0]!r}"
    if header is None:
        detail = f" (sheet {sheet_read[0]!r})" if sheet_read else ""
        raise FatalFileError(
            EMPTY_FILE, f"The file is empty{detail}: it needs a header row and data rows."
        )
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        columns.setdefault(header_key(name), index)
    missing = [key for key in required if key not in columns]
    if missing:
        names = ", ".join(describe.get(key, key) for key in missing)
        found = ", ".join(repr(strip_invisible(name)) for name in header)
        raise FatalFileError(
            MISSING_COLUMN,
            f"Missing column(s) {names} in the header row ({where}); found {found}. "
            "The first row must name the columns, as in an export.",
        )
    return Layout(
        encoding,
        delimiter,
        tuple(header),
        header_row,
        columns,
        data_rows,
        digest[0].hexdigest(),
        sheet=sheet_read[0] if sheet_read else "",
        detected=check_text,
    )


def _check_text(row: int, cells: list[str], header: list[str] | None, encoding: str) -> None:
    for index, cell in enumerate(cells):
        if not cell.isascii() and encodings.first_implausible(cell) is not None:
            column = header[index].strip() if header and index < len(header) else index + 1
            raise encodings.implausible_cell_error(row, str(column), cell, encoding)


def records(
    open_file: Opener, layout: Layout, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Record]:
    """Second pass: stream the non-blank data records of a file that `inspect` accepted."""
    header_row = layout.header_row
    strip = str.strip
    rows = _records(
        open_file, layout.encoding, layout.delimiter, max_bytes, sheet=layout.sheet or None
    )
    for row, cells, _ in rows:
        if row <= header_row:
            continue
        # Per-row work in C where it can be (map, any, join): this loop runs once per row.
        stripped = tuple(map(strip, cells))
        if not any(stripped):
            continue  # blank (whitespace-only cells count as blank, as in _is_blank)
        joined = "".join(stripped)
        # Cheap filters; clean_cell decides per cell (NFC, invisible edges, one `'`).
        if "'" in joined or not joined.isascii():
            stripped = tuple(map(clean_cell, stripped))
        yield Record(row, stripped)
