"""Workbook bombs: refused within seconds and under 300 MB peak RSS, measured in a child process
(its /proc/self/status VmHWM)."""

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

MB = 1024 * 1024
SOAK = os.environ.get("PLM_SOAK") == "1"  # make soak: ten times the strings
ROOT = Path(__file__).parents[2]

CHILD = """
import io, sys, time
from plm.core.codes import FatalFileError
from plm.core.reader import inspect
data = open(sys.argv[1], "rb").read()
started = time.monotonic()
try:
    inspect(lambda: io.BytesIO(data), required=["username", "action"])
    code = "accepted"
except FatalFileError as error:
    code = error.code
# VmHWM: this program's own peak (ru_maxrss can carry the forking parent's peak over exec).
status = open("/proc/self/status").read()
peak_mb = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(code, round(time.monotonic() - started, 1), round(peak_mb))
"""


def _base() -> bytes:
    book = Workbook()
    book.active.append(["Username", "Action"])
    book.active.append(["ann", "revokeall"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_part(name: str, chunks) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_base())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename not in (name, "[Content_Types].xml"):
                dst.writestr(item.filename, src.read(item.filename), zipfile.ZIP_DEFLATED)
        part = zipfile.ZipInfo(name)
        part.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(part, "w", force_zip64=True) as stream:
            for chunk in chunks:
                stream.write(chunk)
        types = src.read("[Content_Types].xml")
        if name == "xl/sharedStrings.xml" and b"sharedStrings" not in types:
            types = types.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        dst.writestr("[Content_Types].xml", types)
    return out.getvalue()


MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def shared_strings_bomb() -> bytes:
    """Six million tiny shared strings: about 110 MB of XML in a few hundred KB (sixty million,
    1.1 GB, under make soak)."""

    def chunks():  # type: ignore[no-untyped-def]
        yield b'<?xml version="1.0"?><sst ' + MAIN + b">"
        for _ in range(6000 if SOAK else 600):
            yield b"<si><t>x</t></si>" * 10_000
        yield b"</sst>"

    return _with_part("xl/sharedStrings.xml", chunks())


def wide_row_bomb() -> bytes:
    """One row of five million empty cells (openpyxl would build the whole row first)."""

    def chunks():  # type: ignore[no-untyped-def]
        yield b'<?xml version="1.0"?><worksheet ' + MAIN + b'><sheetData><row r="1">'
        for _ in range(500):
            yield b'<c r="A1"/>' * 10_000
        yield b"</row></sheetData></worksheet>"

    return _with_part("xl/worksheets/sheet1.xml", chunks())


def many_cells_bomb() -> bytes:
    """Twelve million empty cells in rows of ten (within the row and column limits)."""

    def chunks():  # type: ignore[no-untyped-def]
        yield b'<?xml version="1.0"?><worksheet ' + MAIN + b"><sheetData>"
        row = b"<row>" + b"<c/>" * 10 + b"</row>"
        for _ in range(1_200):
            yield row * 1_000
        yield b"</sheetData></worksheet>"

    return _with_part("xl/worksheets/sheet1.xml", chunks())


def shared_string_references_bomb() -> bytes:
    """One shared string of a million characters, referenced by 200,000 cells (two million
    under make soak): a file of a few hundred KB that expands to 200 GB of text."""
    text = _with_part(
        "xl/sharedStrings.xml",
        [b'<?xml version="1.0"?><sst ' + MAIN + b"><si><t>", b"x" * 1_000_000, b"</t></si></sst>"],
    )

    def chunks():  # type: ignore[no-untyped-def]
        yield b'<?xml version="1.0"?><worksheet ' + MAIN + b"><sheetData>"
        yield (
            b'<row><c t="inlineStr"><is><t>Username</t></is></c>'
            b'<c t="inlineStr"><is><t>Action</t></is></c></row>'
        )
        row = b'<row><c t="s"><v>0</v></c><c t="inlineStr"><is><t>revokeall</t></is></c></row>'
        for _ in range(2_000 if SOAK else 200):
            yield row * 1_000
        yield b"</sheetData></worksheet>"

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(text)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item.filename, src.read(item.filename), zipfile.ZIP_DEFLATED)
        part = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        part.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(part, "w", force_zip64=True) as stream:
            for chunk in chunks():
                stream.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (shared_strings_bomb, "file_too_large"),
        (wide_row_bomb, "malformed_xlsx"),
        (many_cells_bomb, "file_too_large"),
        (shared_string_references_bomb, "file_too_large"),
    ],
    ids=["shared-strings", "wide-row", "many-cells", "shared-string-references"],
)
def test_a_workbook_bomb_is_refused_quickly_under_300_mb(tmp_path, build, code) -> None:  # type: ignore[no-untyped-def]
    data = build()
    assert len(data) < 50 * MB
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    elapsed = time.monotonic() - started
    assert out.returncode == 0, out.stderr[-2000:]
    got, _, peak_mb = out.stdout.split()
    assert got == code
    assert int(peak_mb) < 300, f"peak RSS {peak_mb} MB"
    assert elapsed < 90
    assert out.stderr == ""  # no library warnings
