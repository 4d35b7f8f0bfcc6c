"""Writing CSV for spreadsheets: BOM, CRLF, minimal quoting, formulas neutralized."""

import re
from collections.abc import Iterable, Sequence
from typing import TextIO

_FORMULA_STARTS = ("=", "+", "-", "@", "'", "\t", "\r")
_SPLIT_FORMULA = re.compile(r"[,;\t\r\n]\s*[=+\-@\t\r]")
"""A separator a spreadsheet may split on (`,` `;` tab, a line break), then a formula start:
`x;=cmd|...` becomes a cell `=cmd|...` in a spreadsheet that splits on `;` (OWASP CSV injection)."""
_NEEDS_QUOTES = re.compile(r'[,;\t\r\n"]')
_FORMULA_FIRST = frozenset(_FORMULA_STARTS)
_ROW_RISK = re.compile(r"[;\t\r\n\"]|(?:^|,)[=+\-@'\t\r]")
"""In a row joined by commas whose cells hold no comma: a cell that needs quotes or starts like
a formula."""


def is_formula_risk(value: str) -> bool:
    """Could a spreadsheet run this value, or a piece of it split off at a separator, as a formula?"""
    return value.startswith(_FORMULA_STARTS) or _SPLIT_FORMULA.search(value) is not None


def neutralize(value: str) -> str:
    """Prefix `'` to a value a spreadsheet could run as a formula, whole or split at a separator
    (our import drops one leading `'` again, so the value reads back exactly)."""
    return "'" + value if is_formula_risk(value) else value


def _field(value: str) -> str:
    """Quoted when it holds `,` `;` tab, a line break or a quote, so that no spreadsheet splits it
    whatever separator it assumes."""
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _cell(value: str) -> str:
    """`_field(neutralize(value))`, with one test for the common value: one that neither starts
    like a formula nor holds a separator, line break or quote is written as it is (without a
    separator nothing can split off as a formula, and nothing needs quotes)."""
    if value[:1] in _FORMULA_FIRST or _NEEDS_QUOTES.search(value):
        return _field(neutralize(value))
    return value


def write_csv(
    out: TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    bom: bool = True,
) -> int:
    """Write header and rows; return the number of data rows written."""
    if bom:
        out.write("\ufeff")  # the byte-order mark, as UTF-8 encodes it
    write = out.write
    write(",".join(map(_field, header)) + "\r\n")
    count = 0
    for row in rows:
        # One test for the whole row, the usual case: no cell holds a comma (the count says
        # so), and none needs quotes or starts like a formula; else cell by cell.
        line = ",".join(row)
        if line.count(",") != len(row) - 1 or _ROW_RISK.search(line):
            line = ",".join(map(_cell, row))
        write(line + "\r\n")
        count += 1
    return count


LICENSES_HEADER = ("Username", "Action", "License ID")
ERRORS_HEADER = ("Username", "Action", "License ID", "Row", "Error Code", "Error")
AUDIT_HEADER = (
    "At",
    "Actor",
    "Source",
    "Import",
    "Row",
    "Action",
    "Username",
    "License ID",
    "Detail",
)


def export_sort_key(username: str, license_id: str) -> tuple[str, str, str]:
    """licenses.csv order: casefold of Username, then Username, then License ID."""
    return (username.casefold(), username, license_id)
