"""plm audit: the audit log."""

import typer

from plm.cli.runtime import command, emit_json, fail, open_output, out, setup
from plm.core import codes as c
from plm.core.codes import PlmError

AUDIT_HEADER = (
    "At",
    "Actor",
    "Source",
    "Import",
    "Row",
    "Action",
    "Username",
    "License ID",
    "Detail",
)


def register(app: typer.Typer) -> None:
    @app.command("audit")
    @command
    def audit(
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        as_csv: bool = typer.Option(False, "--csv", help="Print CSV."),
        user: str | None = typer.Option(None, "--user", help="Only events about this user name."),
        license_id: str | None = typer.Option(
            None, "--license", help="Only events about this License ID."
        ),
        actor: str | None = typer.Option(None, "--actor", help="Only events by this actor."),
    ) -> None:
        """List the audit log, oldest first: who changed what, when, from where.

        Example: plm audit --user instructor1 --json
        """
        if as_json and as_csv:
            fail(PlmError(c.INVALID_ARGUMENT, "Use --json or --csv, not both."), as_json=False)
        setup()
        from plm.audit.services import audit_as_dict, audit_list
        from plm.core.writer import write_csv

        events = (
            audit_as_dict(e) for e in audit_list(username=user, license_id=license_id, actor=actor)
        )
        if as_json:
            emit_json(list(events))
        elif as_csv:
            with open_output(None) as fh:
                write_csv(
                    fh,
                    AUDIT_HEADER,
                    (
                        [str(v if v is not None else "") for k, v in e.items() if k != "id"]
                        for e in events
                    ),
                )
        else:
            for e in events:
                where = f" import {e['import_id']} row {e['row']}" if e["import_id"] else ""
                out.print(
                    f"{e['at']}  {e['actor']} via {e['source']}{where}: {e['action']} "
                    f"{e['username']} {e['license_id']} {e['detail']}".rstrip()
                )
