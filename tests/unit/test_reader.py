import codecs
import io
from collections.abc import Callable
from typing import BinaryIO

import pytest

from plm.core.codes import FatalFileError
from plm.core.reader import Layout, Record, header_key, inspect, records

REQUIRED = ["username", "action"]


def opener(data: bytes) -> Callable[[], BinaryIO]:
    return lambda: io.BytesIO(data)


def read(data: bytes, max_bytes: int = 50 * 1024 * 1024) -> tuple[Layout, list[Record]]:
    layout = inspect(opener(data), required=REQUIRED, max_bytes=max_bytes)
    return layout, list(records(opener(data), layout, max_bytes))


def fatal(data: bytes, max_bytes: int = 50 * 1024 * 1024) -> FatalFileError:
    with pytest.raises(FatalFileError) as error:
        read(data, max_bytes)
    return error.value


SAMPLE = "Username,Action,License ID\r\nann@x.edu,assign,ID 2013-07-05-012345\r\nbob,revokeall,\r\n"


@pytest.mark.parametrize(
    "encoded",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-16"),  # with BOM
        SAMPLE.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "cp1252"],
)
def test_supported_encodings_read_the_same_rows(encoded: bytes) -> None:
    layout, rows = read(encoded)
    assert [(r.row, r.get(layout, "username")) for r in rows] == [(2, "ann@x.edu"), (3, "bob")]


def test_windows_1252_characters_are_decoded() -> None:
    layout, rows = read("Username,Action\nJosé Müller,revokeall\n".encode("cp1252"))
    assert rows[0].get(layout, "username") == "José Müller"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_detected_from_the_header(delimiter: str) -> None:
    text = SAMPLE.replace(",", delimiter)
    layout, rows = read(text.encode())
    assert layout.delimiter == delimiter
    assert rows[0].get(layout, "licenseid") == "ID 2013-07-05-012345"


@pytest.mark.parametrize("name", ["License ID", "license_id", "LicenseID", " LICENSE-ID "])
def test_column_names_match_ignoring_case_spaces_underscores_and_dashes(name: str) -> None:
    assert header_key(name) == "licenseid"


def test_row_numbers_are_spreadsheet_rows_and_blank_rows_only_count() -> None:
    text = 'Username,Action\n\na,revokeall\n,,\n"multi\nline",revokeall\nc,revokeall\n'
    layout, rows = read(text.encode())
    assert [(r.row, r.get(layout, "username")) for r in rows] == [
        (3, "a"),
        (5, "multi\nline"),
        (6, "c"),
    ]
    assert layout.data_rows == 3


def test_values_are_trimmed_and_one_leading_apostrophe_dropped() -> None:
    layout, rows = read(b"Username,Action\n  '=ann , assign \n''x,assign\n")
    assert rows[0].get(layout, "username") == "=ann"
    assert rows[0].get(layout, "action") == "assign"
    assert rows[1].get(layout, "username") == "'x"


def test_extra_columns_are_ignored_and_missing_license_column_reads_empty() -> None:
    layout, rows = read(b"Notes,Action,Username\nhello,revokeall,ann\n")
    assert rows[0].get(layout, "username") == "ann"
    assert rows[0].get(layout, "licenseid") == ""


def test_mixed_line_endings_are_read() -> None:
    layout, rows = read(b"Username,Action\r\na,revokeall\nb,revokeall\rc,revokeall\r\n")
    assert [r.get(layout, "username") for r in rows] == ["a", "b", "c"]


def test_header_only_file_has_no_rows() -> None:
    layout, rows = read(b"Username,Action,License ID\r\n")
    assert rows == [] and layout.data_rows == 0


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"\n\n  \n", "empty_file"),
        (codecs.BOM_UTF8, "empty_file"),
        (b"Username,Action\na\x00b,assign\n", "unreadable_file"),
        (SAMPLE.encode("utf-16-le"), "unreadable_file"),  # UTF-16 without BOM
        (b"Username,Action\n\x81\x8d\x8f\x90\x9d,assign\n", "unknown_encoding"),  # no text
        (b"Username,Action\n\x81\x02\x90,assign\n", "unreadable_file"),  # control bytes
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "malformed_xlsx"),  # a broken zip: no workbook
        (b'Username,Action\n"unterminated,assign\n', "malformed_csv"),
        (b"Username,Action\n" + b"x" * (1024 * 1024 + 10) + b",assign\n", "malformed_csv"),
        (b"Username,Action\n" + b"a," * 1500 + b"\n", "malformed_csv"),
        (b"Name,Action\nann,assign\n", "missing_column"),
        (b"Username,Verb\nann,assign\n", "missing_column"),
    ],
)
def test_fatal_file_errors(data: bytes, code: str) -> None:
    assert fatal(data).code == code


def test_a_file_over_the_size_limit_is_refused() -> None:
    assert fatal(SAMPLE.encode() * 100, max_bytes=1000).code == "file_too_large"


