"""Revert an import: undo its applied changes in reverse row order, as an import of its own.

One result per (user, license) change, with the original row number: an assignment is
revoked, a revocation assigned again if the rules still allow it. A change that later
activity already altered (any later audit event on the same user and license, outside the
import being reverted) is left alone and reported `changed_since`.
"""

from itertools import islice

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from plm.audit.models import AuditEvent
from plm.clock import today
from plm.core import codes as c
from plm.core.codes import INTERNAL_ERROR, Outcome, PlmError, Status
from plm.core.results import RowResult, Tally
from plm.core.rules import Decision, Ledger, RawRow, Rules
from plm.directory.actors import license_actor
from plm.imports.license_import import decide_batch
from plm.imports.models import Import
from plm.imports.records import job_create, job_fail, job_finish, progress_save, results_write
from plm.licensing.ledger import apply_decisions, lock_licenses, read_licenses

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
    job.rows = len(events)
    job.save(update_fields=["rows"])
    tally, ledger = Tally(), Ledger()
    try:
        if dry_run:
            licenses, ledger.used = read_licenses()
        stream = iter(events)
        while batch := list(islice(stream, settings.PLM_IMPORT_BATCH_ROWS)):
            with transaction.atomic():
                if not dry_run:
                    ledger = Ledger()
                    licenses, ledger.used = lock_licenses()
                rules = Rules(licenses, ledger, actor.scope, today())
                decisions = _decide(batch, rules, target.pk, cutoff)
                if not dry_run:
                    apply_decisions(decisions, actor=actor, licenses=rules.by_pk, import_id=job.pk)
                results_write(job, tally.rows, [d.result for d in decisions])
                for d in decisions:
                    tally.add(d.result)
                progress_save(job, tally)
    except Exception:
        job_fail(job, PlmError(INTERNAL_ERROR, "The revert stopped on an internal error."))
        raise
    return job_finish(job, tally, Status.COMPLETED)


def _decide(
    batch: list[tuple[int, int | None, str, str, str]], rules: Rules, target: int, cutoff: int
) -> list[Decision]:
    decisions: list[Decision | None] = []
    rows: list[RawRow] = []
    for event_id, row, action, username, license_id in batch:
        raw = RawRow(row, username, UNDO[action], license_id)
        changed = AuditEvent.objects.filter(
            Q(id__gt=event_id, id__lte=cutoff, username=username, license_id=license_id)
            & (~Q(import_id=target) | Q(import_id__isnull=True))
        ).exists()
        if changed:
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
            rows.append(raw)
    decided = iter(decide_batch(rows, rules))
    return [d if d is not None else next(decided) for d in decisions]
