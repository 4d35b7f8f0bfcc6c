"""The kinds of job the runner runs: a license file (or sync), a list of license rows (replace,
revert), a person.csv file. Each re-checks at run time that its actor may still do it."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from itertools import repeat
from typing import Any

from django.conf import settings

from plm.audit.models import AuditEvent
from plm.bulk import ANALYZE_AFTER, analyze
from plm.clock import today
from plm.core import codes as c
from plm.core.codes import PlmError, Status
from plm.core.people import USERNAME_KEY, PersonColumns, parse_person
from plm.core.reader import Layout, Opener, header_key, inspect, records
from plm.core.results import RowResult, Tally
from plm.core.rules import Decision, Ledger, RawRow, Rules
from plm.directory.actors import CHANGE, EVERYWHERE, SYSADMIN, Actor, actor_named, require
from plm.directory.people import DirectoryInMemory
from plm.directory.person_import import PersonBatches
from plm.imports.models import Import, ImportRow
from plm.jobs.runner import Opening
from plm.licensing import policies
from plm.licensing.decide import decide_batch
from plm.licensing.ledger import (
    HoldingsInMemory,
    apply_decisions,
    lock_licenses,
    read_licenses,
)
from plm.licensing.models import Assignment, Policy
from plm.licensing.sync import (
    named_holders,
    simulate_revocations,
    sync_revocations,
    threshold_error,
)

USERNAME, ACTION, LICENSE_ID = (
    header_key("Username"),
    header_key("Action"),
    header_key("License ID"),
)
COLUMN_NAMES = {USERNAME: "Username", ACTION: "Action", LICENSE_ID: "License ID"}
Decide = Callable[[list[Any], Rules, int], list[Decision]]
"""(items of a batch, rules over the current holdings, rows done so far) -> decisions."""


def job_actor(job: Import, level: str) -> Actor:
    """The actor a queued or resumed job runs as, checked again now (roles may have changed)."""
    actor = actor_named(job.as_user, job.source)
    require(actor, level)
    return actor


def read_layout(
    job: Import, opener: Opener, required: list[str], describe: dict[str, str], resume: bool
) -> Layout:
    """The file's first pass; records its rows and digest on the import."""
    layout = inspect(
        opener,
        required=required,
        describe=describe,
        max_bytes=settings.PLM_MAX_IMPORT_BYTES,
        # A user's choice, or (on a resume) how the first run read it: the same reading.
        encoding=job.encoding if job.encoding not in ("", "xlsx") else None,
        sheet=job.sheet or None,
    )
    if resume and job.file_sha256 and layout.sha256 != job.file_sha256:
        Import.objects.filter(pk=job.pk).update(status=Status.INTERRUPTED)
        job.status = Status.INTERRUPTED
        raise PlmError(
            c.FILE_MISMATCH,
            f"This is not the file import {job.pk} was started with "
            "(its content differs): give the same file to resume it.",
        )
    job.rows, job.file_sha256 = layout.data_rows, layout.sha256
    job.encoding, job.sheet = layout.encoding, layout.sheet
    job.save(update_fields=["rows", "file_sha256", "encoding", "sheet"])
    return layout


class LicenseRows:
    """Rows decided by the license rules: under the license lock when applied (fresh state for
    every batch: other writers may have run in between), against one ledger carried from batch
    to batch when simulated."""

    def __init__(
        self,
        job: Import,
        items: Sequence[Any] = (),
        decide: Decide | None = None,
        *,
        actor: Actor | None = None,
    ) -> None:
        """`actor`: who runs it now (a synchronous run); None: from the record, checked again."""
        self.job, self.list, self.decide, self.given = job, items, decide, actor
        self.dry: Rules | None = None
        self.holdings = HoldingsInMemory()

    def prepare(self, job: Import, resume: bool) -> int:
        self.actor = self.given or job_actor(job, CHANGE)
        job.rows = len(self.list)
        job.save(update_fields=["rows"])
        return len(self.list)

    def items(self) -> Iterator[Any]:
        return iter(self.list)

    def begin(self, apply: bool) -> Opening:
        self.on = today()
        self.holdings = HoldingsInMemory()  # afresh for every pass
        if not apply:
            licenses, used = read_licenses()
            self.dry = Rules(licenses, Ledger(used=used), self.actor.scope, self.on)
        return Opening(apply=apply)

    def batch(self, items: list[Any], apply: bool, done: int) -> list[RowResult]:
        if apply:
            licenses, used = lock_licenses()
            rules = Rules(licenses, self.holdings.ledger(used), self.actor.scope, self.on)
        else:
            assert self.dry is not None
            rules = self.dry
        decisions = self._decide(items, rules, done)
        if apply:
            apply_decisions(
                decisions, actor=self.actor, licenses=rules.by_pk, import_id=self.job.pk
            )
            self.holdings.settled()
        return [d.result for d in decisions]

    def _decide(self, items: list[Any], rules: Rules, done: int) -> list[Decision]:
        assert self.decide is not None
        return self.decide(items, rules, done)

    def finish(self, tally: Tally) -> None:
        refresh_statistics(self.job, tally)


def refresh_statistics(job: Import, tally: Tally) -> None:
    """After a large license import (PostgreSQL), fresh planner statistics for the tables it
    wrote: the pages reading them (Manage's later pages, an import's results, the audit log)
    are then planned for their new size at once, not when autovacuum next gets to them (the
    Manage page's page 20 took 2-3 times as long until then)."""
    if tally.rows >= ANALYZE_AFTER:
        analyze(ImportRow)
    if tally.applied >= ANALYZE_AFTER and not job.dry_run:
        analyze(Assignment, AuditEvent)


