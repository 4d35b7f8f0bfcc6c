"""plm audit: the audit log."""

import typer

from plm.cli.runtime import actor as system
from plm.cli.runtime import command, emit_json, fail, open_output, out, use_cases
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.writer import AUDIT_HEADER, write_csv


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
        audit_log = use_cases().audit
        found = audit_log.audit_events(
            actor=system(), user=user, license_id=license_id, by=actor, exact=True
        )
        events = (audit_log.audit_as_dict(e) for e in found.iterator(chunk_size=2000))
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
