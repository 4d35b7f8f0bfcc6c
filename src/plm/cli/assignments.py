"""plm assign / plm revoke: one row without a file, with exactly the import's rules."""

import typer

from plm.cli.runtime import EXIT_OK, EXIT_REJECTED, actor, command, emit_json, fail, out, use_cases
from plm.core import codes as c
from plm.core.codes import PlmError


def _apply(username: str, action: str, license_id: str, as_user: str | None, as_json: bool) -> None:
    result = use_cases().assignments.assignment_apply(
        actor=actor(as_user), username=username, action=action, license_id=license_id
    )
    if as_json:
        emit_json(result.as_dict())
    else:
        out.print(f"{result.outcome} ({result.code}): {result.message}")
    raise typer.Exit(EXIT_REJECTED if result.outcome == "rejected" else EXIT_OK)


def register(app: typer.Typer) -> None:
    @app.command("assign")
    @command
    def assign(
        username: str = typer.Argument(..., help="The user's email or user name."),
        license_id: str | None = typer.Argument(None, help="License ID; omit to autoassign."),
        as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
        as_json: bool = typer.Option(False, "--json", help="Print the row object as JSON."),
    ) -> None:
        """Assign a license to one user (the first available one without LICENSE_ID).

        Exit codes: 0 applied or unchanged, 3 rejected, 2 permission denied.

        Example: plm assign instructor1@example.com "ID 2013-07-05-012345"
        """
        _apply(
            username,
            "autoassign" if license_id is None else "assign",
            license_id or "",
            as_user,
            as_json,
        )

    @app.command("revoke")
    @command
    def revoke(
        username: str = typer.Argument(..., help="The user's email or user name."),
        license_id: str | None = typer.Argument(None, help="License ID to revoke."),
        all_: bool = typer.Option(False, "--all", help="Revoke all of the user's licenses."),
        as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
        as_json: bool = typer.Option(False, "--json", help="Print the row object as JSON."),
    ) -> None:
        """Revoke one license (or --all) from one user.

        Example: plm revoke instructor1@example.com --all
        """
        if all_ == (license_id is not None):
            fail(
                PlmError(c.INVALID_ARGUMENT, "Give a LICENSE_ID or --all (one of them)."),
                as_json=as_json,
            )
        _apply(username, "revokeall" if all_ else "revoke", license_id or "", as_user, as_json)
