"""plm users: people, their roles, person.csv import and export."""

import sys
from pathlib import Path

import typer

from plm.cli.report import print_job, progress_bar
from plm.cli.runtime import (
    ENCODING_OPTION,
    SHEET_OPTION,
    actor,
    command,
    emit_json,
    err,
    export_format,
    job_exit_code,
    out,
    use_cases,
    write_export,
)

app = typer.Typer(help="Users, roles, person.csv import/export.", no_args_is_help=True)


@app.command("import")
@command
def import_(
    file: Path = typer.Argument(..., help="person.csv (User-Name, Email, ..., role pairs)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would change; change nothing."
    ),
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user (a system administrator)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the import object as JSON."),
    errors_out: Path | None = typer.Option(
        None, "--errors-out", help="Write rejected rows as CSV."
    ),
    encoding: str | None = ENCODING_OPTION,
    sheet: str | None = SHEET_OPTION,
) -> None:
    """Create or update users from person.csv (upsert by User-Name).

    Exit codes: 0 all rows done, 3 some rows rejected, 2 fatal file error.

    Example: plm users import person.csv --dry-run
    """
    uc = use_cases()
    with progress_bar("Importing users") as progress:
        job = uc.imports.import_run(
            actor=actor(as_user),
            kind="users",
            opener=lambda: open(file, "rb"),
            file_name=file.name,
            dry_run=dry_run,
            encoding=encoding,
            sheet=sheet,
            progress=progress,
        )
    print_job(job, as_json=as_json, errors_out=errors_out)
    for run in uc.imports.policy_runs_after(actor=actor(as_user), import_id=job.pk):
        err.print(  # stderr: --json keeps one document on stdout
            f"Policy run (import {run.pk}, {run.file_name}) {run.status}: {run.applied} "
            f"applied, {run.rejected} rejected."
        )
    raise typer.Exit(job_exit_code(job))


@app.command("export")
@command
def export(
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write (default stdout)."
    ),
    no_bom: bool = typer.Option(False, "--no-bom", help="Write UTF-8 without a byte-order mark."),
    fmt: str | None = typer.Option(
        None,
        "--format",
        help="csv or xlsx (default: xlsx when --output ends in .xlsx, else csv).",
    ),
) -> None:
    """Write person.csv (the users import format).

    Example: plm users export -o person.csv   (or -o person.xlsx for a workbook)
    """
    kind = export_format(fmt, output)
    header, rows = use_cases().users.users_export(actor=actor())
    count = write_export(output, header, rows, fmt=kind, bom=not no_bom, title="person")
    if output is not None:
        out.line(f"Wrote {count} users to {output}.")


@app.command("list")
@command
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    q: str | None = typer.Option(None, "--q", help="Search user name, email, first and last name."),
    kind: str | None = typer.Option(None, "--kind", help="staff (any role) or student (no role)."),
) -> None:
    """List users sorted by user name.

    Example: plm users list --kind staff --q smith --json
    """
    users = use_cases().users
    rows = users.users_as_dicts(users.users_list(actor=actor(), q=q, kind=kind))
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        roles = ", ".join(f"{r['role']} @ {r['organization']}" for r in row["roles"])  # type: ignore[attr-defined]
        state = "" if row["active"] else " (inactive)"
        out.print(f"{row['username']}  {row['email']}  [{row['kind']}]{state}  {roles}")


@app.command("grant-sysadmin")
@command
def grant_sysadmin(
    username: str = typer.Argument(..., help="User name or email."),
    revoke: bool = typer.Option(False, "--revoke", help="Take the flag away instead."),
) -> None:
    """Make a user a system administrator (or --revoke it).

    Example: plm users grant-sysadmin admin@example.edu
    """
    user = use_cases().users.user_grant_sysadmin(actor=actor(), username=username, grant=not revoke)
    out.print(
        f"'{user.username}' is {'now' if not revoke else 'no longer'} a system administrator."
    )


@app.command("set-password")
@command
def set_password(
    username: str = typer.Argument(..., help="User name or email."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin."
    ),
) -> None:
    """Set a user's web login password (prompted, or read from stdin).

    Example: echo 's3cret-pass' | plm users set-password admin --password-stdin
    """
    users = use_cases().users
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    user = users.user_set_password(actor=actor(), username=username, password=password)
    out.print(f"Password set for '{user.username}'.")
