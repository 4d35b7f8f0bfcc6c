"""Running the real `plm` executable against the test database."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection

PLM = str(Path(sys.executable).with_name("plm"))


def test_database_url() -> str:
    """The URL of the database the current test uses (committed data only: transactional_db)."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


def plm_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PLM_DATABASE_URL=test_database_url(), **extra)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start(*args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PLM, *args], env=plm_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, Any, str]:
    out, err = proc.communicate(timeout=timeout)
    try:
        data = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        data = out
    return proc.returncode, data, err
