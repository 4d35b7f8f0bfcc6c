"""Reverting an import: undo its applied changes in reverse row order.

One result per (user, license) change, with the original row number: an assignment is
revoked, a revocation assigned again if the rules still allow it. A change that later
activity already altered (any later audit event on the same user and license, outside the
import being reverted) is left alone and reported `changed_since`. The job runner records the
revert as an import of its own (source `revert`).
"""

from django.db.models import Max

from plm.audit.models import AuditEvent
from plm.core import codes as c
from plm.core.codes import Outcome
from plm.core.results import RowResult
from plm.core.rules import Decision, RawRow, Rules
from plm.licensing.decide import decide_batch

UNDO = {"assign": "revoke", "revoke": "assign"}
Event = tuple[int, int | None, str, str, str]
"""(audit event id, row, action, username, License ID)."""


def revert_events(import_id: int) -> tuple[list[Event], int]:
    """The import's assign/revoke events, last first, and the newest audit event id now (later
    events are the revert's own)."""
    cutoff = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    events = list(
        AuditEvent.objects.filter(import_id=import_id, action__in=list(UNDO))
        .order_by("-id")
        .values_list("id", "row", "action", "username", "license_id")
    )
    return events, cutoff


def revert_decide(
    batch: list[Event], rules: Rules, done: int, *, target: int, cutoff: int
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


def _last_changes(batch: list[Event], target: int, cutoff: int) -> dict[tuple[str, str], int]:
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
