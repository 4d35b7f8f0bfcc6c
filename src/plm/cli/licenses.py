"""plm licenses: add, update, delete, list."""

from datetime import date, datetime
from pathlib import Path

import typer

from plm.cli.report import print_job
from plm.cli.runtime import (
    actor,
    command,
    emit_json,
    fail,
    job_exit_code,
    out,
    use_cases,
    write_export,
)
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.utilization import UTILIZATION_HEADER

app = typer.Typer(help="Personal Capture licenses.", no_args_is_help=True)


def _date(value: str | None, as_json: bool) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(PlmError(c.INVALID_ARGUMENT, f"Date '{value}' is not YYYY-MM-DD."), as_json=as_json)


def _print(data: dict[str, object], as_json: bool) -> None:
    if as_json:
        emit_json(data)
    else:
        out.print(
            f"{data['license_id']}: {data['seats']} seats, {data['assigned']} assigned, "
            f"expires {data['expires'] or 'never'}."
        )


@app.command("add")
@command
def add(
    license_id: str = typer.Argument(..., help="License ID, e.g. 'ID 2024-08-01-000123'."),
    seats: int = typer.Option(..., "--seats", help="Number of presenters it licenses."),
    expires: str | None = typer.Option(None, "--expires", help="Last valid day, YYYY-MM-DD."),
    name: str = typer.Option("", "--name", help="A label for people."),
    as_json: bool = typer.Option(False, "--json", help="Print the license as JSON."),
) -> None:
    """Add a license (license_exists if the ID is taken).

    Example: plm licenses add "ID 2024-08-01-000123" --seats 50 --expires 2025-07-31
    """
    lic = use_cases().licenses.license_add(
        actor=actor(),
        license_id=license_id,
        seats=seats,
        expires=_date(expires, as_json),
        name=name,
    )
    _print(lic, as_json)


@app.command("update")
@command
def update(
    license_id: str = typer.Argument(..., help="License ID."),
    seats: int | None = typer.Option(
        None, "--seats", help="New number of seats (not below assigned)."
    ),
    expires: str | None = typer.Option(None, "--expires", help="New last valid day, YYYY-MM-DD."),
    no_expires: bool = typer.Option(False, "--no-expires", help="Remove the expiry date."),
    name: str | None = typer.Option(None, "--name", help="New label."),
    as_json: bool = typer.Option(False, "--json", help="Print the license as JSON."),
) -> None:
    """Change a license's seats, expiry or name.

    Example: plm licenses update "ID 2024-08-01-000123" --seats 80 --no-expires
    """
    if expires is not None and no_expires:
        fail(
            PlmError(c.INVALID_ARGUMENT, "Use --expires or --no-expires, not both."),
            as_json=as_json,
        )
    uc = use_cases()
    kwargs: dict[str, object] = {}
    if expires is not None:
        kwargs["expires"] = _date(expires, as_json)
    if no_expires:
        kwargs["expires"] = None
    lic = uc.licenses.license_update(
        actor=actor(), license_id=license_id, seats=seats, name=name, **kwargs
    )
    _print(lic, as_json)


@app.command("delete")
@command
def delete(
    license_id: str = typer.Argument(..., help="License ID."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Delete a license nobody holds (license_in_use otherwise).

    Example: plm licenses delete "ID 2024-08-01-000123"
    """
    use_cases().licenses.license_delete(actor=actor(), license_id=license_id)
    if as_json:
        emit_json({"deleted": license_id})
    else:
        out.print(f"Deleted {license_id}.")


@app.command("list")
@command
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List licenses with seats, assigned, available, expiry.

    Example: plm licenses list --json
    """
    rows = use_cases().licenses.licenses_list(actor=actor())
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        flag = " EXPIRED" if r["expired"] else ""
        out.print(
            f"{r['license_id']}  total {r['seats']}  assigned {r['assigned']}  "
            f"available {r['available']}  expires {r['expires'] or 'never'}{flag}  {r['name']}"
        )


@app.command("expiring")
@command
def expiring(
    days: int = typer.Option(30, "--days", help="Look this many days ahead (default 30)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Licenses whose last valid day is within --days days, soonest first.

    Example: plm licenses expiring --days 90 --json
    """
    rows = use_cases().licenses.licenses_expiring(actor=actor(), days=days)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        out.print(f"No license expires within {days} days.")
    for r in rows:
        out.print(
            f"{r['license_id']}  expires {r['expires']} ({r['days_left']} days left)  "
            f"{r['assigned']}/{r['seats']} assigned  {r['name']}"
        )


@app.command("utilization")
@command
def utilization(
    license_id: str = typer.Argument(..., help="The License ID."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of CSV."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write (default stdout)."
    ),
) -> None:
    """Assigned seats per day, from the audit log: CSV Date,Assigned,Peak,Seats (or JSON).

    The same numbers as the chart and the CSV on the license's web page.

    Example: plm licenses utilization "ID 2024-08-01-000123" -o utilization.csv
    """
    licenses = use_cases().licenses
    lic, days = licenses.license_utilization(actor=actor(), license_id=license_id)
    if as_json:
        emit_json(licenses.utilization_as_dict(lic, days))
        return
    write_export(
        output, UTILIZATION_HEADER, (d.as_row() for d in days), fmt="csv", bom=True, title=""
    )


@app.command("replace")
@command
def replace(
    old: str = typer.Argument(..., help="The license its holders leave."),
    new: str = typer.Argument(..., help="The license they get instead."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would happen; change nothing."
    ),
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user (scope and permission)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the import object as JSON."),
) -> None:
    """One-step renewal: every holder of OLD gets NEW and loses OLD, each in one atomic step.

    A holder who cannot get NEW keeps OLD (row rejected with the reason). Recorded and audited
    like an import; exit codes as plm import.

    Example: plm licenses replace "ID 2024-08-01-000123" "ID 2025-08-01-000456" --dry-run
    """
    job = use_cases().licenses.license_replace(
        actor=actor(as_user), old=old, new=new, dry_run=dry_run
    )
    print_job(job, as_json=as_json)
    raise typer.Exit(job_exit_code(job))
