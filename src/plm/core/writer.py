"""Writing CSV for spreadsheets: BOM, CRLF, minimal quoting, formulas neutralized."""

import codecs
import csv
from collections.abc import Iterable, Sequence
from typing import TextIO

_FORMULA_STARTS = ("=", "+", "-", "@", "'", "\t", "\r")


def neutralize(value: str) -> str:
    """Prefix `'` to a value a spreadsheet would run as a formula (our import drops it again)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def write_csv(
    out: TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    bom: bool = True,
) -> int:
    """Write header and rows; return the number of data rows written."""
    if bom:
        out.write(codecs.BOM_UTF8.decode("utf-8"))
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([neutralize(value) for value in row])
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
