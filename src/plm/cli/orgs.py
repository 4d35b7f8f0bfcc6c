"""plm orgs: the organization tree."""

import typer

from plm.cli.runtime import actor, command, emit_json, out, use_cases

app = typer.Typer(help="Organizations (a tree; names unique).", no_args_is_help=True)


@app.command("add")
@command
def add(
    name: str = typer.Argument(..., help="Organization name."),
    parent: str | None = typer.Option(None, "--parent", help="Parent organization's name."),
    as_json: bool = typer.Option(False, "--json", help="Print the organization as JSON."),
) -> None:
    """Add an organization.

    Example: plm orgs add "Faculty of Science" --parent "University"
    """
    org = use_cases().users.organization_add(actor=actor(), name=name, parent=parent)
    if as_json:
        emit_json({"name": org.name, "parent": org.parent.name if org.parent else None})
    else:
        out.print(f"Added organization '{org.name}'.")


@app.command("list")
@command
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List organizations with their place in the tree.

    Example: plm orgs list --json
    """
    rows = use_cases().users.organizations(actor=actor())
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        out.print(row["path"])
