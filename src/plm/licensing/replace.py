"""One-step renewal: every holder of OLD gets NEW and loses OLD in one atomic step per holder,
recorded, audited and reported like an import (rows numbered 1, 2, ... in user-name order)."""

from itertools import islice

from django.conf import settings
from django.db import transaction

from plm.clock import today
from plm.core import codes as c
from plm.core.codes import INTERNAL_ERROR, PlmError, Status
from plm.core.license_ids import normalize_license_id
from plm.core.results import Tally
from plm.core.rules import Ledger, Rules
from plm.directory.actors import license_actor
from plm.directory.people import people_for_keys
from plm.imports.models import Import
from plm.imports.records import job_create, job_fail, job_finish, progress_save, results_write
from plm.licensing.ledger import apply_decisions, load_holdings, lock_licenses, read_licenses
from plm.licensing.models import Assignment, License


def run_license_replace(
    *, old: str, new: str, actor_name: str | None, source: str, dry_run: bool = False
) -> Import:
    """Replace license OLD by NEW for all its holders; returns the import record."""
    job = job_create(
        kind="licenses",
        source=source,
        as_user=actor_name,
        file_name=f"replace {old} -> {new}",
        dry_run=dry_run,
    )
    try:
        actor = license_actor(actor_name, source)
        old_id, new_id = normalize_license_id(old), normalize_license_id(new)
        if old_id == new_id:
            raise PlmError(c.SAME_LICENSE, f"OLD and NEW are the same license ({old_id}).")
        found = dict(
            License.objects.filter(license_id__in=[old_id, new_id]).values_list("license_id", "pk")
        )
        for lid in (old_id, new_id):
            if lid not in found:
                raise PlmError(c.LICENSE_NOT_FOUND, f"License {lid} does not exist.")
    except PlmError as error:
        return job_fail(job, error)
    holders = list(
        Assignment.objects.filter(license_id=found[old_id])
        .order_by("user__username_key")
        .values_list("user__username_key", flat=True)
    )
    job.rows = len(holders)
    job.save(update_fields=["rows"])
    tally, ledger = Tally(), Ledger()
    try:
        if dry_run:
            licenses, ledger.used = read_licenses()
        keys = iter(holders)
        while batch := list(islice(keys, settings.PLM_IMPORT_BATCH_ROWS)):
            with transaction.atomic():
                if not dry_run:
                    ledger = Ledger()
                    licenses, ledger.used = lock_licenses()
                rules = Rules(licenses, ledger, actor.scope, today())
                people = people_for_keys(batch)
                persons = [next(p for p in people[k] if p.username.casefold() == k) for k in batch]
                load_holdings(ledger, (p.pk for p in persons))
                decisions = [
                    rules.replace(p, rules.by_id[old_id], rules.by_id[new_id], tally.rows + i + 1)
                    for i, p in enumerate(persons)
                ]
                if not dry_run:
                    apply_decisions(decisions, actor=actor, licenses=rules.by_pk, import_id=job.pk)
                results_write(job, tally.rows, [d.result for d in decisions])
                for d in decisions:
                    tally.add(d.result)
                progress_save(job, tally)
    except Exception:
        job_fail(job, PlmError(INTERNAL_ERROR, "The replacement stopped on an internal error."))
        raise
    return job_finish(job, tally, Status.COMPLETED)
