"""The users import's batches (person.csv): upsert users by User-Name, with their roles per
organization. The job runner reads the file and drives the batches."""

from plm.audit.services import Event, audit_record
from plm.bulk import ANALYZE_AFTER, analyze
from plm.clock import now
from plm.core.codes import CREATED, UPDATED
from plm.core.people import PersonRow, PersonState, decide_person
from plm.core.results import RowResult, Tally
from plm.core.text import fold
from plm.directory.actors import Actor
from plm.directory.models import Organization, RoleGrant, User
from plm.directory.store import email_owners, user_states, write_users

_AUDIT_ACTION = {CREATED: "user_create", UPDATED: "user_update"}


def _event(action: str, st: PersonState, row: int) -> Event:
    # Runs once per changed user: the usual single role without a sort or a join.
    if len(st.roles) == 1:
        ((org, role),) = st.roles
        roles = f"{role} @ {org}"
    else:
        roles = "; ".join([f"{role} @ {org}" for org, role in sorted(st.roles)])
    # The user's whole new state (names included), so a change of any of it can be read
    # against the user's previous event.
    detail = (
        f"first={st.first_name!r} last={st.last_name!r} email={st.email!r} "
        f"active={st.active} roles=[{roles}]"
    )
    return Event(action, st.username, "", detail, row)


class PersonBatches:
    """Decides person rows in file order, carrying what earlier rows decided to later ones."""

    def __init__(self, actor: Actor, import_id: int) -> None:
        self.actor, self.import_id = actor, import_id

    def begin(self) -> None:
        """A fresh pass over the file."""
        orgs = list(Organization.objects.values_list("pk", "name_key", "name"))
        self.org_names = {key: name for _, key, name in orgs}
        self.org_pks = {key: pk for pk, key, _ in orgs}
        self.names_by_pk = {pk: name for pk, _, name in orgs}
        # Users by user-name key, and e-mail key -> owner's user-name key (None once released).
        self.known: dict[str, PersonState] = {}
        self.owners: dict[str, str | None] = {}

    def batch(self, batch: list[PersonRow | RowResult], apply: bool) -> list[RowResult]:
        """Decide (and when `apply`, write) one batch; call inside its transaction."""
        known, owners = self.known, self.owners
        parsed = [item for item in batch if isinstance(item, PersonRow)]
        # (`set - dict.keys()` would copy the whole dict every batch: test membership instead.)
        fresh = sorted({k for p in parsed if (k := fold(p.username)) not in known})
        known.update(user_states(fresh, self.names_by_pk))
        emails = sorted({e for p in parsed if p.email and (e := fold(p.email)) not in owners})
        owners.update(email_owners(emails))
        results: list[RowResult] = []
        final: dict[str, PersonState] = {}
        moved: set[str] = set()
        events: list[Event] = []
        for item in batch:
            if isinstance(item, RowResult):
                results.append(item)
                continue
            key = fold(item.username)
            current = known.get(key)
            owner = owners.get(fold(item.email)) if item.email else None
            decision = decide_person(item, current, self.org_names, owner)
            results.append(decision.result)
            wanted = decision.state
            if wanted is None:
                continue
            if current and current.email != wanted.email:
                moved.add(key)
                if current.email:
                    owners[fold(current.email)] = None
            if wanted.email:
                owners[fold(wanted.email)] = key
            known[key] = final[key] = wanted
            events.append(_event(_AUDIT_ACTION[decision.result.code], wanted, item.row))
        if apply and final:
            for key, pk in write_users(final, moved, self.org_pks, now()).items():
                st = known[key]  # a direct constructor: NamedTuple._replace is slower
                known[key] = PersonState(
                    pk, st.username, st.email, st.first_name, st.last_name, st.active, st.roles
                )
            audit_record(
                actor=self.actor.name,
                source=self.actor.source,
                events=events,
                import_id=self.import_id,
            )
        return results

    def finish(self, tally: Tally) -> None:
        if tally.applied >= ANALYZE_AFTER:
            analyze(User, RoleGrant)
