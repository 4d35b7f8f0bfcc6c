"""Which 8-bit code page a file is in: the one that reads it as text, or a refusal."""

import pytest

from plm.core import codes
from plm.core.codes import FatalFileError, PlmError
from plm.core.encoding import (
    choose_code_page,
    first_implausible,
    label,
    resolve,
    scan,
)


def detect(text: str, encoding: str) -> str:
    return choose_code_page(scan([text.encode(encoding)]))


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1252", "José Müller,assign\nFrançois Ångström,assign\nSøren Ærø,revokeall\n"),
        ("cp1250", "Łukasz Żółkiewski,assign\nIga Świątek,assign\n"),
        ("cp1250", "Antonín Dvořák,assign\nBožena Němcová,assign\n"),
        ("cp1251", "Иван Петров,assign\nАнна Смирнова,assign\n"),
        ("koi8-r", "Иван Петров,assign\nАнна Смирнова,assign\n"),
        ("cp1253", "Γιώργος Παπαδόπουλος,assign\nΕλένη Νικολάου,assign\n"),
        ("cp1254", "Şükrü Yıldız,assign\nAyşe Öztürk,revokeall\n"),
        ("cp1257", "Šarūnas Jasikevičius,assign\nJānis Bērziņš,assign\n"),
        ("cp1255", "דוד כהן,assign\nשרה לוי,assign\n"),
        ("cp1256", "محمد أحمد,assign\nفاطمة علي,assign\n"),
        ("mac-roman", "José Müller,assign\nFrançois Ångström,assign\n"),
    ],
)
def test_the_code_page_that_reads_the_file_as_text_is_chosen(encoding: str, text: str) -> None:
    chosen = detect(text, encoding)
    assert text.encode(encoding).decode(chosen) == text


@pytest.mark.parametrize(
    "word", ["£ukasz", "¯ó³kiewski", "Œwi¹tek", "Èâàí", "йВАН", "Ïåòðîâ", "│█▐", "\x81x"]
)
def test_misread_words_are_not_text(word: str) -> None:
    assert first_implausible(f"{word},assign") == word


@pytest.mark.parametrize(
    "text",
    [
        *("José Müller", "O’Brien", "Łukasz Żółkiewski", "Иван Петров", "£50", "l·l", "€ 10"),
        # Mostly accented, but with a plain letter: real words (a looser rule refused them).
        *("Łódź", "ŁÓDŹ", "Kříž", "Jõõäär", "ışığın"),
        # Turkish capital İ, whose small letter is i (Python lowercases it to i + a dot).
        *("İbrahim", "İSTANBUL"),
    ],
)
def test_real_names_are_text(text: str) -> None:
    assert first_implausible(text) is None


def test_a_polish_file_in_capitals_is_never_read_as_mac_roman() -> None:
    # ŁÓDŹ was refused as "mostly accented", which left Mac Roman (`£”Dè`, `KRAK”W`) as the
    # one reading that looked like text: every Polish name silently changed.
    text = "Jan Kowalski,ŁÓDŹ\nAnna Nowak,KRAKÓW\n"
    try:
        chosen = detect(text, "cp1250")
    except FatalFileError as refused:  # refusing (the user chooses) is right too
        assert "Windows-1250" in refused.message
    else:
        assert text.encode("cp1250").decode(chosen) == text


def test_a_short_polish_file_is_read_as_windows_1250() -> None:
    assert detect("Jan Kowalski,Łódź\n", "cp1250") == "cp1250"


def test_an_ambiguous_file_is_refused_naming_the_candidates() -> None:
    # `Zoë` is ë in Windows-1252 and ė in Windows-1257: both are names; neither can be chosen.
    with pytest.raises(FatalFileError) as error:
        detect("Zoë,assign\n", "cp1252")
    assert error.value.code == codes.UNKNOWN_ENCODING
    assert "Windows-1252" in error.value.message and "Windows-1257" in error.value.message
    assert "CSV UTF-8" in error.value.message and "--encoding" in error.value.message


def test_a_file_mixing_utf8_and_another_encoding_is_found_mixed() -> None:
    found = scan([b"Username,Action\nJos\xc3\xa9,assign\nM\xfcller,assign\n"])
    assert found.mixed and found.first_other_line == 3


def test_a_long_file_is_scanned_in_blocks_with_the_right_line_number() -> None:
    data = b"a,b\n" * 500_000 + b"M\xfcller,assign\n"
    found = scan([data[i : i + 65536] for i in range(0, len(data), 65536)])
    assert (found.other_lines, found.first_other_line) == (1, 500_001)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("windows-1250", "cp1250"), ("CP1251", "cp1251"), ("latin2", "iso8859-2"), ("UTF8", "utf-8")],
)
def test_a_chosen_encoding_is_resolved_by_any_of_its_names(name: str, canonical: str) -> None:
    assert resolve(name) == canonical


def test_an_unknown_chosen_encoding_is_an_invalid_argument_naming_the_choices() -> None:
    with pytest.raises(PlmError) as error:
        resolve("klingon")
    assert error.value.code == codes.INVALID_ARGUMENT and "cp1250" in error.value.message


def test_labels_name_the_code_page_for_people() -> None:
    assert label("cp1250") == "Windows-1250 (Central European)"
    assert label("mac-roman").startswith("Mac Roman")


def test_an_encoding_is_labelled_as_people_know_it() -> None:
    assert label("cp1250") == "Windows-1250 (Central European)"
    assert label("utf-8-sig") == "UTF-8 (with BOM)"  # what a file's record says it was read as
    assert label("xlsx") == "xlsx"  # not an encoding: shown as recorded
