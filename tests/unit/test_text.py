"""One Unicode form and one case rule for every comparison (core.text)."""

import unicodedata

import pytest

from plm.core.codes import PlmError
from plm.core.text import fold, nfc, plain, shown, strip_invisible, strip_unstorable, undecodable


def test_a_decomposed_accent_is_the_same_text_as_the_composed_one() -> None:
    decomposed = unicodedata.normalize("NFD", "Świątek Müller")
    assert decomposed != "Świątek Müller"
    assert nfc(decomposed) == "Świątek Müller"


def test_fold_matches_case_and_form_together() -> None:
    assert fold("ÅNGSTRÖM") == fold(unicodedata.normalize("NFD", "ångström"))
    assert fold("Straße") == fold("STRASSE")


def test_ascii_is_returned_unchanged() -> None:
    text = "ann@example.edu"
    assert nfc(text) is text


def test_invisible_characters_at_the_ends_are_trimmed_but_not_inside() -> None:
    assert strip_invisible("\u00a0\u200bann\u200b ") == "ann"
    assert strip_invisible("an\u200bn") == "an\u200bn"
    assert strip_invisible("\u200bXena X\u200b") == "Xena X"  # letters at the edges stay


@pytest.mark.parametrize(
    "ch", ["\x00", "\t", "\n", "\x1f", "\x7f", "\x80", "\x9f", "\ud800", "\udcff"]
)
def test_plain_refuses_control_characters_and_unpaired_surrogates(ch: str) -> None:
    with pytest.raises(PlmError) as refused:
        plain(f"ab{ch}cd", "License name")
    assert refused.value.code == "invalid_argument"
    assert refused.value.message == (
        f"License name {'ab' + ch + 'cd'!r} contains {ch!a} (a control character or an unpaired "
        "surrogate): remove it."
    )


@pytest.mark.parametrize(
    "text", ["", " ", "x\x20y", "\xa0", "é", "\u200c", "Ärzte/Academic Staff", "😀"]
)
def test_plain_keeps_printable_text_as_it_is(text: str) -> None:
    assert plain(text, "Name", limit=20) is text


def test_plain_counts_characters_against_the_limit_folded_when_asked() -> None:
    assert plain("x" * 200, "Organization name", limit=200) == "x" * 200
    with pytest.raises(PlmError) as refused:
        plain("x" * 201, "Organization name", limit=200)
    assert refused.value.code == "value_too_long"
    assert refused.value.message == (
        f"Organization name '{'x' * 40}…' has 201 characters; at most 200 fit: shorten it."
    )
    assert plain("ß" * 100, "License name", limit=150) == "ß" * 100  # stored as typed
    with pytest.raises(PlmError) as folded:
        plain("ß" * 100, "Organization name", limit=150, folded=True)  # its key is "ss" * 100
    assert folded.value.message.endswith(
        "has 100 characters (200 once case-folded); at most 150 fit: shorten it."
    )


def test_labels_lose_what_no_database_stores_and_arguments_say_what_they_carry() -> None:
    assert strip_unstorable("replace a\x00b\ud800 -> c\td\x85") == "replace ab -> cd"
    assert undecodable("plain\ttext\x01") is None  # only what cannot be stored or looked up
    assert undecodable("a\x00b") == "\x00"
    assert undecodable("caf\udce9") == "\udce9"
    assert shown("short") == "'short'"
    assert shown("y" * 41) == repr("y" * 40 + "…")
    assert shown("y" * 40) == repr("y" * 40)  # exactly the width: whole, no ellipsis
