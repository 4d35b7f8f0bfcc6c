"""Text no database column can hold (a NUL or another control character, an unpaired surrogate,
more characters than the column) is refused with a code and a message naming the field, the same
on every face and on SQLite as on PostgreSQL, where it used to fail as a 500 (psycopg DataError:
NUL bytes, values too long for a varchar; UnicodeEncodeError: surrogates)."""

import json

import pytest
from django.test import Client

from plm.directory.actors import system_actor
from plm.directory.models import ApiToken, Organization, User
from plm.directory.tokens import token_create
from plm.licensing.models import License
from tests.builders import make_user, plm
from tests.integration.conftest import L1

NEW = "ID 2024-08-01-000123"
L1_URL = "/api/v1/licenses/ID%202013-07-05-012345"


@pytest.fixture
def root(campus) -> User:  # type: ignore[no-untyped-def]
    return make_user("root", "root@example.com", sysadmin=True)


def api(root: User, method: str, path: str, body: object):  # type: ignore[no-untyped-def]
    _, raw = token_create(actor=system_actor(), user=root, name="t")
    return getattr(Client(), method)(
        path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def api_error(response) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def cli_error(*args: str) -> tuple[int, str, str]:
    run = plm(*args, "--json")
    return run.code, run.json["error"]["code"], run.json["error"]["message"]


def test_a_license_name_over_200_characters_is_value_too_long_on_the_cli_and_the_api(root) -> None:
    long = "N" * 201
    code, error, message = cli_error("licenses", "add", NEW, "--seats", "1", "--name", long)
    assert (code, error) == (2, "value_too_long")
    assert "License name 'NNNN" in message and "201 characters; at most 200" in message
    assert cli_error("licenses", "update", L1, "--name", long)[:2] == (2, "value_too_long")
    status, error, message = api_error(
        api(root, "post", "/api/v1/licenses", {"license_id": NEW, "seats": 1, "name": long})
    )
    assert (status, error) == (422, "value_too_long") and "License name" in message
    patched = api(root, "patch", L1_URL, {"name": long})
    assert api_error(patched)[:2] == (422, "value_too_long")
    assert not License.objects.filter(license_id=NEW).exists()
    assert License.objects.get(license_id=L1).name == ""
    # 200 characters fit, on every database.
    assert plm("licenses", "update", L1, "--name", "N" * 200).code == 0


def test_a_license_name_with_a_nul_or_a_control_character_is_invalid_argument(root) -> None:
    for name in ("Campus\x00", "Campus\x01", "Campus\ud800"):
        response = api(
            root, "post", "/api/v1/licenses", {"license_id": NEW, "seats": 1, "name": name}
        )
        status, error, message = api_error(response)
        assert (status, error) == (422, "invalid_argument"), name
        assert message.startswith("License name 'Campus\\") and "remove it" in message
        assert api_error(api(root, "patch", L1_URL, {"name": name}))[:2] == (
            422,
            "invalid_argument",
        )
    # The command line: the application layer's own check (a control character), and a NUL.
    for name in ("Campus\x01", "Campus\x00"):
        assert cli_error("licenses", "add", NEW, "--seats", "1", "--name", name)[:2] == (
            2,
            "invalid_argument",
        )
        assert cli_error("licenses", "update", L1, "--name", name)[:2] == (2, "invalid_argument")
    assert not License.objects.filter(license_id=NEW).exists()


def test_an_organization_name_too_long_or_with_a_nul_is_refused(campus) -> None:
    code, error, message = cli_error("orgs", "add", "O" * 201)
    assert (code, error) == (2, "value_too_long") and "Organization name" in message
    # Its key is stored case-folded: 150 times ß is 300 characters once folded (ss).
    assert cli_error("orgs", "add", "ß" * 150)[:2] == (2, "value_too_long")
    for name in ("Bad\x00Org", "Bad\x01Org"):
        assert cli_error("orgs", "add", name)[:2] == (2, "invalid_argument")
        assert cli_error("orgs", "add", "Fine", "--parent", name)[:2] == (2, "invalid_argument")
    assert not Organization.objects.filter(name__startswith="O").exists()
    assert plm("orgs", "add", "O" * 200).code == 0
    assert plm("orgs", "add", "Two\twords").code == 0  # whitespace is collapsed, as before
    assert Organization.objects.filter(name="Two words").exists()


def test_a_token_name_too_long_or_with_a_control_character_is_refused(root) -> None:
    code, error, message = cli_error("tokens", "create", "root", "--name", "t" * 101)
    assert (code, error) == (2, "value_too_long") and "Token name" in message
    assert cli_error("tokens", "create", "root", "--name", "a\x01b")[:2] == (2, "invalid_argument")
    assert not ApiToken.objects.filter(user=root).exists()
    assert plm("tokens", "create", "root", "--name", "t" * 100).code == 0


def test_a_nul_in_an_api_body_that_reaches_a_query_is_a_422_naming_the_field(root) -> None:
    # A user name is looked up (PostgreSQL refuses a NUL even in a WHERE clause).
    row = {"username": "ann\x00", "action": "assign", "license_id": L1}
    status, error, message = api_error(api(root, "post", "/api/v1/assignments", row))
    assert (status, error) == (422, "invalid_argument")
    assert message.startswith("The user name or email 'ann\\x00'")
    # A bad License ID to replace is recorded in the import's label and error: refused first.
    replace = api(root, "post", f"{L1_URL}/replace", {"new_license_id": "ID\x00 2024"})
    status, error, message = api_error(replace)
    assert (status, error) == (422, "invalid_argument") and "The new License ID" in message
    assert cli_error("licenses", "replace", L1, "x\x01")[:2] == (2, "invalid_argument")


def test_a_command_line_argument_that_is_not_utf8_is_invalid_argument(campus) -> None:
    # Bytes that are not UTF-8 in argv reach Python as unpaired surrogates (surrogateescape).
    for args in (("users", "list", "--q", "\udcff"), ("audit", "--user", "a\udcff")):
        run = plm(*args)
        assert run.code == 2, args
        assert "invalid_argument" in run.stderr and "UTF-8" in run.stderr
