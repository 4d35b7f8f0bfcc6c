"""`_word_homes`: the code pages a non-ASCII word is at home in, () or None (not text).

Most cases are a real name written in one code page and read in another (`misread`), as a
file is when its encoding is guessed wrong: the heuristic must tell the right reading (at home
where its language is written) from the misreadings (None). `_word_homes` is called directly:
`_homes` caches it, and `_words` composes (NFC) what is called here decomposed on purpose.
"""

# ruff: noqa: RUF003 -- the comments spell out misreadings, look-alike characters and all

import pytest

from plm.core.encoding import _word_homes, at_home

WESTERN = ("cp1252", "mac-roman", "iso8859-1", "iso8859-15")
CYRILLIC = ("cp1251", "koi8-r", "koi8-u", "iso8859-5")
GREEK = ("cp1253", "iso8859-7")
HEBREW = ("cp1255", "iso8859-8")
VIETNAMESE = ("cp1258",)


def misread(name: str, written: str, read: str) -> str:
    """What a file written in `written` shows for `name` when read as `read`."""
    return name.encode(written).decode(read)


@pytest.mark.parametrize(
    ("name", "page", "homes"),
    [
        # Capitals throughout: an accented capital after ASCII capitals is fine. ã is Portuguese
        # or Vietnamese.
        ("SÃO", "cp1252", WESTERN + VIETNAMESE),
        # ç and ë: French, and every letter of the Albanian alphabet (a set equal to it counts).
        ("Çamëri", "cp1252", WESTERN + WESTERN),
        # Greek is written with one accent per word, except a few short words such as `και`.
        ("και", "cp1253", GREEK),
        # "1-ый" (1st) splits at the digit: a word may start with a hyphen, and then with ы.
        ("-ый", "cp1251", CYRILLIC + CYRILLIC),
        # Pointed Hebrew: points are marks of the letters' own script, one after another.
        ("שָׁלוֹם", "cp1255", HEBREW),
        # cp1258 writes the tone as a combining mark after ê (composed only later, by _words).
        ("Nguy\u00ea\u0303n", "cp1258", (*(WESTERN * 3), "iso8859-14", *VIETNAMESE)),
        # ... and after a capital Ê.
        ("NGUY\u00ca\u0303N", "cp1258", (*(WESTERN * 3), "iso8859-14", *VIETNAMESE)),
    ],
)
def test_a_name_read_in_its_own_code_page_is_at_home_where_its_language_is_written(
    name: str, page: str, homes: tuple[str, ...]
) -> None:
    assert _word_homes(misread(name, page, page)) == homes


@pytest.mark.parametrize(
    "word",
    [
        "ἄνθρωπος",  # ἄ is ALPHA WITH PSILI AND OXIA: the oxia counts as the word's accent
        "ᾎΣΜΑ",  # a capital with the iota written under it is caseless: capitals may follow
    ],
)
def test_polytonic_greek_which_no_code_page_holds_is_still_greek(word: str) -> None:
    # Only from a UTF-8 source; no 8-bit code page has these letters.
    assert _word_homes(word) == GREEK


@pytest.mark.parametrize(
    ("name", "written", "read"),
    [
        # `PÈrez`: é read on a Mac is È, a capital followed by small letters.
        ("Pérez", "cp1252", "mac-roman"),
        # `GŸl`: the same with the capital second, the small letter last.
        ("Gül", "mac-roman", "cp1252"),
        # `OíBrien`: the apostrophe read on a Mac is í, so a small letter before a capital B.
        ("O’Brien", "cp1252", "mac-roman"),
        # `JeanñLuc`: the en dash read on a Mac.
        ("Jean–Luc", "cp1252", "mac-roman"),
    ],
)
def test_a_capital_inside_a_word_next_to_small_letters_is_a_misread_letter(
    name: str, written: str, read: str
) -> None:
    assert _word_homes(misread(name, written, read)) is None


@pytest.mark.parametrize(
    ("name", "written", "read"),
    [
        # `їe`: Polish ż read as Cyrillic ї, then a Latin e.
        ("że", "cp1250", "cp1251"),
        # `Vُ`: õ read as an Arabic vowel sign (damma) on a Latin V.
        ("Võ", "cp1252", "cp1256"),
    ],
)
def test_letters_or_marks_of_two_scripts_in_one_word_are_a_misreading(
    name: str, written: str, read: str
) -> None:
    assert _word_homes(misread(name, written, read)) is None


@pytest.mark.parametrize(
    "name",
    [
        # `Θλόώψθν`: two accents (ό, ώ) in one Greek word.
        "Ильюшин",
        # `Κξρςώκ`: a final sigma ς (Cyrillic т) inside the word.
        "Костюк",
        # `ΜΓΣ`: three letters, no vowel (capitals only, so the accent rule does not apply).
        "МГУ",
    ],
)
def test_russian_read_as_greek_breaks_the_rules_greek_words_keep(name: str) -> None:
    assert _word_homes(misread(name, "cp1251", "cp1253")) is None


@pytest.mark.parametrize(
    ("name", "written", "read"),
    [
        # `G—mez`: ó read as an em dash, right after the first letter.
        ("Gómez", "mac-roman", "cp1252"),
        # `Ni–o`: ñ read as an en dash, one letter before the end.
        ("Niño", "mac-roman", "cp1252"),
        # `Ruiz-O–ate`: after a one-letter piece that follows a hyphen.
        ("Ruiz-Oñate", "mac-roman", "cp1252"),
    ],
)
def test_a_dash_after_a_letter_inside_a_word_is_a_misread_letter(
    name: str, written: str, read: str
) -> None:
    assert _word_homes(misread(name, written, read)) is None


