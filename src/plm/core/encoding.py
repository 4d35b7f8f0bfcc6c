"""Which encoding a text file is in: read it correctly or refuse it whole (`unknown_encoding`).

UTF-8 (with or without BOM) and UTF-16 with BOM are certain. Any other bytes were written in one
of the 8-bit code pages spreadsheets save (`CODE_PAGES`); the same bytes read differently in each,
so a wrong guess silently changes names. The rule, in order:

1. A first scan of the raw bytes (`scan`) finds whether the file is ASCII, UTF-8, or neither,
   and whether it *mixes* UTF-8 lines with other lines (refused: no single reading is right).
2. For 8-bit files, every code page that defines every byte of the file is a candidate; code
   pages that read the file's bytes identically form one reading.
3. A reading is *plausible* when every word with a non-ASCII character reads as letters of one
   script and one language, with accents where names have them (`first_implausible`):
   `£ukasz`, `Œwi¹tek`, `Èâàí` or `йВАН` are not. Exactly one plausible reading, or exactly
   one whose every word is of a language the code page is made for (`at_home`): it is used.
   Otherwise the file is refused, naming the likely candidates (ranked by the charset-normalizer
   detector) and how to fix it.
4. While the file is read (`core.reader`), every cell must stay plausible in the reading chosen,
   so a file that changes encoding after the sample is refused too, naming the row.

An encoding the user chooses (`resolve`) is used as given, without guessing.
"""

import codecs
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

from plm.core.codes import INVALID_ARGUMENT, UNKNOWN_ENCODING, FatalFileError, PlmError

CODE_PAGES: dict[str, str] = {
    "cp1252": "Windows-1252 (Western European)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1255": "Windows-1255 (Hebrew)",
    "cp1256": "Windows-1256 (Arabic)",
    "cp1257": "Windows-1257 (Baltic)",
    "cp1258": "Windows-1258 (Vietnamese)",
    "mac-roman": "Mac Roman (older Excel for Mac)",
    "koi8-r": "KOI8-R (Russian)",
    "koi8-u": "KOI8-U (Ukrainian)",
    "iso8859-1": "ISO-8859-1 (Latin-1)",
    "iso8859-2": "ISO-8859-2 (Latin-2, Central European)",
    "iso8859-3": "ISO-8859-3 (Latin-3)",
    "iso8859-4": "ISO-8859-4 (Latin-4, Baltic)",
    "iso8859-5": "ISO-8859-5 (Cyrillic)",
    "iso8859-6": "ISO-8859-6 (Arabic)",
    "iso8859-7": "ISO-8859-7 (Greek)",
    "iso8859-8": "ISO-8859-8 (Hebrew)",
    "iso8859-9": "ISO-8859-9 (Latin-5, Turkish)",
    "iso8859-10": "ISO-8859-10 (Latin-6, Nordic)",
    "iso8859-13": "ISO-8859-13 (Latin-7, Baltic)",
    "iso8859-14": "ISO-8859-14 (Latin-8, Celtic)",
    "iso8859-15": "ISO-8859-15 (Latin-9, Western European)",
    "iso8859-16": "ISO-8859-16 (Latin-10, South-Eastern European)",
}
"""The 8-bit code pages detected, in order of preference when several read a file the same."""

UNICODE: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-16": "UTF-16 (with BOM)",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
}

CHOICES: dict[str, str] = {"utf-8": "UTF-8", **CODE_PAGES, "utf-16": "UTF-16"}
"""What a user may choose (`--encoding`, the web select, the API field): name -> label."""

SAMPLE_BYTES = 256 * 1024
"""Non-ASCII lines kept for detection; the rest of the file is checked while it is read."""

_FIX = (
    'Save it from your spreadsheet as "CSV UTF-8" and import it again, or choose its encoding '
    "(--encoding on the command line, Encoding on the web import form, encoding in the API)."
)


def label(encoding: str) -> str:
    """A reader-friendly name: `cp1250` -> `Windows-1250 (Central European)`."""
    return CODE_PAGES.get(encoding) or UNICODE.get(encoding) or encoding


