"""One-step renewal: every holder of OLD gets NEW and loses OLD in one atomic step per holder,
recorded, audited and reported like an import (rows numbered 1, 2, ... in user-name order)."""

from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.license_ids import normalize_license_id
from plm.core.rules import Decision, Rules
from plm.directory.actors import license_actor
from plm.directory.people import people_for_keys
from plm.imports.models import Import
from plm.imports.records import job_create, job_fail
from plm.licensing.batches import run_in_batches
from plm.licensing.ledger import load_holdings
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

    def decide(batch: list[str], rules: Rules, done: int) -> list[Decision]:
        people = people_for_keys(batch)
        persons = [next(p for p in people[k] if p.username.casefold() == k) for k in batch]
        load_holdings(rules.ledger, (p.pk for p in persons))
        old_lic, new_lic = rules.by_id[old_id], rules.by_id[new_id]
        return [rules.replace(p, old_lic, new_lic, done + i + 1) for i, p in enumerate(persons)]

    return run_in_batches(job, holders, decide, actor=actor, dry_run=dry_run)
