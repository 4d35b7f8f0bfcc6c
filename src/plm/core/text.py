"""Text as people compare it: Unicode NFC (one form for `é`, typed or pasted from macOS) and
casefold (case-insensitive matching). Every cell the reader yields is already NFC; the apps use
`fold` to compare names, emails, organizations and roles, and `nfc` before storing them."""

import re
import unicodedata

from plm.core import codes as c
from plm.core.codes import PlmError

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
"""Zero-width spaces and joiners, and a stray byte-order mark: invisible, pasted by accident."""


def nfc(text: str) -> str:
    """The NFC form of `text` (composed accents); ASCII is returned as is, cheaply."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """The key two strings are compared by: NFC, then casefold (`Ä` = `ä` = `A\u0308`)."""
    return nfc(text).casefold()


def strip_invisible(text: str) -> str:
    """Trim whitespace (non-breaking spaces included) and zero-width characters at both ends."""
    text = text.strip()
    if text and (text[0] in _ZERO_WIDTH or text[-1] in _ZERO_WIDTH):
        text = text.strip(_ZERO_WIDTH + " \t\r\n\u00a0\u202f\u2007")
        text = text.strip()
    return text


def is_invisible(ch: str) -> bool:
    """Whitespace or a format character (zero-width space, joiners, BOM)."""
    return ch.isspace() or unicodedata.category(ch) == "Cf"


_UNSTORABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (NUL, tab, line breaks, DEL, C1) and unpaired surrogates: PostgreSQL
refuses a NUL in any text, even in a query, and no database encodes a lone surrogate."""


_UNDECODABLE = re.compile("[\x00\ud800-\udfff]")


def undecodable(text: str) -> str | None:
    """The first NUL or unpaired surrogate in `text` (what undecodable bytes in a command-line
    argument become), or None: no database can store or look up such text."""
    found = _UNDECODABLE.search(text)
    return None if found is None else found.group()


def strip_unstorable(text: str) -> str:
    """`text` without its control characters and unpaired surrogates (for a label)."""
    return _UNSTORABLE.sub("", text)


def shown(value: str, width: int = 40) -> str:
    """`value` quoted for a message, cut at `width` characters, control characters escaped."""
    cut = value if len(value) <= width else value[:width] + "…"
    return repr(cut)


def plain(value: str, field: str, *, limit: int | None = None, folded: bool = False) -> str:
    """`value` unchanged if it can be stored and looked up as text: otherwise PlmError
    invalid_argument (a control character or an unpaired surrogate) or value_too_long (over
    `limit` characters; `folded`: also once case-folded, as a key is stored). `field` names the
    input in the message."""
    bad = _UNSTORABLE.search(value)
    if bad is not None:
        raise PlmError(
            c.INVALID_ARGUMENT,
            f"{field} {shown(value)} contains {bad.group()!a} (a control character or an "
            "unpaired surrogate): remove it.",
        )
    if limit is not None:
        size = max(len(value), len(fold(value))) if folded else len(value)
        if size > limit:
            more = "" if size == len(value) else f" ({size} once case-folded)"
            raise PlmError(
                c.VALUE_TOO_LONG,
                f"{field} {shown(value)} has {len(value)} characters{more}; at most {limit} "
                "fit: shorten it.",
            )
    return value
