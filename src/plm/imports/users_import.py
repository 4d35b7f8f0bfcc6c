"""The users import (person.csv): upsert users by User-Name, with their roles per organization."""

from collections.abc import Iterator
from itertools import islice, repeat

from django.conf import settings
from django.db import transaction

from plm.audit.services import Event, audit_record
from plm.bulk import analyze, relaxed_gc
from plm.clock import now
from plm.core.codes import CREATED, INTERNAL_ERROR, UPDATED, PlmError, Status
from plm.core.people import (
    USERNAME_KEY,
    PersonColumns,
    PersonRow,
    PersonState,
    decide_person,
    parse_person,
)
from plm.core.reader import Opener, inspect, records
from plm.core.results import RowResult, Tally
from plm.directory.actors import Actor, sysadmin_actor
from plm.directory.models import Organization, RoleGrant, User
from plm.directory.store import email_owners, user_states, write_users
from plm.imports.license_import import Cancelled, Progress, check_same_file
from plm.imports.models import Import
from plm.imports.records import (
    batch_record,
    job_create,
    job_fail,
    job_finish,
)
from plm.imports.recovery import heartbeat

ANALYZE_AFTER = 1000  # rows changed: beyond this the planner statistics are worth refreshing
_AUDIT_ACTION = {CREATED: "user_create", UPDATED: "user_update"}


def _event(action: str, st: PersonState, row: int) -> Event:
    # Runs once per changed user: the usual single role without a sort or a join.
    if len(st.roles) == 1:
        ((org, role),) = st.roles
        roles = f"{role} @ {org}"
    else:
        roles = "; ".join([f"{role} @ {org}" for org, role in sorted(st.roles)])
    return Event(
        action, st.username, "", f"email={st.email!r} active={st.active} roles=[{roles}]", row
    )


def _run(
    job: Import,
    rows: Iterator[PersonRow | RowResult],
    actor: Actor,
    *,
    apply: bool,
    progress: Progress | None,
    total: int,
    start: Tally | None = None,
) -> Tally:
    """One pass; `start`: counts of rows already committed (a resume), which are skipped."""
    tally = Tally(**vars(start)) if start else Tally()
    if start:
        rows = islice(rows, start.rows, None)
    orgs = list(Organization.objects.values_list("pk", "name_key", "name"))
    org_names = {key: name for _, key, name in orgs}
    org_pks = {key: pk for pk, key, _ in orgs}
    names_by_pk = {pk: name for pk, _, name in orgs}
    # What earlier rows decided, so later rows (and a dry run) see it: users by user-name key,
    # and e-mail key -> owner's user-name key (None once released).
    known: dict[str, PersonState] = {}
    owners: dict[str, str | None] = {}
    cancelled = False
    while batch := list(islice(rows, settings.PLM_IMPORT_BATCH_ROWS)):
        if cancelled:  # asked while the previous batch ran: stop before this one
            raise Cancelled(tally)
        with transaction.atomic():
            parsed = [item for item in batch if isinstance(item, PersonRow)]
            # (`set - dict.keys()` would copy the whole dict every batch: test membership instead.)
            fresh = sorted({k for p in parsed if (k := p.username.casefold()) not in known})
            known.update(user_states(fresh, names_by_pk))
            emails = sorted(
                {e for p in parsed if p.email and (e := p.email.casefold()) not in owners}
            )
            owners.update(email_owners(emails))
            results: list[RowResult] = []
            final: dict[str, PersonState] = {}
            moved: set[str] = set()
            events: list[Event] = []
            for item in batch:
                if isinstance(item, RowResult):
                    results.append(item)
                    continue
                key = item.username.casefold()
                current = known.get(key)
                owner = owners.get(item.email.casefold()) if item.email else None
                decision = decide_person(item, current, org_names, owner)
                results.append(decision.result)
                wanted = decision.state
                if wanted is None:
                    continue
                if current and current.email != wanted.email:
                    moved.add(key)
                    if current.email:
                        owners[current.email.casefold()] = None
                if wanted.email:
                    owners[wanted.email.casefold()] = key
                known[key] = final[key] = wanted
                events.append(_event(_AUDIT_ACTION[decision.result.code], wanted, item.row))
            if apply and final:
                for key, pk in write_users(final, moved, org_pks, now()).items():
                    st = known[key]  # a direct constructor: NamedTuple._replace is slower
                    known[key] = PersonState(
                        pk, st.username, st.email, st.first_name, st.last_name, st.active, st.roles
                    )
                audit_record(actor=actor.name, source=actor.source, events=events, import_id=job.pk)
            cancelled = not batch_record(job, tally, results)
        if progress:
            progress(tally.rows, total)
    return tally


def run_users_import(
    *,
    opener: Opener,
    file_name: str,
    actor_name: str | None,
    source: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Import:
    """Record and run a person.csv import now; return its record (never raises PlmError)."""
    job = job_create(
        kind="users", source=source, as_user=actor_name, file_name=file_name, dry_run=dry_run
    )
    return execute_users_import(job, opener, progress)


def execute_users_import(
    job: Import, opener: Opener, progress: Progress | None = None, *, resume: bool = False
) -> Import:
    """Run a recorded users import (status running) to its end (resume: as for licenses)."""
    try:
        actor = sysadmin_actor(job.as_user, job.source)
        layout = inspect(
            opener,
            required=[USERNAME_KEY],
            describe={USERNAME_KEY: "User-Name"},
            max_bytes=settings.PLM_MAX_IMPORT_BYTES,
        )
    except PlmError as error:
        return job_fail(job, error)
    check_same_file(job, layout.sha256, resume)
    job.rows, job.file_sha256 = layout.data_rows, layout.sha256
    job.save(update_fields=["rows", "file_sha256"])
    cols = PersonColumns.of(layout)
    # map, not a generator expression: one Python frame less per row.
    parsed = map(parse_person, records(opener, layout, settings.PLM_MAX_IMPORT_BYTES), repeat(cols))
    start = Tally(job.processed, job.applied, job.unchanged, job.rejected) if resume else None
    try:
        with heartbeat(job), relaxed_gc():
            tally = _run(
                job,
                parsed,
                actor,
                apply=not job.dry_run,
                progress=progress,
                total=layout.data_rows,
                start=start,
            )
    except Cancelled as stop:
        return job_finish(job, stop.args[0], Status.CANCELLED)
    except Exception:
        job_fail(job, PlmError(INTERNAL_ERROR, "The users import stopped on an internal error."))
        raise
    if tally.applied >= ANALYZE_AFTER:
        analyze(User, RoleGrant)
    return job_finish(job, tally, Status.COMPLETED)
