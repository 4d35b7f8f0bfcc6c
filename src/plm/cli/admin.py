"""Installation commands: migrate."""

import typer

from plm.cli.runtime import command, out, setup


def register(app: typer.Typer) -> None:
    @app.command("migrate")
    @command
    def migrate() -> None:
        """Create or upgrade the database schema (safe to run again).

        Example: PLM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/plm plm migrate
        """
        setup(need_schema=False)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        out.print("Database schema is up to date.")
