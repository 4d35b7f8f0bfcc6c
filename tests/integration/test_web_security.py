"""Web security by default: login throttling, CSP with nothing inline, deploy checks clean."""

import os
import re
import subprocess
import sys

from django.test import Client

from tests.builders import make_user

PAGES = [
    "/licensing/",
    "/licensing/import/",
    "/users/",
    "/imports/",
    "/audit/",
    "/profile/",
    "/login/",
]


def test_repeated_failed_logins_lock_the_user_name_out(campus) -> None:
    user = make_user("target", "target@example.com")
    user.set_password("right-password-1")
    user.save()
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "target", "password": "wrong"})
    locked = client.post("/login/", {"username": "target", "password": "right-password-1"})
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()
    other = Client().post("/login/", {"username": "mgr", "password": "x"})
    assert other.status_code == 200  # only that user name is locked


def test_pages_send_a_strict_csp_and_contain_nothing_inline(campus) -> None:
    client = Client()
    client.force_login(make_user("root", sysadmin=True))
    for url in PAGES:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {url}"
        assert " style=" not in html and "hx-on" not in html, url
        assert response["X-Frame-Options"] == "DENY"


def test_deploy_checks_are_clean_with_production_settings(tmp_path) -> None:
    env = dict(
        os.environ,
        PLM_DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}",
        PLM_SECRET_KEY="x" * 20 + "-production-secret-from-the-environment-0123456789",
        PLM_HTTPS="1",
        PLM_ALLOWED_HOSTS="plm.example.edu",
        PLM_HOME=str(tmp_path),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings=plm.settings",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr


def test_passwords_are_hashed_with_djangos_default(campus) -> None:
    user = make_user("p", "p@example.com")
    user.set_password("some-password-1")
    assert user.password.startswith("pbkdf2_sha256$") or user.password.startswith("argon2")


def test_the_audit_log_cannot_be_changed_or_deleted(campus) -> None:
    import pytest

    from plm.audit.models import AuditEvent, AuditLogIsAppendOnly
    from tests.builders import plm

    plm("assign", "ann", "ID 2013-07-05-012346")
    event = AuditEvent.objects.get()
    for attempt in (
        event.delete,
        lambda: AuditEvent.objects.all().delete(),
        lambda: AuditEvent.objects.update(actor="x"),
        event.save,
    ):
        with pytest.raises(AuditLogIsAppendOnly):
            attempt()
    assert AuditEvent.objects.get().actor == "system"
