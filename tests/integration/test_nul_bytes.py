"""NUL bytes are refused with a 4xx wherever they come in (URL, form fields, cookies), the same
on SQLite and PostgreSQL (which refuses them in text, so they used to fail as a 500)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plm.directory.actors import system_actor
from plm.directory.models import User
from plm.directory.tokens import token_create
from tests.builders import make_user


@pytest.fixture
def root(campus) -> User:  # type: ignore[no-untyped-def]
    return make_user("root", "root@example.com", sysadmin=True)


def test_a_nul_in_the_login_form_is_a_400_not_a_500(campus) -> None:
    response = Client().post("/login/", {"username": "ann\x00", "password": "whatever-it-is"})
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_a_nul_in_a_form_field_of_a_signed_in_page_is_a_400(root) -> None:
    client = Client()
    client.force_login(root)
    for path, form in [
        ("/profile/", {"name": "bot\x00"}),
        ("/users/bulk/", {"action": "assign", "users": "ann\x00", "license_id": "x"}),
        ("/licensing/revoke/", {"username\x00": "ann"}),
    ]:
        response = client.post(path, form)
        assert response.status_code == 400, path


def test_a_nul_in_an_api_form_field_is_a_422_in_the_error_shape(root) -> None:
    _, raw = token_create(actor=system_actor(), user=root, name="t")
    upload = SimpleUploadedFile("a.csv", b"Username,Action,License ID\n", "text/csv")
    response = Client().post(
        "/api/v1/imports",
        {"file": upload, "dry_run": "tr\x00ue"},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and "NUL" in error["message"]


def test_a_nul_in_a_cookie_is_a_400(campus) -> None:
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/login/").status_code == 400
