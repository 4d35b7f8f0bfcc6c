"""plm import / plm export / plm imports (history)."""

from pathlib import Path

import typer

from plm.cli.report import print_job, progress_bar
from plm.cli.runtime import command, emit_json, export_format, fail, out, setup, write_export
from plm.core.codes import INVALID_ARGUMENT, PlmError

history = typer.Typer(help="Import history: list, show, purge.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    @app.command("import")
    @command
    def import_(
        file: Path = typer.Argument(
            ..., help="CSV or .xlsx with Username, Action, License ID columns."
        ),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Report what would happen; change nothing."
        ),
        all_or_nothing: bool = typer.Option(
            False, "--all-or-nothing", help="Apply nothing if any row would be rejected."
        ),
        as_user: str | None = typer.Option(
            None, "--as", help="Act as this user (scope and permission)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the import object as JSON."),
        errors_out: Path | None = typer.Option(
            None, "--errors-out", help="Write the rejected rows as CSV, ready to fix."
        ),
        sync: bool = typer.Option(
            False,
            "--sync",
            help="The assign rows are the complete list of "
            "holders of each license they name: revoke everyone else first.",
        ),
        max_revoke_percent: int | None = typer.Option(
            None,
            "--max-revoke-percent",
            metavar="P",
            help="With --sync: refuse if more than P% "
            "of those holders would be revoked (default 10).",
        ),
    ) -> None:
        """Assign and revoke licenses in bulk from a CSV file, rows in file order.

        Actions: assign, autoassign, revoke, revokeall (see docs/csv-format.md).
        Exit codes: 0 no row rejected, 3 rows rejected (or refused), 2 fatal file error.

        Example: plm import licenses.csv --dry-run --errors-out errors.csv
        """
        if max_revoke_percent is not None and not sync:
            fail(PlmError(INVALID_ARGUMENT, "--max-revoke-percent needs --sync."), as_json=as_json)
        if max_revoke_percent is not None and not 0 <= max_revoke_percent <= 100:
            fail(
                PlmError(INVALID_ARGUMENT, "--max-revoke-percent must be 0 to 100."),
                as_json=as_json,
            )
        setup()
        from plm.imports.license_import import exit_code, run_license_import

        with progress_bar("Importing") as progress:
            job = run_license_import(
                opener=lambda: open(file, "rb"),
                file_name=file.name,
                actor_name=as_user,
                source="cli",
                dry_run=dry_run,
                all_or_nothing=all_or_nothing,
                progress=progress,
                sync_percent=(10 if max_revoke_percent is None else max_revoke_percent)
                if sync
                else None,
            )
        print_job(job, as_json=as_json, errors_out=errors_out)
        raise typer.Exit(exit_code(job))

    @app.command("export")
    @command
    def export(
        output: Path | None = typer.Option(
            None, "-o", "--output", help="File to write (default stdout)."
        ),
        no_bom: bool = typer.Option(
            False, "--no-bom", help="Write UTF-8 without a byte-order mark."
        ),
        fmt: str | None = typer.Option(
            None,
            "--format",
            help="csv or xlsx (default: xlsx when --output ends in .xlsx, else csv).",
        ),
    ) -> None:
        """Write licenses.csv: every assignment as an 'assign' row (the import format).

        Example: plm export -o licenses.csv   (or -o licenses.xlsx for a workbook)
        """
        kind = export_format(fmt, output)
        setup()
        from plm.core.writer import LICENSES_HEADER
        from plm.licensing.export import export_rows

        count = write_export(
            output, LICENSES_HEADER, export_rows(), fmt=kind, bom=not no_bom, title="licenses"
        )
        if output is not None:
            out.print(f"Wrote {count} assignments to {output}.")


