"""Running decisions as an import: batches decided under the license lock (or against a dry-run
ledger), applied, and recorded with their results and progress. Shared by replace and revert."""

from collections.abc import Callable, Sequence
from itertools import islice
from typing import TypeVar

from django.conf import settings
from django.db import transaction

from plm.clock import today
from plm.core.codes import INTERNAL_ERROR, PlmError, Status
from plm.core.results import Tally
from plm.core.rules import Decision, Ledger, Rules
from plm.directory.actors import Actor
from plm.imports.models import Import
from plm.imports.records import batch_record, job_fail, job_finish
from plm.licensing.ledger import apply_decisions, lock_licenses, read_licenses

T = TypeVar("T")
Decide = Callable[[list[T], Rules, int], list[Decision]]
"""(items of a batch, rules over the current holdings, rows done so far) -> decisions."""


def run_in_batches(
    job: Import, items: Sequence[T], decide: "Decide[T]", *, actor: Actor, dry_run: bool
) -> Import:
    job.rows = len(items)
    job.save(update_fields=["rows"])
    tally, ledger = Tally(), Ledger()
    try:
        if dry_run:
            licenses, ledger.used = read_licenses()
        stream = iter(items)
        while batch := list(islice(stream, settings.PLM_IMPORT_BATCH_ROWS)):
            with transaction.atomic():
                if not dry_run:
                    ledger = Ledger()
                    licenses, ledger.used = lock_licenses()
                rules = Rules(licenses, ledger, actor.scope, today())
                decisions = decide(batch, rules, tally.rows)
                if not dry_run:
                    apply_decisions(decisions, actor=actor, licenses=rules.by_pk, import_id=job.pk)
                batch_record(job, tally, [d.result for d in decisions])
    except Exception:
        job_fail(
            job,
            PlmError(
                INTERNAL_ERROR,
                "The run stopped on an internal error; changes "
                "applied before it stay applied (see the audit log).",
            ),
        )
        raise
    return job_finish(job, tally, Status.COMPLETED)
