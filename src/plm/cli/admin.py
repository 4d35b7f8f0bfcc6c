"""Installation commands: migrate."""

from pathlib import Path

import typer

from plm.cli.runtime import actor, command, emit_json, out, setup, use_cases


def register(app: typer.Typer) -> None:
    @app.command("migrate")
    @command
    def migrate() -> None:
        """Create or upgrade the database schema (safe to run again).

        Example: PLM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/plm plm migrate
        """
        setup(need_schema=False)
        from django.core.management import call_command  # after setup(), as Django needs

        call_command("migrate", interactive=False, verbosity=0)
        out.print("Database schema is up to date.")

    @app.command("backup")
    @command
    def backup(
        file: Path = typer.Argument(..., help="Where to write the backup (gzip JSON lines)."),
        as_json: bool = typer.Option(False, "--json", help="Print rows per table as JSON."),
    ) -> None:
        """Write a consistent snapshot of every license, user, assignment, import and audit event.

        Example: plm backup /srv/backups/plm-$(date +%F).jsonl.gz
        """
        counts = use_cases().operations.backup(actor=actor(), path=file)
        if as_json:
            emit_json(counts)
        else:
            out.print(f"Backed up {sum(counts.values())} rows to {file}.")

    @app.command("restore")
    @command
    def restore(
        file: Path = typer.Argument(..., help="A file written by plm backup."),
        as_json: bool = typer.Option(False, "--json", help="Print rows per table as JSON."),
    ) -> None:
        """Load a backup into an empty, migrated database (SQLite or PostgreSQL); audited.

        Example: PLM_DATABASE_URL=postgres://plm@db/plm_new plm migrate && plm restore b.jsonl.gz
        """
        counts = use_cases().operations.restore(actor=actor(), path=file)
        if as_json:
            emit_json(counts)
        else:
            out.print(f"Restored {sum(counts.values())} rows from {file}.")