def _canonical(name: str) -> str | None:
    try:
        python = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    for known in (*CODE_PAGES, *UNICODE):
        if codecs.lookup(known).name == python:
            return known
    return None


def resolve(name: str) -> str:
    """The canonical name of an encoding a user chose (`windows-1250`, `CP1250`, `latin2`...).

    Raises PlmError(invalid_argument) naming the choices when it is not one PLM reads."""
    canonical = _canonical(name)
    if canonical is None:
        choices = ", ".join(CHOICES)
        raise PlmError(
            INVALID_ARGUMENT,
            f"Unknown or unsupported encoding {name.strip()!r}: choose one of {choices}.",
        )
    return canonical


# --- plausibility ------------------------------------------------------------------------

_WESTERN = ("cp1252", "mac-roman", "iso8859-1", "iso8859-15")
_CENTRAL = ("cp1250", "iso8859-2", "iso8859-16")
_BALTIC = ("cp1257", "iso8859-4", "iso8859-13")
_CYRILLIC = ("cp1251", "koi8-r", "koi8-u", "iso8859-5")
LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (its lower-case letters beyond a-z, the code pages it is at home in)
    "German": ("äöüß", _WESTERN),
    "French": ("àâæçéèêëîïôœùûüÿ", _WESTERN),
    "Spanish": ("áéíñóúü", _WESTERN),
    "Portuguese": ("áâãàçéêíóôõúü", _WESTERN),
    "Italian": ("àèéìíîòóùú", _WESTERN),
    "Catalan": ("àçèéíïòóúü", _WESTERN),
    "Dutch": ("áàéèëêïóöüĳ", _WESTERN),
    "Danish/Norwegian": ("æøåéó", (*_WESTERN, "iso8859-10")),
    "Swedish": ("åäöéü", (*_WESTERN, "iso8859-10")),
    "Finnish": ("åäöšž", (*_WESTERN, "iso8859-10")),
    "Icelandic": ("áðéíóúýþæö", (*_WESTERN, "iso8859-10")),
    "Irish": ("áéíóú", (*_WESTERN, "iso8859-14")),
    "Welsh": ("âêîôûŵŷàèìòù", ("iso8859-14",)),
    "Albanian": ("çë", _WESTERN),
    "Polish": ("ąćęłńóśźż", _CENTRAL),
    "Czech": ("áčďéěíňóřšťúůýž", _CENTRAL),
    "Slovak": ("áäčďéíĺľňóôŕšťúýž", _CENTRAL),
    "Hungarian": ("áéíóöőúüű", _CENTRAL),
    "Romanian": ("ăâîșțşţ", _CENTRAL),
    "Croatian/Slovene": ("čćđšž", _CENTRAL),
    "Turkish": ("çğıöşüâîûi", ("cp1254", "iso8859-9", "iso8859-3")),  # i: İ's small letter
    "Maltese": ("ċġħżàèìòù", ("iso8859-3",)),
    "Esperanto": ("ĉĝĥĵŝŭ", ("iso8859-3",)),
    "Lithuanian": ("ąčęėįšųūž", _BALTIC),
    "Latvian": ("āčēģīķļņšūž", _BALTIC),
    "Estonian": ("äöõüšž", _BALTIC),
    "Vietnamese": (
        "àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
        ("cp1258",),
    ),
    "Russian": ("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _CYRILLIC),
    "Ukrainian": ("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'", _CYRILLIC),
    "Belarusian": ("абвгдеёжзійклмнопрстуўфхцчшыьэюя'", _CYRILLIC),
    "Bulgarian": ("абвгдежзийклмнопрстуфхцчшщъьюя", _CYRILLIC),
    "Serbian/Macedonian": ("абвгдђѓежзѕијклљмнњопрстћќуфхцчџш", _CYRILLIC),
}
"""Per word, the non-ASCII letters must all belong to one language's alphabet (a name is
written in one language); where readings tie, the one at home in its code page wins."""
_HOME_OF_SCRIPT = {
    "GREEK": ("cp1253", "iso8859-7"),
    "HEBREW": ("cp1255", "iso8859-8"),
    "ARABIC": ("cp1256", "iso8859-6"),
}
_ALPHABETS = [(frozenset(letters), home) for letters, home in LANGUAGES.values()]
_CYRILLIC_VOWELS = set("аеёиоуыэюяіїєў")
_GREEK_VOWELS = set("αεηιουωάέήίόύώϊϋΐΰ")
_GREEK_PLAIN = {
    "και",
    "την",
    "της",
    "του",
    "των",
    "τον",
    "στο",
    "στη",
    "στην",
    "στον",
    "στα",
    "για",
}
"""Greek words of three letters or more written without an accent (every other word has one)."""
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "HEBREW", "ARABIC")
_PUNCTUATION = set("\u2019\u2018\u201c\u201d\u00ab\u00bb\u201e\u201a\u00b7\u2013\u2014\u00b4")
"""Non-ASCII punctuation seen in real names and lists: curly quotes, guillemets, middle dot
(Catalan l·l), dashes, acute accent used as an apostrophe."""
_DASHES = "\u2013\u2014"
_SEPARATORS = frozenset(' \t\r\n,;"\u00a0\u2007\u202f@./_()[]:+=!?&|<>0123456789')
"""Words are split here: what is judged is the letters between (names repeat, so the verdict
per word is cached)."""


