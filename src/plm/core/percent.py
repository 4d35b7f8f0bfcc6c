"""The change thresholds of sync imports and policies: one reading of a percent."""

from plm.core import codes as c
from plm.core.codes import PlmError


def max_revoke_percent(value: int | str) -> int:
    """A whole number from 0 to 100 (as typed in a form, an option or JSON), or
    invalid_argument."""
    try:
        percent: int | None = int(value)
    except ValueError:
        percent = None
    if percent is None or not 0 <= percent <= 100:
        raise PlmError(
            c.INVALID_ARGUMENT,
            f"max_revoke_percent must be a whole number from 0 to 100, not {value!r}.",
        )
    return percent
