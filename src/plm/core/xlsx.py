"""Excel workbooks (.xlsx): one sheet read as rows of text, and exports written as sheets.

A workbook is a zip of XML parts, so a small upload can unpack into a huge one (a zip bomb).
The upload itself is held to the same byte limit as a CSV; before any part is parsed, the
archive's declared sizes are checked (Python's zipfile never inflates a part past its declared
size, so the check is a real bound): at most XLSX_EXPANSION times the upload limit in all, and
MAX_SMALL_PART for the parts openpyxl parses whole (styles, workbook, relationships). The shared
strings and the sheets are then scanned as streams before openpyxl sees them: at most
MAX_SHARED_STRINGS strings, MAX_CELLS cells, and `max_bytes` characters of text in the shared
strings and in each sheet as it will be read (a cell referring to a shared string counts that
string's length, so one long string referenced by every cell is refused); rows
past Excel's own 1,048,576, wider than the CSV column limit, or a cell over the CSV's cell
limit are refused too. So memory stays bounded whatever the file.
"""

import datetime as dt
import io
import re
import shutil
import tempfile
import unicodedata
import warnings
import zipfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any, BinaryIO

from plm.core.codes import (
    EMPTY_FILE,
    FILE_TOO_LARGE,
    MALFORMED_XLSX,
    SHEET_NOT_FOUND,
    UNREADABLE_FILE,
    FatalFileError,
)
from plm.core.writer import is_formula_risk

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and password-protected workbooks
XLSX_EXPANSION = 4
MAX_PARTS = 10_000
MAX_SHEET_ROWS = 1_048_576
MAX_SMALL_PART = 16 * 1024 * 1024
MAX_SHARED_STRINGS = 2_000_000
MAX_CELLS = 5_000_000
_COPY_CHUNK = 1024 * 1024
_IN_MEMORY = 8 * 1024 * 1024
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
_STRICT = re.compile(rb"http://purl\.oclc\.org/ooxml/([A-Za-z]+)/")
_STRICT_OVERLAP = 64

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# openpyxl warns, with its library paths, about workbook features it skips (data validation,
# conditional formatting extensions, a missing default style): nothing a user can act on.
warnings.filterwarnings("ignore", module=r"openpyxl(\.|$)")


def looks_like_xlsx(head: bytes) -> bool:
    return head.startswith(XLSX_MAGIC)


def legacy_workbook_error() -> FatalFileError:
    """The one message for the spreadsheet files PLM does not read."""
    return FatalFileError(
        UNREADABLE_FILE,
        "This is an Excel 97-2003 (.xls), Excel Binary (.xlsb), OpenDocument (.ods) or "
        "password-protected workbook, which PLM cannot read: open it in your spreadsheet and "
        'save it as "Excel Workbook (.xlsx)" or "CSV UTF-8", without a password.',
    )


def _malformed(detail: str, sheet: str | None = None) -> FatalFileError:
    where = f"sheet {sheet!r}: " if sheet else ""
    return FatalFileError(
        MALFORMED_XLSX,
        f"The workbook cannot be read ({where}{detail}). Open it in your spreadsheet and save "
        'it again as "Excel Workbook (.xlsx)" or "CSV UTF-8".',
    )


def _too_large(limit: int) -> FatalFileError:
    return FatalFileError(
        FILE_TOO_LARGE,
        f"The unpacked workbook is larger than the limit of {limit // (1024 * 1024)} MB: "
        "split it into smaller files.",
    )


