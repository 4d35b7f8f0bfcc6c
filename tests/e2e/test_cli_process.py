"""The installed `plm` executable as a user runs it: schema, version, help, exit codes."""

import subprocess
from pathlib import Path

import typer
from typer.main import get_command

from plm import __version__
from plm.cli.main import app
from tests.processes import PLM


def run(tmp_path: Path, *args: str, db: str = "db.sqlite3") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PLM_DATABASE_URL": f"sqlite:///{tmp_path / db}",
        "HOME": str(tmp_path),
    }
    return subprocess.run(
        [PLM, *args], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


def test_commands_refuse_a_database_without_schema_until_migrate(tmp_path) -> None:
    before = run(tmp_path, "licenses", "list")
    assert before.returncode == 2 and "plm migrate" in before.stderr
    assert "Traceback" not in before.stderr
    assert run(tmp_path, "migrate").returncode == 0
    assert run(tmp_path, "migrate").returncode == 0  # idempotent
    assert run(tmp_path, "licenses", "list").returncode == 0


def test_a_schema_missing_one_migration_is_refused_until_migrate(tmp_path) -> None:
    # The quick check (every migration file recorded) must not let an old schema through.
    import sqlite3

    assert run(tmp_path, "migrate").returncode == 0
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:  # the app's latest one, as if unapplied
        (latest,) = db.execute(
            "SELECT max(name) FROM django_migrations WHERE app = 'licensing'"
        ).fetchone()
        db.execute("DELETE FROM django_migrations WHERE app = 'licensing' AND name = ?", [latest])
    old = run(tmp_path, "licenses", "list")
    assert old.returncode == 2 and "plm migrate" in old.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('licensing', ?, ?)",
            [latest, "2026-01-01"],
        )
    assert run(tmp_path, "licenses", "list").returncode == 0


def test_version() -> None:
    out = subprocess.run([PLM, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"plm {__version__}"


def test_the_fast_version_answer_is_the_typer_apps_answer() -> None:
    from typer.testing import CliRunner

    fast = subprocess.run([PLM, "--version"], capture_output=True, text=True, check=True)
    assert CliRunner().invoke(app, ["--version"]).output == fast.stdout


def test_a_real_session_exit_codes_0_3_2(tmp_path) -> None:
    run(tmp_path, "migrate")
    run(tmp_path, "orgs", "add", "Science")
    (tmp_path / "p.csv").write_text(
        "User-Name,Email,Organization-Name-1,Organization-Role-Name-1\n"
        "ann,ann@x.edu,Science,Academic Staff\n"
    )
    assert run(tmp_path, "users", "import", "p.csv").returncode == 0
    assert run(tmp_path, "licenses", "add", "ID 2024-01-01-000001", "--seats", "1").returncode == 0
    (tmp_path / "ok.csv").write_text(
        "Username,Action,License ID\nann@x.edu,assign,ID 2024-01-01-000001\n"
    )
    (tmp_path / "bad.csv").write_text(
        "Username,Action,License ID\nzed,assign,ID 2024-01-01-000001\n"
    )
    (tmp_path / "fatal.csv").write_text("Who,What\n")
    assert run(tmp_path, "import", "ok.csv").returncode == 0
    rejected = run(tmp_path, "import", "bad.csv")
    assert rejected.returncode == 3 and "user_not_found" in rejected.stdout
    fatal = run(tmp_path, "import", "fatal.csv")
    assert fatal.returncode == 2 and "missing_column" in fatal.stderr
    assert run(tmp_path, "export").stdout.replace("\r\n", "\n") == (
        "\ufeffUsername,Action,License ID\nann@x.edu,assign,ID 2024-01-01-000001\n"
    )


def test_a_bad_database_url_is_a_clean_error(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PLM_DATABASE_URL": "mysql://x/y"}
    out = subprocess.run([PLM, "licenses", "list"], env=env, capture_output=True, text=True)
    assert (
        out.returncode == 2 and "PLM_DATABASE_URL" in out.stderr and "Traceback" not in out.stderr
    )


def _commands(group: typer.Typer) -> list[tuple[str, ...]]:
    click_group = get_command(group)
    found = []

    def walk(cmd, path):  # type: ignore[no-untyped-def]
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
        else:
            found.append(path)

    walk(click_group, ())
    return found


def test_every_command_has_help_with_an_example() -> None:
    commands = _commands(app)
    assert len(commands) >= 20
    for path in commands:
        out = subprocess.run([PLM, *path, "--help"], capture_output=True, text=True)
        assert out.returncode == 0, path
        assert "Example:" in out.stdout, f"plm {' '.join(path)} --help has no example"


def test_every_command_is_documented_in_docs_cli() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "cli.md").read_text()
    for path in _commands(app):
        assert f"plm {' '.join(path)}" in doc, f"docs/cli.md lacks plm {' '.join(path)}"


def test_a_reader_that_goes_away_stops_the_command_quietly(tmp_path) -> None:
    """`plm ... | head`: no internal error or traceback when the pipe closes early."""
    assert run(tmp_path, "migrate").returncode == 0
    env = {
        "PATH": "/usr/bin:/bin",
        "PLM_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "HOME": str(tmp_path),
    }
    assert subprocess.run([PLM, "demo-data"], env=env, capture_output=True).returncode == 0
    # The audit log of the demo is far larger than a pipe's buffer.
    proc = subprocess.Popen(
        [PLM, "audit", "--csv"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdout.read(100)
    proc.stdout.close()  # the reader goes away
    _, err = proc.communicate(timeout=120)
    assert b"internal error" not in err and b"Traceback" not in err
    assert proc.returncode == 1
