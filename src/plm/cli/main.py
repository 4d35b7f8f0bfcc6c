"""`plm`: Presenter License Manager on the command line."""

import typer

from plm import __version__
from plm.cli import (
    admin,
    assignments,
    audit,
    imports,
    licenses,
    orgs,
    policies,
    scim,
    server,
    tokens,
    users,
)

app = typer.Typer(
    name="plm",
    help="Presenter License Manager: Personal Capture licenses, users and CSV imports.\n\n"
    "The database comes from PLM_DATABASE_URL (default: SQLite under ./var/).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"plm {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Presenter License Manager."""


admin.register(app)
imports.register(app)
assignments.register(app)
audit.register(app)
server.register(app)
app.add_typer(orgs.app, name="orgs")
app.add_typer(users.app, name="users")
app.add_typer(licenses.app, name="licenses")
app.add_typer(policies.app, name="policies")
app.add_typer(imports.history, name="imports")
app.add_typer(tokens.app, name="tokens")
app.add_typer(scim.app, name="scim-tokens")


def run() -> None:
    app()
