"""plm import / plm export / plm imports (history)."""

from pathlib import Path

import typer

from plm.cli.report import print_job, progress_bar
from plm.cli.runtime import (
    ENCODING_OPTION,
    SHEET_OPTION,
    actor,
    command,
    emit_json,
    export_format,
    job_exit_code,
    out,
    use_cases,
    write_export,
)
from plm.core.writer import LICENSES_HEADER

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
        encoding: str | None = ENCODING_OPTION,
        sheet: str | None = SHEET_OPTION,
    ) -> None:
        """Assign and revoke licenses in bulk from a CSV file, rows in file order.

        Actions: assign, autoassign, revoke, revokeall (see docs/csv-format.md).
        Exit codes: 0 no row rejected, 3 rows rejected (or refused), 2 fatal file error.

        Example: plm import licenses.csv --dry-run --errors-out errors.csv
        """
        uc = use_cases()
        with progress_bar("Importing") as progress:
            job = uc.imports.import_run(
                actor=actor(as_user),
                opener=lambda: open(file, "rb"),
                file_name=file.name,
                dry_run=dry_run,
                all_or_nothing=all_or_nothing,
                sync=sync,
                max_revoke_percent=max_revoke_percent,
                encoding=encoding,
                sheet=sheet,
                progress=progress,
            )
        print_job(job, as_json=as_json, errors_out=errors_out)
        raise typer.Exit(job_exit_code(job))

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
        rows = use_cases().licenses.licenses_export(actor=actor())
        count = write_export(
            output, LICENSES_HEADER, rows, fmt=kind, bom=not no_bom, title="licenses"
        )
        if output is not None:
            out.line(f"Wrote {count} assignments to {output}.")


@history.command("list")
@command
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user (sees only the imports they ran)."
    ),
) -> None:
    """List imports (every face, dry runs and failures too), oldest first.

    Example: plm imports list --json
    """
    uc = use_cases()
    jobs = uc.imports.imports_visible_to(actor(as_user)).order_by("pk")
    rows = [uc.imports.import_as_dict(job, results=False) for job in jobs]
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
    outcome: str | None = typer.Option(
        None, "--outcome", help="Only results of this outcome: applied, unchanged or rejected."
    ),
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user (sees only the imports they ran)."
    ),
) -> None:
    """Show one import with its per-row results (same object as plm import --json).

    Example: plm imports show 42 --json
    """
    job, _ = use_cases().imports.import_results(
        actor=actor(as_user), import_id=import_id, outcome=outcome
    )
    print_job(job, as_json=as_json, errors_out=errors_out, outcome=outcome)


@history.command("cancel")
@command
def cancel(
    import_id: int = typer.Argument(..., help="Import number (plm imports list)."),
    as_json: bool = typer.Option(False, "--json", help="Print the import object as JSON."),
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user (sees only the imports they ran)."
    ),
) -> None:
    """Cancel a queued or running import; rows already applied stay (and are reported).

    Example: plm imports cancel 42
    """
    uc = use_cases()
    job = uc.imports.import_cancel(actor=actor(as_user), import_id=import_id)
    if as_json:
        emit_json(uc.imports.import_as_dict(job, results=False))
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
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user (sees only the imports they ran)."
    ),
) -> None:
    """Continue an interrupted import from the row after its last committed one.

    The two parts give the same final state and per-row results as one uninterrupted run.
    A dry run or an all-or-nothing run starts over (it kept nothing to continue).

    Example: plm imports resume 42 --file licenses.csv
    """
    uc = use_cases()
    opener = (lambda: open(file, "rb")) if file is not None else None
    with progress_bar("Resuming") as progress:
        job = uc.imports.import_resume(
            actor=actor(as_user), import_id=import_id, file_opener=opener, progress=progress
        )
    print_job(job, as_json=as_json, errors_out=errors_out)
    raise typer.Exit(job_exit_code(job))


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
    job = use_cases().imports.import_revert(
        actor=actor(as_user), import_id=import_id, dry_run=dry_run
    )
    print_job(job, as_json=as_json)
    raise typer.Exit(job_exit_code(job))


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
    uc = use_cases()
    from django.conf import settings  # configured by use_cases()

    count = uc.imports.imports_purge(
        actor=actor(),
        older_than_days=older_than,
        default_days=settings.PLM_IMPORT_RETENTION_DAYS,
    )
    out.print(f"Purged the row results of {count} import(s).")
