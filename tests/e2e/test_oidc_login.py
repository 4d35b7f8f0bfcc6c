"""Single sign-on through Chromium against a real OpenID Connect provider process on loopback
(tests/oidc_provider.py) and a real `plm serve`: the round trip, RP-initiated logout, an unknown
identity refused, and ID tokens that fail a check (tampered, expired, another nonce or audience)
refused with a page, never a 500; a forged state refused."""

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from plm.directory.models import User
from tests.builders import make_org, make_staff, make_user
from tests.e2e.conftest import free_port, start_server
from tests.processes import plm_env

CLIENT_ID, CLIENT_SECRET = "plm-test", "s3cret-for-tests"


@pytest.fixture
def idp() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider", str(port), CLIENT_ID, CLIENT_SECRET],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(url + "/.well-known/openid-configuration", timeout=1)
            break
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "") from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def sso_server(idp: str, **extra: str) -> tuple[subprocess.Popen[bytes], str]:
    env = plm_env(
        PLM_OIDC_ISSUER=idp,
        PLM_OIDC_CLIENT_ID=CLIENT_ID,
        PLM_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        PLM_OIDC_NAME="Campus IdP",
        **extra,
    )
    return start_server(env=env)


@pytest.fixture
def plm_sso(transactional_db, idp) -> Iterator[str]:  # type: ignore[no-untyped-def]
    proc, url = sso_server(idp)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def sign_in_at_idp(page, plm: str, login: str):  # type: ignore[no-untyped-def]
    page.goto(plm + "/login/")
    page.get_by_test_id("sso-login").click()
    page.wait_for_selector("#login")
    page.fill("#login", login)
    with page.expect_navigation():
        page.click("#signin")


def test_sign_in_with_the_idp_round_trip_then_logout_ends_both_sessions(page, plm_sso, idp):
    make_staff("ann", make_org("Science"), "ann@example.edu")
    sign_in_at_idp(page, plm_sso, "ann")  # matched by user name
    assert page.url.startswith(plm_sso) and "/login/" not in page.url
    assert page.get_by_role("link", name="ann").is_visible()  # signed in as ann

    with page.expect_navigation(url=f"{plm_sso}/login/"):
        page.get_by_role("button", name="Log out").click()
    logouts = requests.get(idp + "/_log", timeout=5).json()["logouts"]
    assert len(logouts) == 1 and logouts[0]["id_token_hint"]
    assert logouts[0]["post_logout_redirect_uri"] == f"{plm_sso}/login/"
    page.goto(plm_sso + "/profile/")
    assert "/login/" in page.url  # the PLM session is over


def test_sign_in_matches_a_user_by_email(page, plm_sso):
    make_staff("bob", make_org("Arts"), "bob@example.edu")
    sign_in_at_idp(page, plm_sso, "bob@example.edu")
    assert page.get_by_role("link", name="bob").is_visible()


def test_an_unknown_identity_is_refused_with_a_clear_page_and_nobody_is_created(page, plm_sso):
    before = User.objects.count()
    sign_in_at_idp(page, plm_sso, "stranger")
    message = page.get_by_test_id("sso-refused").inner_text()
    assert "No PLM user has the user name or e-mail 'stranger'" in message
    assert User.objects.count() == before
    page.goto(plm_sso + "/profile/")
    assert "/login/" in page.url


def test_a_deactivated_user_is_refused(page, plm_sso):
    make_user("gone", "gone@example.edu", active=False)
    sign_in_at_idp(page, plm_sso, "gone")
    assert "deactivated" in page.get_by_test_id("sso-refused").inner_text()


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("tampered", "signature does not verify"),
        ("expired", "has expired"),
        ("wrong_nonce", "nonce is not this sign-in's"),
        ("wrong_audience", "not valid"),
    ],
)
def test_an_id_token_failing_a_check_is_refused(page, plm_sso, idp, mode, says):
    make_user("admin", "admin@example.edu", sysadmin=True)
    make_user("ann", "ann@example.edu")
    requests.post(idp + "/_mode", data={"mode": mode}, timeout=5)
    sign_in_at_idp(page, plm_sso, "ann")
    message = page.get_by_test_id("sso-refused").inner_text()
    assert says in message and "Nobody was signed in" in message
    page.goto(plm_sso + "/profile/")
    assert "/login/" in page.url


def test_a_callback_with_a_forged_state_is_refused(page, plm_sso):
    make_user("ann", "ann@example.edu")
    page.goto(plm_sso + "/login/")
    page.get_by_test_id("sso-login").click()  # a sign-in is under way in this session...
    page.wait_for_selector("#login")
    response = page.goto(plm_sso + "/oidc/callback/?code=stolen&state=forged")
    assert response is not None and response.status == 400  # ...but not with this state
    assert "failed PLM's checks" in page.get_by_test_id("sso-refused").inner_text()
    fresh = page.context.browser.new_page()  # type: ignore[union-attr]
    response = fresh.goto(plm_sso + "/oidc/callback/?code=stolen&state=forged")
    assert response is not None and response.status == 403  # no sign-in started at all
    fresh.close()


def test_with_create_users_on_an_unknown_identity_gets_a_user_without_roles(
    page, idp, transactional_db
):
    proc, plm = sso_server(idp, PLM_OIDC_CREATE_USERS="1")
    try:
        sign_in_at_idp(page, plm, "newcomer")
        assert page.get_by_role("link", name="newcomer").is_visible()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    user = User.objects.get(username="newcomer")
    assert not user.roles.exists() and not user.is_superuser


def test_with_password_login_for_sysadmins_only_the_break_glass_account_still_works(
    page, idp, transactional_db
):
    for name, sysadmin in (("root", True), ("ann", False)):
        user = make_user(name, f"{name}@example.edu", sysadmin=sysadmin)
        user.set_password("correct horse battery staple 42")
        user.save()
    proc, plm = sso_server(idp, PLM_PASSWORD_LOGIN="sysadmins")
    try:
        for name, works in (("ann", False), ("root", True)):
            page.goto(plm + "/login/")
            assert page.get_by_test_id("sso-login").is_visible()
            page.fill("#id_username", name)
            page.fill("#id_password", "correct horse battery staple 42")
            with page.expect_navigation():
                page.get_by_role("button", name="Log in").click()
            assert ("/login/" not in page.url) is works, name
    finally:
        proc.terminate()
        proc.wait(timeout=10)
