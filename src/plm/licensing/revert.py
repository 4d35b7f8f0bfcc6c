"""Revert an import: undo its applied changes in reverse row order, as an import of its own.

One result per (user, license) change, with the original row number: an assignment is
revoked, a revocation assigned again if the rules still allow it. A change that later
activity already altered (any later audit event on the same user and license, outside the
import being reverted) is left alone and reported `changed_since`.
"""

from django.db.models import Max

from plm.audit.models import AuditEvent
from plm.core import codes as c
from plm.core.codes import Outcome, PlmError
from plm.core.results import RowResult
from plm.core.rules import Decision, RawRow, Rules
from plm.directory.actors import license_actor
from plm.imports.license_import import decide_batch
from plm.imports.models import Import
from plm.imports.records import job_create, job_fail
from plm.licensing.batches import run_in_batches

UNDO = {"assign": "revoke", "revoke": "assign"}


def run_revert(
    *, import_id: int, actor_name: str | None, source: str, dry_run: bool = False
) -> Import:
    """Revert import `import_id`; returns the revert's own import record (source `revert`)."""
    job = job_create(
        kind="licenses",
        source="revert",
        as_user=actor_name,
        file_name=f"revert of import {import_id}",
        dry_run=dry_run,
    )
    try:
        actor = license_actor(actor_name, source)
        target = Import.objects.filter(pk=import_id).first()
        if target is None:
            raise PlmError(c.IMPORT_NOT_FOUND, f"Import {import_id} does not exist.")
        if target.kind == "users":
            raise PlmError(
                c.NOT_REVERTIBLE,
                f"Import {import_id} is a users import: it cannot "
                "be reverted (import the previous person.csv instead).",
            )
    except PlmError as error:
        return job_fail(job, error)
    cutoff = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    events = list(
        AuditEvent.objects.filter(import_id=target.pk, action__in=list(UNDO))
        .order_by("-id")
        .values_list("id", "row", "action", "username", "license_id")
    )
    return run_in_batches(
        job,
        events,
        lambda batch, rules, done: _decide(batch, rules, target.pk, cutoff),
        actor=actor,
        dry_run=dry_run,
    )


def _decide(
    batch: list[tuple[int, int | None, str, str, str]], rules: Rules, target: int, cutoff: int
) -> list[Decision]:
    last_change = _last_changes(batch, target, cutoff)
    decisions: list[Decision | None] = []
    rows: list[RawRow] = []
    for event_id, row, action, username, license_id in batch:
        if last_change.get((username, license_id), 0) > event_id:
            decisions.append(
                Decision(
                    RowResult(
                        row,
                        username,
                        UNDO[action],
                        license_id,
                        Outcome.REJECTED,
                        c.CHANGED_SINCE,
                        f"'{username}' and {license_id} changed after this import: left as they are.",
                    )
                )
            )
        else:
            decisions.append(None)
            rows.append(RawRow(row, username, UNDO[action], license_id))
    decided = iter(decide_batch(rows, rules))
    return [d if d is not None else next(decided) for d in decisions]


def _last_changes(
    batch: list[tuple[int, int | None, str, str, str]], target: int, cutoff: int
) -> dict[tuple[str, str], int]:
    """(user, license) -> the id of its latest audit event after the batch's first event, up to
    `cutoff`, outside the reverted import: one query for the whole batch."""
    later = (
        AuditEvent.objects.filter(
            id__gt=min(e[0] for e in batch),
            id__lte=cutoff,
            username__in={e[3] for e in batch},
            license_id__in={e[4] for e in batch},
        )
        .exclude(import_id=target)  # keeps events without an import (NULL)
        .values_list("username", "license_id")
        .annotate(last=Max("id"))
    )
    return {(username, license_id): last for username, license_id, last in later}
