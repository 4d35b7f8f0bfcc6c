"""Property: text in any supported encoding is read exactly, or the file is refused whole
(unknown_encoding) -- never read as a different text.

Unicode files must always read exactly. For the 8-bit code pages the names are drawn as people
write them: words of a language that code page is made for (its letters mixed with a-z, a
capital first), which is what a spreadsheet in that locale saves. (Bytes are only ever text in
*some* encoding, so letter soup that reads better in another code page than in its own cannot
be told by anyone; the reader refuses or picks the reading that is text. And bytes that are
valid UTF-8 are UTF-8.)"""

import io
import unicodedata

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from plm.core.codes import FatalFileError
from plm.core.encoding import LANGUAGES, at_home
from plm.core.reader import inspect, records
from plm.core.text import strip_invisible
from tests.data.dialects import encode_cp1258

REQUIRED = ["username", "action"]


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_usernames(data: bytes) -> list[str] | str:
    """The usernames read, or the fatal code."""
    try:
        layout = inspect(lambda: io.BytesIO(data), required=REQUIRED)
    except FatalFileError as error:
        return error.code
    return [r.get(layout, "username") for r in records(lambda: io.BytesIO(data), layout)]


def licenses_text(names: list[str], delimiter: str = ",") -> str:
    rows = [delimiter.join(("Username", "Action", "License ID"))]
    rows += [delimiter.join((name, "revokeall", "")) for name in names]
    return "\r\n".join(rows) + "\r\n"


unicode_name = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters=",;\t\"'\u2028\u2029\x85"
    ),
    min_size=1,
    max_size=15,
).filter(lambda s: strip_invisible(unicodedata.normalize("NFC", s)) != "")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(unicode_name, min_size=1, max_size=5),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_any_text_in_a_unicode_file_reads_exactly(names: list[str], encoding: str) -> None:
    data = licenses_text(names).encode(encoding)
    expected = [strip_invisible(unicodedata.normalize("NFC", n)) for n in names]
    assert read_usernames(data) == expected


# For every detected code page, the alphabets of the languages at home in it.
_HOME: dict[str, list[str]] = {}
for letters, homes in LANGUAGES.values():
    for page in homes:
        _HOME.setdefault(page, []).append(letters.replace("'", ""))
_HOME["cp1253"] = _HOME["iso8859-7"] = ["αβγδεζηθικλμνξοπρστυφχψω"]
_HOME["cp1255"] = _HOME["iso8859-8"] = ["אבגדהוזחטיכלמנסעפצקרשת"]
_HOME["cp1256"] = _HOME["iso8859-6"] = ["ابتثجحخدذرزسشصضطظعغفقكلمنهوي"]
PAGES = sorted(_HOME)


@st.composite
def names_in(draw: st.DrawFn, page: str) -> list[str]:
    """Names as people of a language at home in `page` write them: each word in one language."""

    def word() -> str:
        letters = sorted(set(draw(st.sampled_from(_HOME[page]))))
        latin = unicodedata.name(letters[0]).startswith("LATIN")
        pick = st.sampled_from(letters)
        if latin:  # accents among plain letters, as in every Latin-script language
            pick = st.one_of(st.sampled_from("aeiounrstlmkdp"), pick)
        text = "".join(draw(st.lists(pick, min_size=2, max_size=9)))
        vowels = {"cp1253": "άέήίόύώ", "iso8859-7": "άέήίόύώ"}.get(page)
        if unicodedata.name(letters[0]).startswith("CYRILLIC"):
            vowels = "аеиоуяю"
        if vowels:  # Greek writes one accent in every word; every word has a vowel
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(vowels)) + text[at:]
        return text[:1].upper() + text[1:]

    return [
        " ".join(word() for _ in range(draw(st.integers(1, 3))))
        for _ in range(draw(st.integers(1, 6)))
    ]


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_names_in_any_code_page_read_exactly_or_the_file_is_refused(data: st.DataObject) -> None:
    page = data.draw(st.sampled_from(PAGES), label="code page")
    names = data.draw(names_in(page), label="names")
    text = licenses_text(names)
    try:
        encoded = encode_cp1258(text) if page == "cp1258" else text.encode(page)
    except UnicodeEncodeError:
        assume(False)
        return
    # Bytes that are valid UTF-8 are read as UTF-8, as they always were (only a few characters
    # of 8-bit text can be: `Вё` in Windows-1251 is the UTF-8 of a cedilla).
    assume(not _valid_utf8(encoded))
    # Names as people write them: each word reads as a language at home in the code page.
    assume(at_home(text, page))
    got = read_usernames(encoded)
    assert got in ("unknown_encoding", [unicodedata.normalize("NFC", n) for n in names])