class LicenseFile(LicenseRows):
    """licenses.csv (or .xlsx): Username, Action, License ID; a sync when the import says so."""

    def __init__(self, job: Import, opener: Opener) -> None:
        super().__init__(job)
        self.opener = opener
        self.sync = job.sync_max_revoke_percent

    def prepare(self, job: Import, resume: bool) -> int:
        self.actor = job_actor(job, CHANGE)
        self.layout = read_layout(job, self.opener, [USERNAME, ACTION], COLUMN_NAMES, resume)
        return self.layout.data_rows

    def items(self) -> Iterator[RawRow]:
        layout = self.layout
        # Each row's cells padded with empty ones so that every column index is in range: a
        # short row's missing cells, and a column the file lacks (index -1: the padding's
        # last), read as "" (what Record.get gives) without a test per cell.
        user, action, license_id = (
            layout.columns.get(key, -1) for key in (USERNAME, ACTION, LICENSE_ID)
        )
        pad = ("",) * (max(user, action, license_id) + 1)
        for row, cells in records(self.opener, layout, settings.PLM_MAX_IMPORT_BYTES):
            cells += pad
            yield RawRow(row, cells[user], cells[action], cells[license_id])

    def _decide(self, items: list[Any], rules: Rules, done: int) -> list[Decision]:
        return decide_batch(items, rules, sync=self.sync is not None, people_for=self.people)

    def begin(self, apply: bool) -> Opening:
        self.people = DirectoryInMemory(self.layout.data_rows)  # afresh for every pass
        if self.sync is None:
            return super().begin(apply)
        # Sync: revocations first (under the license lock), then the file's assign rows.
        self.on, self.holdings = today(), HoldingsInMemory()  # as LicenseRows.begin sets them
        named = named_holders(self.items())
        if apply:
            lock_licenses()
        revocations, holders = sync_revocations(named, self.actor)
        error = threshold_error(revocations, holders, self.sync)
        simulate = not apply or error is not None
        licenses, used = read_licenses()
        rules = Rules(licenses, Ledger(used=used), self.actor.scope, self.on)
        if simulate:
            simulate_revocations(revocations, rules.ledger)
            self.dry = rules
        else:
            apply_decisions(
                revocations, actor=self.actor, licenses=rules.by_pk, import_id=self.job.pk
            )
        return Opening([d.result for d in revocations], apply=not simulate, error=error)


class PolicyRun(LicenseRows):
    """A policy's reconciliation (licensing/policies.py): the rows of its plan, decided by the
    pool rules. It changes only the policy's own (its pool, its present and former members),
    so it runs with the system's scope under the name of whoever asked for it."""

    def prepare(self, job: Import, resume: bool) -> int:
        requester = self.given or job_actor(job, CHANGE)
        self.actor = replace(requester, source=policies.SOURCE, scope=EVERYWHERE)
        policy = Policy.objects.select_related("organization").filter(pk=job.policy_id).first()
        if policy is None:
            raise PlmError(c.POLICY_NOT_FOUND, f"Policy {job.policy_id} no longer exists.")
        refused = policies.policy_manageable(requester, policy)
        if refused is not None:  # checked again: roles may have changed while it was queued
            raise refused
        self.policy, self.on = policy, today()
        self.plan = policies.plan(policy, self.on)
        self.pool = policies.pool_ids(policy)
        self.list = self.plan.items
        job.rows = len(self.list)
        job.save(update_fields=["rows"])
        return job.rows

    def _decide(self, items: list[Any], rules: Rules, done: int) -> list[Decision]:
        return policies.policy_decide(items, rules, done, pool=self.pool, name=self.policy.name)

    def begin(self, apply: bool) -> Opening:
        opening = super().begin(apply)
        error = (
            policies.threshold_error(self.policy, self.plan)
            if self.policy.revoke_ineligible
            else None
        )
        if error is None:
            if apply:
                policies.members_join(self.policy, self.plan)
            return opening
        # Over the threshold: everything is simulated, and the run `refused`, as a sync.
        licenses, used = read_licenses()
        self.dry = Rules(licenses, Ledger(used=used), self.actor.scope, self.on)
        return Opening(apply=False, error=error)

    def finish(self, tally: Tally) -> None:
        if not self.job.dry_run:
            policies.members_leave(self.policy, self.plan)
        super().finish(tally)


class PersonFile:
    """person.csv (or .xlsx): users and their roles (system administrators only)."""

    def __init__(self, job: Import, opener: Opener) -> None:
        self.job, self.opener = job, opener

    def prepare(self, job: Import, resume: bool) -> int:
        self.batches = PersonBatches(job_actor(job, SYSADMIN), job.pk)
        describe = {USERNAME_KEY: "User-Name"}
        self.layout = read_layout(job, self.opener, [USERNAME_KEY], describe, resume)
        return self.layout.data_rows

    def items(self) -> Iterator[Any]:
        cols = PersonColumns.of(self.layout)
        # map, not a generator expression: one Python frame less per row.
        rows = records(self.opener, self.layout, settings.PLM_MAX_IMPORT_BYTES)
        return map(parse_person, rows, repeat(cols))

    def begin(self, apply: bool) -> Opening:
        self.batches.begin()
        return Opening(apply=apply)

    def batch(self, items: list[Any], apply: bool, done: int) -> list[RowResult]:
        return self.batches.batch(items, apply)

    def finish(self, tally: Tally) -> None:
        self.batches.finish(tally)


def file_work(job: Import, opener: Opener) -> LicenseFile | PersonFile:
    return PersonFile(job, opener) if job.kind == "users" else LicenseFile(job, opener)
