"""The exact words of the encoding refusals: the line or row, column and value they name are
what an administrator goes looking for in the file."""

import io

import pytest

from plm.core.codes import FatalFileError, PlmError
from plm.core.encoding import CHOICES, resolve
from plm.core.reader import inspect, records

FIX = (
    'Save it from your spreadsheet as "CSV UTF-8" and import it again, or choose its encoding '
    "(--encoding on the command line, Encoding on the web import form, encoding in the API)."
)
HEAD = b"Username,Action,License ID\n" + b"ann,revokeall,\n" * 3


def refusal(data: bytes) -> str:
    with pytest.raises(FatalFileError) as refused:
        layout = inspect(lambda: io.BytesIO(data), required=["username", "action"])
        list(records(lambda: io.BytesIO(data), layout))
    assert refused.value.code == "unknown_encoding"
    return str(refused.value)


def test_a_mixed_file_names_the_first_utf8_line_and_the_first_other_line() -> None:
    data = HEAD + "Zoë,revokeall,\n".encode() + b"bob,revokeall,\n" + "Zoë,x,\n".encode("cp1252")
    assert refusal(data) == (
        "The file mixes encodings: it is UTF-8 (line 5), but line 7 is in another encoding, so "
        f"no single reading is right. {FIX}"
    )


def test_a_mixed_file_names_its_first_utf8_line_when_it_is_far_from_the_other_one() -> None:
    """The UTF-8 line and the other one in different blocks of the scan (megabytes apart)."""
    filler = b"bob,revokeall,\n" * 150_000
    data = HEAD + b"bob,revokeall,\n" + "Zoë,revokeall,\n".encode() + filler
    data += "Zoë,x,\n".encode("cp1252")
    assert refusal(data) == (
        "The file mixes encodings: it is UTF-8 (line 6), but line 150007 is in another "
        f"encoding, so no single reading is right. {FIX}"
    )


def test_a_mixed_file_with_a_byte_order_mark_says_so() -> None:
    data = b"\xef\xbb\xbf" + HEAD + "Zoë,revokeall,\n".encode("cp1252")
    assert refusal(data) == (
        "The file mixes encodings: it is UTF-8 with a byte-order mark, but line 5 is in another "
        f"encoding, so no single reading is right. {FIX}"
    )


@pytest.mark.parametrize("length", [4, 60, 61], ids=["short", "60-whole", "61-cut-to-57"])
def test_a_cell_that_does_not_read_in_the_files_encoding_is_named_by_row_column_and_value(
    length: int,
) -> None:
    # Polish (Windows-1250) for the whole sample the encoding is chosen from, then one row
    # pasted from a Cyrillic (Windows-1251) file: "Иван..." read as Windows-1250 is "Čâŕí...".
    cyrillic = ("Иван" * 16)[:length]
    misread = cyrillic.encode("cp1251").decode("cp1250")
    shown = misread if length <= 60 else misread[:57] + "..."
    header = "Username,Action,License ID\n"
    rows = "Iga Świątek,revokeall,\n" * 12_000
    data = (header + rows).encode("cp1250") + f"{cyrillic},revokeall,\n".encode("cp1251")
    assert refusal(data) == (
        f"Row 12002, column 'Username': {shown!r} does not read as text in Windows-1250 "
        "(Central European), which the rest of the file is in: the file may mix encodings. "
        f"{FIX}"
    )


def test_an_unknown_encoding_name_lists_every_choice() -> None:
    with pytest.raises(PlmError) as refused:
        resolve(" klingon ")
    assert str(refused.value) == (
        f"Unknown or unsupported encoding 'klingon': choose one of {', '.join(CHOICES)}."
    )


def test_a_misread_cell_past_the_headers_last_column_is_named_by_its_column_number() -> None:
    cyrillic = "Иван"
    rows = "Iga Świątek,revokeall,\n" * 12_000
    data = ("Username,Action,License ID\n" + rows + "Iga Świątek,revokeall,,").encode("cp1250")
    data += cyrillic.encode("cp1251") + b"\n"
    misread = cyrillic.encode("cp1251").decode("cp1250")
    assert refusal(data).startswith(f"Row 12002, column '4': {misread!r} does not read as text")


def test_an_undecided_file_lists_the_likely_encodings_as_the_detector_ranks_them() -> None:
    # One Hungarian place name, too little to be sure; the detector puts Windows-1250 first,
    # ahead of the code pages' own order (Windows-1252 first).
    data = HEAD + "Őrség,revokeall,\n".encode("cp1250")
    assert refusal(data) == (
        "The file's encoding cannot be told for sure (line 5 is not UTF-8; likely candidates: "
        "Windows-1250 (Central European); Windows-1252 (Western European); Windows-1258 "
        f"(Vietnamese)). {FIX}"
    )


def test_utf16_chosen_for_a_file_without_its_byte_order_mark_is_refused_not_a_crash() -> None:
    data = "Username,Action,License ID\nann,revokeall,\n".encode("utf-16-le")
    with pytest.raises(FatalFileError) as refused:
        inspect(lambda: io.BytesIO(data), required=["username"], encoding="utf-16")
    assert (refused.value.code, str(refused.value)) == (
        "unknown_encoding",
        "The file is not in UTF-16 (with BOM), the encoding chosen: some of its bytes mean "
        'nothing in it. Choose another encoding, or save the file as "CSV UTF-8".',
    )
