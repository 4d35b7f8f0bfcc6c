"""License ID normalization: `ID yyyy-mm-dd-xxxxxx` with a real calendar date and 6 digits."""

import re
from datetime import date
from functools import lru_cache

from plm.core.codes import INVALID_LICENSE_ID, PlmError

_SHAPE = re.compile(r"^(?:(id)\s*)?(\d{4})-(\d{2})-(\d{2})-(\d{6})$", re.IGNORECASE)
EXAMPLE = "ID 2013-07-05-012345"


def normalize_license_id(raw: str) -> str:
    """Return the canonical form of a License ID, or raise PlmError(invalid_license_id).

    Trimmed, inner spaces collapsed, the `ID` prefix case-insensitive.
    """
    value = " ".join(raw.split())
    match = _SHAPE.match(value)
    if match is None:
        raise PlmError(INVALID_LICENSE_ID, f"License ID '{raw}' is not in the form {EXAMPLE}.")
    prefix, year, month, day, serial = match.groups()
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        raise PlmError(
            INVALID_LICENSE_ID,
            f"License ID '{raw}' has no real calendar date ({year}-{month}-{day}); "
            f"write it as {EXAMPLE}.",
        ) from None
    canonical = f"ID {year}-{month}-{day}-{serial}"
    if prefix is None:
        raise PlmError(
            INVALID_LICENSE_ID,
            f"License ID '{raw}' lacks the 'ID ' prefix: write '{canonical}'.",
        )
    return canonical


normalize_license_id_cached = lru_cache(maxsize=1024)(normalize_license_id)
"""The same, remembered: an import's rows name a few License IDs over and over (a rejected ID
is not remembered: it raises again each time, with the same error)."""