def _script(ch: str) -> str:
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return ""


def _word_homes(word: str) -> tuple[str, ...] | None:
    """The code pages a word with non-ASCII characters is at home in; None if it does not read
    as text at all (see module doc). () means readable but at home nowhere in particular."""
    script = ""  # of the current run of letters
    scripts: set[str] = set()
    letters: list[str] = []
    prev_kind = ""  # "lower", "upper", "letter" (caseless), "mark", "other"
    tonos = 0
    for i, ch in enumerate(word):
        if ch.isascii():
            if ch.isalpha():
                if script and script != "LATIN":
                    return None
                script = "LATIN"
                kind = "upper" if ch.isupper() else "lower"
                if prev_kind == "lower" and kind == "upper" and not word[i - 1].isascii():
                    return None
                prev_kind = kind
            else:
                script, prev_kind = "", "other"
            continue
        category = unicodedata.category(ch)
        if category[0] == "L":
            run_script = _script(ch)
            if run_script not in _SCRIPTS or (script and script != run_script):
                return None
            script = run_script
            scripts.add(run_script)
            letters.append(ch.lower()[0])  # "İ".lower() is i + a combining dot
            if run_script == "GREEK":
                name = unicodedata.name(ch)
                tonos += "TONOS" in name or "OXIA" in name
                if i and word[i - 1] == "\u03c2":
                    return None  # a final sigma is final
            kind = "upper" if ch.isupper() else "lower" if ch.islower() else "letter"
            if prev_kind == "lower" and kind == "upper":
                return None
            if kind == "upper" and prev_kind == "upper" and word[i + 1 : i + 2].islower():
                return None  # `PÈrez`: a capital inside a word, then small letters
            prev_kind = kind
        elif category[0] == "M":
            if prev_kind not in ("lower", "upper", "letter", "mark"):
                return None
            mark_script = _script(ch)
            if mark_script != "COMBINING" and mark_script != (script or mark_script):
                return None  # an Arabic or Hebrew vowel sign on a Latin letter
            prev_kind = "mark"
        elif ch in _PUNCTUATION:
            if 0 < i < len(word) - 1 and ch in _DASHES and word[i - 1].isalpha():
                return None
            script, prev_kind = "", "other"
        elif category in ("Cc", "Cn", "Co", "Cs"):
            return None
        else:
            # A symbol (£ ³ ¹ ¿ ¤ ‰ ...) is only wrong next to a letter or another symbol
            # (`£50` is fine), and box drawing (KOI8's upper half read wrong) always.
            before = word[i - 1] if i else ""
            after = word[i + 1] if i + 1 < len(word) else ""
            if before.isalpha() or after.isalpha() or "\u2500" <= ch <= "\u259f":
                return None
            if prev_kind == "symbol":
                return None
            script, prev_kind = "", "symbol"
            continue
    if len(scripts) > 1:
        return None
    if not scripts:
        if any(unicodedata.category(ch) in ("Sk", "No") or ch == "\u00a4" for ch in word):
            return None  # a lone symbol (a cedilla, `¤`): a piece of a character read wrong
        return ()
    (only,) = scripts
    if only == "GREEK":
        lowered = [c for c in word if c.islower()]
        if tonos > 1 or (len(lowered) >= 3 and not tonos and word.lower() not in _GREEK_PLAIN):
            return None
        if len(letters) >= 3 and not _GREEK_VOWELS.intersection(letters):
            return None
        return _HOME_OF_SCRIPT["GREEK"]
    if only in _HOME_OF_SCRIPT:
        return _HOME_OF_SCRIPT[only]
    if only == "CYRILLIC":
        if letters[0] in "ьъы" and not word[0].isascii():
            return None
        if len(letters) >= 3 and not _CYRILLIC_VOWELS.intersection(letters):
            return None
    if only == "LATIN" and len(letters) >= 4 and not any(ch.isascii() for ch in word):
        # Every letter accented (`Èâàí`): another script read as Latin (Cyrillic, Greek, Hebrew
        # and Arabic letters are all high bytes). A real word of four letters or more nearly
        # always has a plain one (`Łódź`, `Kříž`, `Jõõäär`): a looser rule refused those, and
        # once chose Mac Roman for a Polish file (`ŁÓDŹ` read as `£”Dè`).
        return None
    found = set(letters)
    homes = [home for alphabet, home in _ALPHABETS if found <= alphabet]
    if not homes:
        return None
    return tuple(page for home in homes for page in home)


