"""One Unicode form and one case rule for every comparison (core.text)."""

import unicodedata

from plm.core.text import fold, nfc, strip_invisible


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