def _too_much(what: str, limit: int, sheet: str | None = None) -> FatalFileError:
    where = f" (sheet {sheet!r})" if sheet else ""
    return FatalFileError(
        FILE_TOO_LARGE,
        f"The workbook has more than {limit:,} {what}{where}, the limit for an import: "
        "split it into smaller files, or save it as CSV UTF-8.",
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


def _is_small_part(name: str) -> bool:
    """Parts openpyxl parses whole in read-only mode (not sheets, shared strings, media)."""
    lowered = name.lower()
    if not lowered.endswith((".xml", ".rels")):
        return False
    return not any(
        folder in lowered
        for folder in ("worksheets/", "sharedstrings", "pivotcache", "externallinks/")
    )


def _check_archive(spool: IO[bytes], max_bytes: int) -> bool:
    """Refuse what is not a readable .xlsx from the zip directory; True if Strict Open XML."""
    try:
        with zipfile.ZipFile(spool) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise _malformed(f"it has {len(parts)} parts")
            unpacked = sum(part.file_size for part in parts)
            if unpacked > max_bytes * XLSX_EXPANSION:
                raise _too_large(max_bytes * XLSX_EXPANSION)
            for part in parts:
                if _is_small_part(part.filename) and part.file_size > MAX_SMALL_PART:
                    raise _malformed(f"its part {part.filename} is too large")
            names = {part.filename for part in parts}
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                raise legacy_workbook_error()
            if any(name.lower().endswith(".bin") and "workbook" in name for name in names):
                raise legacy_workbook_error()  # .xlsb
            strict = "_rels/.rels" in names and bool(_STRICT.search(archive.read("_rels/.rels")))
    except FatalFileError:
        raise
    except Exception:  # zipfile raises several types on a damaged archive
        raise _malformed("it is not a valid .xlsx file") from None
    if "[Content_Types].xml" not in names:
        raise _malformed("it is a zip archive, not an Excel workbook")
    spool.seek(0)
    return strict


def _transitional(spool: IO[bytes]) -> IO[bytes]:
    """A Strict Open XML workbook rewritten with the Transitional namespaces openpyxl reads
    (the same content: Strict differs in namespace names). Part by part, in blocks."""
    out = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)
    try:
        with zipfile.ZipFile(spool) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                with src.open(item) as part, dst.open(item.filename, "w", force_zip64=True) as to:
                    if not item.filename.lower().endswith((".xml", ".rels")):
                        shutil.copyfileobj(part, to, _COPY_CHUNK)
                        continue
                    carry = b""
                    while block := part.read(_COPY_CHUNK):
                        data = _STRICT.sub(
                            rb"http://schemas.openxmlformats.org/\1/2006/", carry + block
                        )
                        carry = data[-_STRICT_OVERLAP:]
                        to.write(data[:-_STRICT_OVERLAP])
                    to.write(carry)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _shared_strings_path(archive: zipfile.ZipFile) -> str | None:
    from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped,unused-ignore]

    root = fromstring(archive.read("[Content_Types].xml"))
    for item in root:
        if item.get("ContentType") == _SHARED_STRINGS_TYPE:
            return str(item.get("PartName", "")).lstrip("/")
    return None


class _Hostile(Exception):
    """A DTD or an entity in workbook XML: refused, never expanded."""