@pytest.mark.parametrize(
    ("name", "written", "read", "homes"),
    [
        # `–imkus`: Š read as a leading dash, which a list may well start with.
        ("Šimkus", "cp1257", "mac-roman", ()),
        # `SIGUR–`: Ð read as a trailing dash.
        ("SIGURÐ", "cp1252", "mac-roman", ()),
        # `∑–ŸÊ’“`: a dash between a symbol and a letter. Passes as French (ÿ, ê): this
        # rule alone does not catch it, the file's other words must.
        ("Зайцев", "iso8859-5", "mac-roman", WESTERN),
    ],
)
def test_a_dash_at_the_edge_of_a_word_or_after_a_non_letter_is_not_judged(
    name: str, written: str, read: str, homes: tuple[str, ...]
) -> None:
    assert _word_homes(misread(name, written, read)) == homes


@pytest.mark.parametrize(
    ("name", "written", "read"),
    [
        # `Nowak-£ukaszewicz`: Ł read as £ right before a letter (after a hyphen).
        ("Nowak-Łukaszewicz", "cp1250", "cp1252"),
        # `¿e`: ż read as ¿, before the last letter of a two-letter word.
        ("że", "cp1250", "cp1252"),
        # `V›`: õ read as ›, right after a letter, at the end.
        ("Võ", "mac-roman", "cp1252"),
        # `¬≈–¿`: nothing but symbols, two of them side by side (В, Е).
        ("ВЕРА", "cp1251", "mac-roman"),
    ],
)
def test_a_symbol_next_to_a_letter_or_to_another_symbol_is_a_misread_letter(
    name: str, written: str, read: str
) -> None:
    assert _word_homes(misread(name, written, read)) is None


def test_a_symbol_is_judged_by_the_characters_beside_it_not_by_the_word_s_last_letter() -> None:
    # Arabic علي on a Mac, `⁄·Ì`: the fraction slash touches no letter, and ì is Italian,
    # Welsh, Maltese or Vietnamese (a misreading the file's other words must give away).
    assert _word_homes(misread("علي", "cp1256", "mac-roman")) == (
        *WESTERN,
        "iso8859-14",
        "iso8859-3",
        *VIETNAMESE,
    )


@pytest.mark.parametrize(
    ("name", "written", "read"),
    [
        # `¯`: the initial Ż. read as a macron (a modifier symbol).
        ("Ż", "cp1250", "cp1252"),
        # `¹`: № read as a superscript one (a number that is no digit).
        ("№", "cp1251", "cp1252"),
        # `¤`: € (Latin-9) read as the currency sign of Latin-1.
        ("€", "iso8859-15", "iso8859-1"),
        # `─`: the initial Ђ. read as KOI8's first box-drawing character.
        ("Ђ", "cp1251", "koi8-r"),
        # `\x96`: an en dash read as a C1 control character.
        ("–", "cp1252", "iso8859-1"),
        # `\uf8ff`: р (`р. Волга`) read on a Mac as the Apple logo, a private-use character.
        ("р", "cp1251", "mac-roman"),
    ],
)
def test_a_lone_piece_of_a_misread_character_is_not_text(
    name: str, written: str, read: str
) -> None:
    assert _word_homes(misread(name, written, read)) is None


@pytest.mark.parametrize(
    "word",
    [
        "\u0378",  # unassigned (a gap in the Greek block)
        "\udc81",  # a lone surrogate: a byte Python could not decode (surrogateescape)
        "\u259f",  # the last of the box-drawing and block characters
    ],
)
def test_a_character_no_text_is_made_of_is_not_text_even_alone(word: str) -> None:
    assert _word_homes(word) is None


@pytest.mark.parametrize(
    ("name", "written", "read"),
    [
        # `Èâàí`: four accented letters and nothing else.
        ("Иван", "cp1251", "cp1252"),
        # `Ďĺňđ`: the same in Central European.
        ("Петр", "cp1251", "cp1250"),
    ],
)
def test_a_word_of_only_accented_letters_is_another_script_read_as_latin(
    name: str, written: str, read: str
) -> None:
    assert _word_homes(misread(name, written, read)) is None


def test_a_word_in_two_scripts_is_not_text() -> None:
    # "Pavel" with a Cyrillic а: two scripts in one word is a misreading, not a name.
    assert _word_homes("P\u0430vel") is None
    assert _word_homes("\u0410lpha\u0392") is None  # Cyrillic А, Latin, Greek Β
    # Two scripts on either side of a hyphen: each part is one script, the word is not text.
    assert _word_homes("Müller-Пётр") is None


@pytest.mark.parametrize(
    ("text", "encoding", "home"),
    [
        ("Łódź Kraków", "cp1250", True),  # Polish: at home in Central European
        ("Łódź Kraków", "cp1252", False),  # Ł is not written in Western code pages
        ("José Łódź", "cp1252", False),  # one word not at home is enough
        ("José Müller", "cp1252", True),
        ("Ðóññêèé", "cp1252", False),  # Cyrillic read as cp1252: not text at all
        ("plain ascii", "cp1252", True),
    ],
)
def test_at_home_asks_every_word_to_be_at_home_in_the_code_page(text, encoding, home) -> None:
    assert at_home(text, encoding) is home