_SPLIT = re.compile("[" + re.escape("".join(sorted(_SEPARATORS))) + "]+")


# Cached by word: a file repeats its names. Wrapped rather than decorated so that mutation
# testing (mutmut skips decorated functions) reaches the body.
_homes = lru_cache(maxsize=65536)(_word_homes)


def _words(text: str) -> list[str]:
    """The words of `text` that have a non-ASCII character, NFC."""
    if text.isascii():
        return []
    text = unicodedata.normalize("NFC", text)
    return [word for word in _SPLIT.split(text) if not word.isascii()]


def at_home(text: str, encoding: str) -> bool:
    """Does every word of `text` read as text of a language at home in `encoding`? (What the
    detector assumes of a file written in that code page.)"""
    for word in _words(text):
        homes = _homes(word)
        if homes is None or (homes and encoding not in homes):
            return False
    return True


def first_implausible(text: str) -> str | None:
    """The first word of `text` that does not read as text in any language, or None."""
    for word in _words(text):
        if _homes(word) is None:
            return word
    return None


# --- scanning the raw bytes ----------------------------------------------------------------


@dataclass
class Scan:
    """What one pass over the raw bytes found (see `scan`)."""

    utf8_lines: int = 0
    """Lines with non-ASCII characters that are valid UTF-8."""
    other_lines: int = 0
    """Lines that are not valid UTF-8."""
    first_other_line: int = 0
    first_utf8_line: int = 0
    high_bytes: set[int] = field(default_factory=set)
    """Every byte >= 0x80 of the lines that are not UTF-8."""
    sample: list[bytes] = field(default_factory=list)
    """The first SAMPLE_BYTES of lines that are not UTF-8."""

    @property
    def mixed(self) -> bool:
        return bool(self.utf8_lines and self.other_lines)


