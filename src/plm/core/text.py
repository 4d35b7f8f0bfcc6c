"""Text as people compare it: Unicode NFC (one form for `é`, typed or pasted from macOS) and
casefold (case-insensitive matching). Every cell the reader yields is already NFC; the apps use
`fold` to compare names, emails, organizations and roles, and `nfc` before storing them."""

import unicodedata

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
