"""Defaults that depend on the database PLM_DATABASE_URL names (read in a fresh interpreter:
settings are computed once, at import; a secret key given, so none is written to var/)."""

import os
import subprocess
import sys

import pytest


def _batch_rows(**env: str) -> int:
    """PLM_IMPORT_BATCH_ROWS as settings compute it in a fresh interpreter with `env`."""
    base = {k: v for k, v in os.environ.items() if k != "PLM_IMPORT_BATCH_ROWS"}
    out = subprocess.run(
        [sys.executable, "-c", "import plm.settings as s; print(s.PLM_IMPORT_BATCH_ROWS)"],
        env={**base, "PLM_SECRET_KEY": "test-only", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out)


@pytest.mark.parametrize(
    ("url", "rows"),
    [("", 20000), ("sqlite:////tmp/plm-x.sqlite3", 20000), ("postgres://plm@db:5432/plm", 10000)],
)
def test_import_batch_rows_default_to_20000_on_sqlite_and_10000_on_postgresql(url, rows) -> None:
    assert _batch_rows(PLM_DATABASE_URL=url) == rows


def test_import_batch_rows_from_the_environment_win() -> None:
    assert _batch_rows(PLM_DATABASE_URL="", PLM_IMPORT_BATCH_ROWS="7") == 7