def _expat(
    part: IO[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    text: Callable[[str], None],
) -> None:
    """Stream one XML part through expat with the callbacks; DTDs and entities are refused.
    (Faster than building elements: a sheet is only counted here.)"""
    from xml.parsers import expat

    def refuse(*_: object) -> None:
        raise _Hostile

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        while chunk := part.read(_COPY_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Hostile:
        raise _malformed("it contains XML entity definitions, which are not allowed") from None


_NS = _MAIN[1:]  # expat names elements "namespace}local"


def _scan_shared_strings(archive: zipfile.ZipFile, max_chars: int) -> "array[int]":
    """Count the shared strings and their characters as a stream; return each string's length
    (a sheet's cell refers to one by its index, and reads it as that many characters)."""
    lengths: array[int] = array("q")
    path = _shared_strings_path(archive)
    if path is None or path not in archive.namelist():
        return lengths
    si, t = f"{_NS}si", f"{_NS}t"
    inside = [False]
    total = [0]

    def start(name: str, _: dict[str, str]) -> None:
        if name == si:
            lengths.append(0)
            if len(lengths) > MAX_SHARED_STRINGS:
                raise _too_much("different texts (shared strings)", MAX_SHARED_STRINGS)
        elif name == t:
            inside[0] = True

    def end(name: str) -> None:
        if name == t:
            inside[0] = False

    def text(data: str) -> None:
        if inside[0] and lengths:
            lengths[-1] += len(data)
            total[0] += len(data)
            if total[0] > max_chars:
                raise _too_much("characters of text", max_chars)

    with archive.open(path) as part:
        _expat(part, start, end, text)
    return lengths


_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part path -> sheet name, from the workbook and its relationships."""
    from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped,unused-ignore]

    names = set(archive.namelist())
    found: dict[str, str] = {}
    if "xl/workbook.xml" in names and "xl/_rels/workbook.xml.rels" in names:
        targets = {}
        for rel in fromstring(archive.read("xl/_rels/workbook.xml.rels")):
            target = str(rel.get("Target", ""))
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id")] = path
        for sheet in fromstring(archive.read("xl/workbook.xml")).iter(f"{_MAIN}sheet"):
            path = targets.get(sheet.get(_RELATIONSHIPS), "")
            if path in names:
                found[path] = str(sheet.get("name", path))
    for name in names:  # parts no relationship names are still scanned
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            found.setdefault(name, name)
    return found


def _scan_sheet(
    archive: zipfile.ZipFile,
    path: str,
    sheet: str,
    max_columns: int,
    max_chars: int,
    shared: Sequence[int],
) -> None:
    """Stream the sheet's XML: bounded rows, cells per row, cells, and text; nothing is kept.
    The text is counted as it will be read: a cell referring to a shared string counts that
    string's length (one long string referenced by every cell is a small file but a huge read)."""
    state = {"cells": 0, "row_cells": 0, "chars": 0, "inside": 0, "shared": 0}
    row_tag, cell_tag, value_tag = f"{_NS}row", f"{_NS}c", f"{_NS}v"
    text_tags = {f"{_NS}t", value_tag, f"{_NS}f"}
    current = [""]
    index = [""]

    def count(chars: int) -> None:
        state["chars"] += chars
        if state["chars"] > max_chars:
            raise _too_much("characters of text", max_chars, sheet)

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == cell_tag:
            state["cells"] += 1
            state["row_cells"] += 1
            state["shared"] = attributes.get("t") == "s"
            if state["row_cells"] > max_columns:
                raise _malformed(
                    f"row {current[0] or '?'} has more than {max_columns} cells; "
                    f"at most {max_columns} columns are allowed",
                    sheet,
                )
            if state["cells"] > MAX_CELLS:
                raise _too_much("cells", MAX_CELLS, sheet)
        elif name == row_tag:
            current[0] = row = attributes.get("r", "")
            state["row_cells"] = 0
            if row.isdigit() and int(row) > MAX_SHEET_ROWS:
                raise _malformed(f"it has more than {MAX_SHEET_ROWS:,} rows", sheet)
        elif name in text_tags:
            state["inside"] = 1
            index[0] = ""

    def end(name: str) -> None:
        if name in text_tags:
            state["inside"] = 0
            if name == value_tag and state["shared"]:
                try:  # read as openpyxl reads it: int() (a sign, padding, any digits)
                    length = shared[int(index[0])]
                except (ValueError, IndexError):
                    length = 0  # openpyxl refuses the cell: the sheet is malformed anyway
                count(length)

    def text(data: str) -> None:
        if state["inside"]:
            if state["shared"]:
                index[0] = _index_text(index[0] + data)
            count(len(data))

    with archive.open(path) as part:
        _expat(part, start, end, text)


def _index_text(text: str) -> str:
    """A shared-string index as read so far, kept short without changing the number int()
    reads from it: any digits as ASCII, leading spaces and zeros dropped (a cell padded with
    a million zeros is still the index it says)."""
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    text = text.lstrip()
    sign = text[:1] if text[:1] in "+-" else ""
    digits = text[len(sign) :].lstrip("0_") or ("0" if text[len(sign) :] else "")
    return (sign + digits)[:40]  # longer: no workbook has that many strings either way


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Excel's `_xHHHH_` escapes in stored text (`_x000D_` is a carriage return)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def cell_text(value: object) -> str:
    """A cell as the text the user sees: whole numbers without `.0`, no float noise
    (`274.65999999999997` is `274.66`, as Excel shows it), dates as yyyy-mm-dd."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _unescape(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        shown = f"{value:.15g}"  # Excel keeps 15 significant digits
        return shown
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def sheet_rows(
    raw: io.RawIOBase | BinaryIO,
    max_bytes: int,
    max_columns: int,
    *,
    sheet: str | None = None,
    sheet_read: list[str] | None = None,
    max_cell_chars: int | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """Yield (sheet row number, cells as text) for every row of one sheet, blank ones too.

    The sheet is `sheet` (by name, ignoring case) or else the first visible sheet with content;
    its name is appended to `sheet_read`. `raw` must already stop at `max_bytes` (core.reader
    wraps it); `max_bytes` here also bounds what the archive may unpack to and its text.
    Raises FatalFileError (file_too_large, malformed_xlsx, sheet_not_found, empty_file,
    unreadable_file) on a file that cannot be read whole; every message names the sheet.
    """
    spool = _spool(raw)
    try:
        if _check_archive(spool, max_bytes):
            try:
                strict = _transitional(spool)
            except Exception:
                raise _malformed("a Strict Open XML workbook that cannot be converted") from None
            spool.close()
            spool = strict
        yield from _read(spool, max_bytes, max_columns, sheet, sheet_read, max_cell_chars)
    finally:
        spool.close()


def _read(
    spool: IO[bytes],
    max_bytes: int,
    max_columns: int,
    wanted: str | None,
    sheet_read: list[str] | None,
    max_cell_chars: int | None,
) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: CSV-only runs never load it

    try:
        with zipfile.ZipFile(spool) as parts:
            shared = _scan_shared_strings(parts, max_bytes)
            # Before openpyxl opens them: it reads a sheet whole to find its size when the
            # sheet does not declare it.
            for path, title in _sheet_parts(parts).items():
                _scan(path, title, parts, max_columns, max_bytes, shared)
        spool.seek(0)
        book = load_workbook(spool, read_only=True, data_only=True)
    except FatalFileError:
        raise
    except Exception as exc:  # openpyxl and the XML parser raise many types on hostile input
        raise _malformed(_describe(exc)) from None
    try:
        sheets: list[Any] = list(book.worksheets)
        if not sheets:
            raise _malformed("it has no worksheet")
        chosen = _choose(sheets, wanted)
        if sheet_read is not None:
            sheet_read.append(chosen.title)
        yield from _rows(chosen, max_columns, max_cell_chars)
    finally:
        book.close()


def _choose(sheets: list[Any], wanted: str | None) -> Any:
    names = ", ".join(
        repr(s.title) + ("" if s.sheet_state == "visible" else " (hidden)") for s in sheets
    )
    if wanted is not None:
        matches = [s for s in sheets if s.title == wanted] or [
            s for s in sheets if s.title.casefold() == wanted.strip().casefold()
        ]
        if not matches:
            raise FatalFileError(
                SHEET_NOT_FOUND,
                f"The workbook has no sheet named {wanted!r}; its sheets are {names}. "
                "Choose one of them, or leave the sheet empty to read the first one with content.",
            )
        return matches[0]
    for candidate in sheets:
        if candidate.sheet_state == "visible" and _has_content(candidate):
            return candidate
    raise FatalFileError(
        EMPTY_FILE,
        f"The workbook has no visible sheet with content (sheets: {names}): put the header row "
        "and data rows on its first sheet, or choose the sheet to read.",
    )


def _scan(
    path: str,
    title: str,
    archive: zipfile.ZipFile,
    columns: int,
    chars: int,
    shared: Sequence[int],
) -> None:
    try:
        _scan_sheet(archive, path, title, columns, chars, shared)
    except FatalFileError:
        raise
    except Exception as exc:
        raise _malformed(_describe(exc), title) from None


def _has_content(sheet: Any) -> bool:
    sheet.reset_dimensions()
    try:
        for values in sheet.iter_rows(values_only=True):
            if any(value is not None and str(value).strip() for value in values):
                return True
    except Exception as exc:
        raise _malformed(_describe(exc), sheet.title) from None
    return False


def _rows(
    sheet: Any, max_columns: int, max_cell_chars: int | None
) -> Iterator[tuple[int, list[str]]]:
    title = sheet.title
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
            raise _malformed(_describe(exc), title) from None
        number += 1
        if number > MAX_SHEET_ROWS:
            raise _malformed(f"it has more than {MAX_SHEET_ROWS:,} rows", title)
        if len(values) > max_columns:
            raise _malformed(
                f"row {number} has {len(values)} columns; at most {max_columns} are allowed", title
            )
        cells = [cell_text(value) for value in values]
        if max_cell_chars is not None:
            for index, text in enumerate(cells):
                if len(text) > max_cell_chars:
                    raise _malformed(
                        f"cell {_column_name(index)}{number} has {len(text):,} characters; "
                        f"at most {max_cell_chars:,} are allowed",
                        title,
                    )
        yield number, cells


def _describe(exc: Exception) -> str:
    """A parser failure in plain words (never a library's exception name)."""
    text = str(exc).strip().splitlines()
    detail = text[0][:200] if text else ""
    name = type(exc).__name__
    if "Forbidden" in name or "DTD" in detail or "entit" in detail.lower():
        return "it contains XML entity definitions, which are not allowed"
    if "ParseError" in name or "XMLSyntaxError" in name:
        return f"a part is not well-formed XML ({detail})" if detail else "a part is not XML"
    if isinstance(exc, KeyError):
        return "a part it refers to is missing"
    return f"its content is not valid ({detail})" if detail else "its content is not valid"


def write_xlsx(
    out: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[str]], *, title: str
) -> int:
    """Write one sheet of text cells; return the number of data rows written.

    Every cell is stored as text, never as a formula, so `=cmd()` in a name stays inert; a
    value the CSV export would prefix with `'` gets Excel's quote-prefix style instead, so it
    stays text even when edited or split at a separator (the value is unchanged).
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
            if is_formula_risk(value):
                # Excel's "text prefix": shown as typed, and still text when the cell is edited
                # or split (Text to Columns); the value itself is unchanged.
                cell.quotePrefix = True
            cells.append(cell)
        return cells

    sheet.append(text_cells(header))
    count = 0
    for row in rows:
        sheet.append(text_cells(row))
        count += 1
    book.save(out)
    return count
