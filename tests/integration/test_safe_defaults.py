"""Safe defaults: a page showing a secret is never cached, Django's debug pages only on an
explicit development switch, the SQLite file and the secret key private to their owner."""

import os
import stat
import subprocess
import sys

from django.test import Client

from tests.builders import make_user


def test_the_page_showing_a_new_token_is_not_stored_by_any_cache(campus) -> None:
    client = Client()
    client.force_login(make_user("root", "root@example.com", sysadmin=True))
    response = client.post("/profile/", {"name": "sync-bot"})
    assert response.status_code == 200 and b"plm_" in response.content
    assert "no-store" in response["Cache-Control"]


def run_settings(tmp_path, code: str, **env: str) -> str:
    full = dict(os.environ, PLM_HOME=str(tmp_path), **env)
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "PLM_DATABASE_URL"):
        full.pop(name, None)
    out = subprocess.run(
        [sys.executable, "-c", "import plm.settings as s; " + code],
        env=full,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_plm_debug_does_not_turn_on_django_debug_pages(tmp_path) -> None:
    assert run_settings(tmp_path, "print(s.DEBUG)", PLM_DEBUG="1") == "False"
    assert run_settings(tmp_path, "print(s.DEBUG)", PLM_DJANGO_DEBUG="1") == "True"


def test_the_sqlite_database_and_secret_key_are_created_private(tmp_path) -> None:
    run_settings(tmp_path, "print(s.SECRET_KEY[:1])")
    var = tmp_path / "var"
    assert stat.S_IMODE((var / "plm.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((var / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
