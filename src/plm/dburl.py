"""PLM_DATABASE_URL -> Django DATABASES entry (sqlite:////abs/path.sqlite3 or postgres://...)."""

import contextlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


def sqlite_config(path: str) -> dict[str, Any]:
    # The embedded default must work on a fresh checkout: make its folder (only we may enter a
    # folder we create) and the database file, readable by its owner only (mode 600; SQLite
    # gives its -wal and -shm files the same mode). An existing file keeps its mode.
    Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN
            # so two writers queue (busy timeout) instead of failing an upgrade mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 60,
        },
        "TEST": {"NAME": str(Path(path).with_name("test-" + Path(path).name))},
    }


def parse_database_url(url: str) -> dict[str, Any]:
    """Translate a database URL; raise ValueError with a readable message when it is not one."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if not path.startswith("/"):
            raise ValueError(f"PLM_DATABASE_URL {url!r}: use sqlite:////absolute/path.sqlite3")
        # sqlite:////abs -> path '//abs'; sqlite:///rel is refused above only when relative
        return sqlite_config("/" + path.lstrip("/"))
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/")) or "plm"
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 0,
            "OPTIONS": {"connect_timeout": 10},
            "TEST": {"NAME": f"test_{name}"},
        }
    raise ValueError(
        f"PLM_DATABASE_URL {url!r} is not supported: use sqlite:////abs/path.sqlite3 "
        "or postgres://user@host:port/db"
    )
