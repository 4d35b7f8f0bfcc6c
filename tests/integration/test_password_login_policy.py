"""PLM_PASSWORD_LOGIN: the password login for everyone (default), or for system administrators
only (break-glass) when everyone else signs in with the identity provider."""

import pytest
from django.test import Client, override_settings

from plm.directory.models import User
from tests.builders import make_user

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def people(db) -> tuple[User, User]:  # type: ignore[no-untyped-def]
    users = make_user("root", "root@example.com", sysadmin=True), make_user("ann", "ann@x.edu")
    for user in users:
        user.set_password(PASSWORD)
        user.save()
    return users


def login(username: str) -> int:
    response = Client().post("/login/", {"username": username, "password": PASSWORD})
    return response.status_code


def test_by_default_everyone_signs_in_with_a_password(people):
    assert login("root") == 302 and login("ann") == 302


@override_settings(PLM_PASSWORD_LOGIN="sysadmins")
def test_when_turned_off_only_system_administrators_sign_in_with_a_password(people):
    assert login("root") == 302
    assert login("ann") == 200  # the login page again, with its error


def test_turning_it_off_ends_existing_password_sessions_of_others(people):
    client = Client()
    client.post("/login/", {"username": "ann", "password": PASSWORD})
    assert client.get("/profile/").status_code == 200
    with override_settings(PLM_PASSWORD_LOGIN="sysadmins"):
        assert client.get("/profile/").status_code == 302  # to the login page


def test_the_login_page_offers_single_sign_on_only_when_configured(db):
    assert b"Sign in with" not in Client().get("/login/").content
