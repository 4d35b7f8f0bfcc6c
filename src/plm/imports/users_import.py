"""The users import (person.csv): upsert users by User-Name, with their roles per organization."""

import secrets
from collections.abc import Iterator
from dataclasses import replace
from itertools import islice

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction

from plm.audit.services import Event, audit_record
from plm.core.codes import CREATED, INTERNAL_ERROR, UPDATED, PlmError, Status
from plm.core.people import (
    USERNAME_KEY,
    PersonRow,
    PersonState,
    decide_person,
    pair_numbers,
    parse_person,
)
from plm.core.reader import Opener, inspect, records
from plm.core.results import RowResult, Tally
from plm.directory.actors import Actor, sysadmin_actor
from plm.directory.models import Organization, RoleGrant, User
from plm.imports.license_import import Cancelled, Progress
from plm.imports.models import Import
from plm.imports.records import (
    cancel_requested,
    job_create,
    job_fail,
    job_finish,
    progress_save,
    results_write,
)


def _states(keys: list[str]) -> dict[str, PersonState]:
    orgs = dict(Organization.objects.values_list("pk", "name"))
    users = {u.username_key: u for u in User.objects.filter(username_key__in=keys)}
    roles: dict[int, set[tuple[str, str]]] = {}
    for user_id, org_id, role in RoleGrant.objects.filter(user__in=users.values()).values_list(
        "user_id", "organization_id", "role"
    ):
        roles.setdefault(user_id, set()).add((orgs[org_id], role))
    return {
        key: PersonState(
            u.pk,
            u.username,
            u.email,
            u.first_name,
            u.last_name,
            u.is_active,
            frozenset(roles.get(u.pk, ())),
        )
        for key, u in users.items()
    }


def _email_owners(emails: list[str]) -> dict[str, str]:
    return dict(User.objects.filter(email_key__in=emails).values_list("email_key", "username_key"))


def _write(final: dict[str, PersonState], org_pks: dict[str, int]) -> dict[str, int]:
    """Store the batch's final user states in bulk; return user-name key -> pk."""
    updates = {key: st for key, st in final.items() if st.pk is not None}
    creates = {key: st for key, st in final.items() if st.pk is None}
    stored = {u.pk: u for u in User.objects.filter(pk__in=[st.pk for st in updates.values()])}
    changed = []
    for st in updates.values():
        user = stored[st.pk]  # type: ignore[index]
        user.email, user.first_name, user.last_name = st.email, st.first_name, st.last_name
        user.is_active = st.active
        user.refresh_keys()
        changed.append(user)
    # Emails may move between users inside one batch: clear the moving ones first so no
    # intermediate state breaks the unique index (PostgreSQL checks it row by row).
    User.objects.filter(pk__in=[u.pk for u in changed]).update(email_key=None)
    User.objects.bulk_update(
        changed, ["email", "email_key", "first_name", "last_name", "is_active"], batch_size=500
    )
    new_users = []
    for st in creates.values():
        user = User(
            username=st.username,
            email=st.email,
            first_name=st.first_name,
            last_name=st.last_name,
            is_active=st.active,
            password=_unusable_password(),
        )
        user.refresh_keys()
        new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=500)
    pks = {key: st.pk for key, st in updates.items()} | {u.username_key: u.pk for u in new_users}
    RoleGrant.objects.filter(user_id__in=[st.pk for st in updates.values()]).delete()
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user_id=pks[key], organization_id=org_pks[org.casefold()], role=role)
            for key, st in final.items()
            for org, role in sorted(st.roles)
        ],
        batch_size=1000,
    )
    return pks  # type: ignore[return-value]


def _unusable_password() -> str:
    """What make_password(None) stores (no login until a password is set), ~10x cheaper."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20)


_AUDIT_ACTION = {CREATED: "user_create", UPDATED: "user_update"}


def _event(action: str, st: PersonState, row: int) -> Event:
    roles = "; ".join(f"{role} @ {org}" for org, role in sorted(st.roles))
    return Event(
        action,
        username=st.username,
        row=row,
        detail=f"email={st.email!r} active={st.active} roles=[{roles}]",
    )


def _run(
    job: Import,
    rows: Iterator[PersonRow | RowResult],
    actor: Actor,
    *,
    apply: bool,
    progress: Progress | None,
    total: int,
) -> Tally:
    tally = Tally()
    org_names = dict(Organization.objects.values_list("name_key", "name"))
    org_pks = dict(Organization.objects.values_list("name_key", "pk"))
    # What earlier rows decided, so later rows (and a dry run) see it: users by user-name key,
    # and e-mail key -> owner's user-name key (None once released).
    known: dict[str, PersonState] = {}
    owners: dict[str, str | None] = {}
    while batch := list(islice(rows, settings.PLM_IMPORT_BATCH_ROWS)):
        if tally.rows and cancel_requested(job):
            raise Cancelled(tally)
        with transaction.atomic():
            parsed = [item for item in batch if isinstance(item, PersonRow)]
            known.update(
                _states(
                    [p.username.casefold() for p in parsed if p.username.casefold() not in known]
                )
            )
            emails = {p.email.casefold() for p in parsed if p.email}
            owners.update(_email_owners([e for e in emails if e not in owners]))
            results: list[RowResult] = []
            final: dict[str, PersonState] = {}
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
                if current and current.email:
                    owners[current.email.casefold()] = None
                if wanted.email:
                    owners[wanted.email.casefold()] = key
                known[key] = final[key] = wanted
                events.append(_event(_AUDIT_ACTION[decision.result.code], wanted, item.row))
            if apply and final:
                for key, pk in _write(final, org_pks).items():
                    known[key] = replace(known[key], pk=pk)
                audit_record(actor=actor.name, source=actor.source, events=events, import_id=job.pk)
            results_write(job, tally.rows, results)
            for result in results:
                tally.add(result)
            progress_save(job, tally)
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


def execute_users_import(job: Import, opener: Opener, progress: Progress | None = None) -> Import:
    """Run a recorded users import (status running) to its end."""
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
    job.rows = layout.data_rows
    job.save(update_fields=["rows"])
    pairs = pair_numbers(layout)
    parsed = (
        parse_person(rec, layout, pairs)
        for rec in records(opener, layout, settings.PLM_MAX_IMPORT_BYTES)
    )
    try:
        tally = _run(
            job, parsed, actor, apply=not job.dry_run, progress=progress, total=layout.data_rows
        )
    except Cancelled as stop:
        return job_finish(job, stop.args[0], Status.CANCELLED)
    except Exception:
        job_fail(job, PlmError(INTERNAL_ERROR, "The users import stopped on an internal error."))
        raise
    return job_finish(job, tally, Status.COMPLETED)