def scan(chunks: Iterable[bytes]) -> Scan:
    """One pass over the file's bytes, in line-aligned blocks; ASCII blocks cost one check."""
    found = Scan()
    line = 1  # number of the first line of the block
    sampled = 0
    carry = b""
    for chunk in chain(chunks, (None,)):  # streamed: the file is never held whole
        if chunk is None:
            block, carry = carry, b""
        else:
            data = carry + chunk
            cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
            if cut < 0:
                carry = data
                if len(carry) < 4 * SAMPLE_BYTES:
                    continue
                block, carry = carry, b""  # a very long line: judge it in pieces
            else:
                block, carry = data[: cut + 1], data[cut + 1 :]
        if not block:
            continue
        if block.isascii():
            line += block.count(b"\n") or block.count(b"\r")
            continue
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not found.utf8_lines:
                found.first_utf8_line = line + _first_non_ascii_line(block)
            found.utf8_lines += 1
            line += block.count(b"\n") or block.count(b"\r")
            continue
        for number, text in enumerate(block.splitlines(), line):
            if text.isascii():
                continue
            try:
                text.decode("utf-8")
            except UnicodeDecodeError:
                found.other_lines += 1
                found.first_other_line = found.first_other_line or number
                found.high_bytes.update(text.translate(None, _ASCII))
                if sampled < SAMPLE_BYTES:
                    found.sample.append(text)
                    sampled += len(text)
            else:
                found.utf8_lines += 1
                found.first_utf8_line = found.first_utf8_line or number
        line += block.count(b"\n") or block.count(b"\r")
    return found


_ASCII = bytes(range(128))


def _first_non_ascii_line(block: bytes) -> int:
    """The offset of the first line that is not ASCII in a block that is not."""
    return next(i for i, text in enumerate(block.splitlines()) if not text.isascii())


# --- choosing a code page ----------------------------------------------------------------


def mixed_error(found: Scan, bom: bool = False) -> FatalFileError:
    first = "UTF-8 with a byte-order mark" if bom else f"UTF-8 (line {found.first_utf8_line})"
    return FatalFileError(
        UNKNOWN_ENCODING,
        f"The file mixes encodings: it is {first}, but line {found.first_other_line} is in "
        f"another encoding, so no single reading is right. {_FIX}",
    )


def choose_code_page(found: Scan) -> str:
    """The one 8-bit code page that reads the scanned file as text, or FatalFileError."""
    high = bytes(sorted(found.high_bytes))
    sample = b"\n".join(found.sample)
    readings: dict[str, list[str]] = {}  # what the sample reads as -> code pages, preferred first
    for name in CODE_PAGES:
        try:
            high.decode(name)  # it must define every byte of the file
        except UnicodeDecodeError:
            continue
        readings.setdefault(sample.decode(name), []).append(name)
    plausible: list[list[str]] = []
    at_home: list[list[str]] = []
    for names in readings.values():
        words = set(_words(sample.decode(names[0])))
        homes = [_homes(word) for word in words]
        if any(home is None for home in homes):
            continue
        plausible.append(names)
        if any(all(not home or name in home for home in homes) for name in names):
            at_home.append(names)
    if len(plausible) == 1:
        return plausible[0][0]
    if len(at_home) == 1:
        return at_home[0][0]
    # Several readings are text (or none is): charset-normalizer ranks them for the message.
    # (Its answer is not taken: on short names its language models take Hebrew for Russian,
    # and a wrong pick changes every name.)
    candidates = [names[0] for names in (at_home or plausible)] or [
        names[0] for names in readings.values()
    ]
    candidates = _detector_candidates(found.sample, candidates)
    named = "; ".join(label(name) for name in candidates[:4]) or "none of the supported ones"
    line = found.first_other_line
    raise FatalFileError(
        UNKNOWN_ENCODING,
        f"The file's encoding cannot be told for sure (line {line} is not UTF-8; likely "
        f"candidates: {named}). {_FIX}",
    )


def _detector_candidates(sample: list[bytes], candidates: list[str]) -> list[str]:
    """The detector's ranking of `candidates`, for the message of a refused file."""
    from charset_normalizer import from_bytes

    if not candidates:
        return []
    found = from_bytes(b"\n".join(sample), cp_isolation=candidates)
    ranked = [_canonical(str(m.encoding)) for m in found]
    return [name for name in ranked if name in candidates] or candidates


def implausible_cell_error(row: int, column: str, value: str, encoding: str) -> FatalFileError:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return FatalFileError(
        UNKNOWN_ENCODING,
        f"Row {row}, column {column!r}: {shown!r} does not read as text in "
        f"{label(encoding)}, which the rest of the file is in: the file may mix encodings. "
        f"{_FIX}",
    )