def test_malformed_csv_names_the_row() -> None:
    error = fatal(b'Username,Action\na,assign\nb,assign\n"c,assign\n')
    assert "Row 4" in error.message


def test_missing_column_names_the_columns_found() -> None:
    error = fatal(b"User,Action\nann,assign\n")
    assert "username" in error.message and "'User'" in error.message


def read_as(data: bytes, **options: str) -> tuple[Layout, list[Record]]:
    layout = inspect(opener(data), required=REQUIRED, **options)  # type: ignore[arg-type]
    return layout, list(records(opener(data), layout))


def test_a_polish_windows_1250_file_reads_its_names_and_records_the_encoding() -> None:
    data = "Username,Action\nŁukasz Żółkiewski,revokeall\nIga Świątek,revokeall\n".encode("cp1250")
    layout, rows = read_as(data)
    assert [r.get(layout, "username") for r in rows] == ["Łukasz Żółkiewski", "Iga Świątek"]
    assert (layout.encoding, layout.detected) == ("cp1250", True)
    assert layout.encoding_label == "Windows-1250 (Central European)"


def test_mac_roman_names_with_cedilla_and_ring_are_read_not_refused() -> None:
    data = "Username,Action\nFrançois Ångström,revokeall\nJosé Müller,revokeall\n"
    layout, rows = read_as(data.encode("mac-roman"))
    assert [r.get(layout, "username") for r in rows] == ["François Ångström", "José Müller"]


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["no-bom", "bom"])
def test_utf8_with_one_windows_1252_line_is_refused_naming_the_line(bom: bytes) -> None:
    data = bom + "Username,Action\nJosé,revokeall\n".encode() + "Müller,x\n".encode("cp1252")
    error = fatal(data)
    assert error.code == "unknown_encoding"
    assert "mixes encodings" in error.message and "line 3" in error.message


def test_a_cell_that_changes_encoding_after_the_sample_is_refused_naming_row_and_column() -> None:
    head = "Username,Action\n" + "Łukasz Żółkiewski,revokeall\n" * 20_000  # beyond the sample
    data = head.encode("cp1250") + "Иван,revokeall\n".encode("cp1251")  # reads Čâŕí
    error = fatal(data)
    assert error.code == "unknown_encoding"
    assert "Row 20002, column 'Username'" in error.message


def test_a_chosen_encoding_is_used_without_guessing() -> None:
    data = "Username,Action\nZoë,revokeall\n".encode("cp1252")  # or Zoė: cannot be told
    assert fatal(data).code == "unknown_encoding"
    layout, rows = read_as(data, encoding="windows-1257")
    assert rows[0].get(layout, "username") == "Zoė"
    assert (layout.encoding, layout.detected) == ("cp1257", False)


def test_a_chosen_encoding_that_does_not_fit_the_bytes_is_refused() -> None:
    data = b"Username,Action\n\x81\x8d,revokeall\n"
    with pytest.raises(FatalFileError) as error:
        read_as(data, encoding="cp1252")
    assert error.value.code == "unknown_encoding" and "Windows-1252" in error.value.message


def test_a_byte_order_mark_wins_over_the_chosen_encoding() -> None:
    data = codecs.BOM_UTF8 + "Username,Action\nZoë,revokeall\n".encode()
    layout, rows = read_as(data, encoding="cp1250")
    assert (layout.encoding, rows[0].get(layout, "username")) == ("utf-8-sig", "Zoë")


def test_decomposed_accents_are_read_composed_in_cells_and_headers() -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "Username,Action,Notés\nŚwiątek Müller,revokeall,é\n")
    layout, rows = read_as(text.encode())
    assert rows[0].get(layout, "username") == "Świątek Müller"
    assert layout.header[2] == "Notés" and layout.has("notés")


@pytest.mark.parametrize(
    "name", ["Licence ID", "licence_id", "License\u00a0ID", "License\u200b ID", "License‐ID"]
)
def test_british_spelling_and_pasted_invisible_spaces_match_the_column(name: str) -> None:
    assert header_key(name) == "licenseid"


def test_excel_sep_line_names_the_delimiter_and_is_not_a_row() -> None:
    data = b"sep=;\r\nUsername;Action;License ID\r\nann,x;revokeall;\r\n"
    layout, rows = read_as(data)
    assert (layout.delimiter, layout.header_row) == (";", 1)
    assert [(r.row, r.get(layout, "username")) for r in rows] == [(2, "ann,x")]


def test_a_quote_inside_an_unquoted_cell_is_kept_as_excel_keeps_it() -> None:
    layout, rows = read_as(b'Username,Action\nann 5" screen,revokeall\n')
    assert rows[0].get(layout, "username") == 'ann 5" screen'


def test_zero_width_and_non_breaking_spaces_around_a_value_are_trimmed() -> None:
    layout, rows = read_as("Username,Action\n\u00a0ann\u200b,revokeall\n".encode())
    assert rows[0].get(layout, "username") == "ann"