@history.command("list")
@command
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List imports (every face, dry runs and failures too), oldest first.

    Example: plm imports list --json
    """
    setup()
    from plm.imports.models import Import
    from plm.imports.records import job_as_dict

    rows = [job_as_dict(job, results=False) for job in Import.objects.order_by("pk")]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        dry = " dry-run" if r["dry_run"] else ""
        out.print(
            f"{r['import_id']:>6}  {r['created_at']}  {r['kind']:<8} {r['status']:<10}{dry}  "
            f"{r['actor']} via {r['source']}  {r['file_name']}  rows {r['rows']}: "
            f"{r['applied']} applied, {r['unchanged']} unchanged, {r['rejected']} rejected"
        )


@history.command("show")
@command
def show(
    import_id: int = typer.Argument(..., help="Import number (plm imports list)."),
    as_json: bool = typer.Option(False, "--json", help="Print the import object as JSON."),
    errors_out: Path | None = typer.Option(
        None, "--errors-out", help="Write its rejected rows as CSV."
    ),
) -> None:
    """Show one import with its per-row results (same object as plm import --json).

    Example: plm imports show 42 --json
    """
    setup()
    from plm.imports.records import job_get

    print_job(job_get(import_id), as_json=as_json, errors_out=errors_out)


@history.command("cancel")
@command
def cancel(
    import_id: int = typer.Argument(..., help="Import number (plm imports list)."),
    as_json: bool = typer.Option(False, "--json", help="Print the import object as JSON."),
) -> None:
    """Cancel a queued or running import; rows already applied stay (and are reported).

    Example: plm imports cancel 42
    """
    setup()
    from plm.imports.records import job_as_dict, job_cancel, job_get

    job = job_cancel(job_get(import_id))
    if as_json:
        emit_json(job_as_dict(job, results=False))
    elif job.status == "cancelled":
        out.print(f"Import {job.pk} cancelled.")
    else:
        out.print(f"Import {job.pk}: cancel requested; it stops after its current batch.")


@history.command("resume")
@command
def resume(
    import_id: int = typer.Argument(..., help="An interrupted import (plm imports list)."),
    file: Path | None = typer.Option(
        None,
        "--file",
        help="The same file, for an import run from the command line (uploads are stored).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the import object as JSON."),
    errors_out: Path | None = typer.Option(
        None, "--errors-out", help="Write rejected rows as CSV."
    ),
) -> None:
    """Continue an interrupted import from the row after its last committed one.

    The two parts give the same final state and per-row results as one uninterrupted run.
    A dry run or an all-or-nothing run starts over (it kept nothing to continue).

    Example: plm imports resume 42 --file licenses.csv
    """
    setup()
    from plm.imports.jobs import resume_import
    from plm.imports.license_import import exit_code
    from plm.imports.records import job_get

    opener = (lambda: open(file, "rb")) if file is not None else None
    with progress_bar("Resuming") as progress:
        job = resume_import(job_get(import_id), file_opener=opener, progress=progress)
    print_job(job, as_json=as_json, errors_out=errors_out)
    raise typer.Exit(exit_code(job))


@history.command("revert")
@command
def revert(
    import_id: int = typer.Argument(..., help="The import to undo (plm imports list)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would happen; change nothing."
    ),
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user (scope and permission)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the revert's import object as JSON."),
) -> None:
    """Undo an import's applied changes in reverse row order (itself a revertible import).

    Changes that later activity altered are left alone (changed_since); a re-assign the rules
    now refuse is rejected with its rule code. Exit codes as plm import.

    Example: plm imports revert 42 --dry-run
    """
    setup()
    from plm.imports.license_import import exit_code
    from plm.licensing.revert import run_revert

    job = run_revert(import_id=import_id, actor_name=as_user, source="cli", dry_run=dry_run)
    print_job(job, as_json=as_json)
    raise typer.Exit(exit_code(job))


@history.command("purge")
@command
def purge(
    older_than: int | None = typer.Option(
        None,
        "--older-than",
        metavar="DAYS",
        help="Age in days (default PLM_IMPORT_RETENTION_DAYS).",
    ),
) -> None:
    """Drop per-row results of old imports; the imports and the audit log are kept.

    Example: plm imports purge --older-than 365
    """
    setup()
    from django.conf import settings

    from plm.core import codes as c
    from plm.core.codes import PlmError
    from plm.imports.records import jobs_purge

    days = older_than if older_than is not None else settings.PLM_IMPORT_RETENTION_DAYS
    if not days or days < 0:
        raise PlmError(
            c.INVALID_ARGUMENT, "Give --older-than DAYS (or set PLM_IMPORT_RETENTION_DAYS)."
        )
    out.print(f"Purged the row results of {jobs_purge(older_than_days=days)} import(s).")
