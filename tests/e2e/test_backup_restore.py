"""plm backup -> plm restore into a fresh database keeps every license, user, assignment,
policy, import record and audit event (and restores across SQLite and PostgreSQL); a backup
covers every table PLM keeps."""

import gzip
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.processes import PLM

PG = "postgres://postgres@127.0.0.1:5432"


def plm(
    url: str, *args: str, home: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PLM_DATABASE_URL=url, PLM_HOME=str(home))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [PLM, *args], env=env, capture_output=True, text=True, input=stdin, timeout=300, cwd=home
    )


def populate(url: str, tmp: Path) -> None:
    assert plm(url, "migrate", home=tmp).returncode == 0
    plm(url, "orgs", "add", "University", home=tmp)
    plm(url, "orgs", "add", "Science", "--parent", "University", home=tmp)
    (tmp / "p.csv").write_text(
        "User-Name,Email,Organization-Name-1,Organization-Role-Name-1\n"
        "ann,ann@x.edu,Science,Academic Staff\nbob,bob@x.edu,Science,Academic Staff\n"
        "stud,stud@x.edu,,\n"
    )
    plm(url, "users", "import", "p.csv", home=tmp)
    plm(
        url,
        "licenses",
        "add",
        "ID 2024-01-01-000001",
        "--seats",
        "1",
        "--expires",
        "2030-01-01",
        home=tmp,
    )
    (tmp / "l.csv").write_text(
        "Username,Action,License ID\nann,assign,ID 2024-01-01-000001\n"
        "bob,assign,ID 2024-01-01-000001\nstud,autoassign,\n"
    )
    plm(url, "import", "l.csv", home=tmp)
    plm(url, "tokens", "create", "ann", "--name", "t", home=tmp)
    plm(url, "licenses", "add", "ID 2024-01-01-000002", "--seats", "5", home=tmp)
    policy = ("policies", "add", "Science staff", "--org", "Science")
    assert plm(url, *policy, "--license", "ID 2024-01-01-000002", home=tmp).returncode == 0


def content(path: Path) -> list[str]:
    with gzip.open(path, "rt") as fh:
        return fh.readlines()[1:]  # without the header (time, vendor)


def round_trip(source: str, target: str, tmp: Path) -> None:
    populate(source, tmp)
    first = tmp / "first.jsonl.gz"
    assert plm(source, "backup", str(first), home=tmp).returncode == 0
    assert plm(target, "migrate", home=tmp).returncode == 0
    restored = plm(target, "restore", str(first), "--json", home=tmp)
    assert restored.returncode == 0, restored.stderr
    counts = json.loads(restored.stdout)
    assert counts["directory.User"] == 3 and counts["licensing.Assignment"] == 2
    assert counts["audit.AuditEvent"] >= 5 and counts["imports.ImportRow"] == 7
    # The policy, its pool and its members (ann and bob; it gave bob the second license).
    assert counts["licensing.Policy"] == counts["licensing.PolicyLicense"] == 1
    assert counts["licensing.PolicyMember"] == 2
    second = tmp / "second.jsonl.gz"
    plm(target, "backup", str(second), home=tmp)
    before, after = content(first), content(second)
    restore_event = [line for line in after if '"restore"' in line]
    assert len(restore_event) == 1  # the restore itself is audited
    assert [line for line in after if line not in restore_event] == before
    again = plm(target, "restore", str(first), "--json", home=tmp)
    assert again.returncode == 2 and "empty database" in again.stdout
    # The restored database keeps working: export and a new assignment.
    assert "ann@x.edu,assign,ID 2024-01-01-000001" in plm(target, "export", home=tmp).stdout
    assert plm(target, "revoke", "ann", "--all", home=tmp).returncode == 0


def test_backup_and_restore_on_sqlite(tmp_path) -> None:
    round_trip(
        f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path
    )


@pytest.mark.skipif(
    os.environ.get("PLM_DATABASE_URL", "").startswith("postgres") is False,
    reason="PostgreSQL pass only (make test runs it)",
)
def test_backup_on_sqlite_restores_into_postgresql(tmp_path) -> None:
    import psycopg

    name = f"plm_restore_{os.getpid()}"
    with psycopg.connect(
        f"{PG}/postgres".replace("postgres://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        round_trip(f"sqlite:///{tmp_path / 'a.sqlite3'}", f"{PG}/{name}", tmp_path)
    finally:
        with psycopg.connect(
            f"{PG}/postgres".replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_covers_every_table_plm_keeps() -> None:
    """A model added to PLM without being added to the backup would be lost by a restore."""
    from django.apps import apps

    from plm.app.backup import MODELS

    ours = {m for m in apps.get_models() if m.__module__.startswith("plm.")}
    assert ours == set(MODELS)


def test_a_backup_with_a_table_this_version_does_not_know_is_refused_whole(tmp_path) -> None:
    source, target = (f"sqlite:///{tmp_path / name}" for name in ("a.sqlite3", "b.sqlite3"))
    for url in (source, target):
        assert plm(url, "migrate", home=tmp_path).returncode == 0
    plm(source, "orgs", "add", "University", home=tmp_path)
    taken = tmp_path / "taken.jsonl.gz"
    assert plm(source, "backup", str(taken), home=tmp_path).returncode == 0
    future = tmp_path / "future.jsonl.gz"
    with gzip.open(taken, "rt") as old, gzip.open(future, "wt") as new:
        header = json.loads(old.readline())
        new.write(json.dumps({**header, "plm": "9.0"}) + "\n" + old.read())
        new.write(json.dumps({"table": "licensing.Future", "columns": ["id"]}) + "\n")
    got = plm(target, "restore", str(future), "--json", home=tmp_path)
    assert got.returncode == 2, got.stderr
    error = json.loads(got.stdout)["error"]
    assert error["code"] == "unreadable_file" and "licensing.Future" in error["message"]
    assert "PLM 9.0" in error["message"]
    assert "University" not in plm(target, "orgs", "list", home=tmp_path).stdout  # nothing kept
