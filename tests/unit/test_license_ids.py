import pytest

from plm.core.codes import PlmError
from plm.core.license_ids import normalize_license_id


@pytest.mark.parametrize(
    "raw",
    [
        "ID 2013-07-05-012345",
        "id 2013-07-05-012345",
        "  ID   2013-07-05-012345 ",
        "Id2013-07-05-012345",
    ],
)
def test_license_ids_are_normalized_to_the_canonical_form(raw: str) -> None:
    assert normalize_license_id(raw) == "ID 2013-07-05-012345"


@pytest.mark.parametrize(
    "raw",
    [
        "ID 2013-02-30-012345",
        "ID 2013-07-05-01234",
        "ID 2013-07-05-0123456",
        "ID 13-07-05-012345",
        "XX 2013-07-05-012345",
        "ID 2013/07/05/012345",
        "ID 2013-07-05-01234a",
        "=cmd",
    ],
)
def test_malformed_or_impossible_license_ids_are_invalid(raw: str) -> None:
    with pytest.raises(PlmError) as error:
        normalize_license_id(raw)
    assert error.value.code == "invalid_license_id"
    assert raw in error.value.message


def test_a_bare_license_id_gets_a_hint_to_add_the_prefix() -> None:
    with pytest.raises(PlmError) as error:
        normalize_license_id("2013-07-05-012345")
    assert "write 'ID 2013-07-05-012345'" in error.value.message
