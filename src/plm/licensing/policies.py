"""License policies: who should hold a license, stated instead of uploaded.

A policy names an organization (with everything below it) and an ordered pool of licenses. Its
*eligible* users are the active users holding Academic Staff there. A run (reconciliation):

- gives every eligible user who holds no current license (from any pool, or by hand: a presenter
  needs one, so two policies covering a user give one license, not two) the first license of
  the pool that is current and has a free seat; when the pool runs out, the users left without
  are reported `no_license_available` (the shortfall);
- leaves alone a member whose license was revoked by anyone but a policy since the policy saw
  them licensed (*opted out*): they are not licensed again until they stop being eligible and
  become eligible again;
- with `revoke_ineligible`, revokes the pool's licenses from members who stopped being eligible,
  unless that is more than `max_revoke_percent` of the pool's holders (then nothing is applied:
  `change_threshold_exceeded`, as a sync).

The plan is computed once per run; its rows are decided in batches under the license lock by
`Rules.pool_assign` / `pool_revoke`, so concurrent runs, imports and bulk actions never
oversubscribe a license. The job runner records each run as an import (source `policy`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from plm.audit.models import AuditEvent
from plm.audit.services import Event, audit_record
from plm.bulk import select_in
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.license_ids import normalize_license_id
from plm.core.percent import max_revoke_percent
from plm.core.rules import Decision, Rules, Scope
from plm.core.text import fold
from plm.directory.actors import Actor
from plm.directory.models import Organization, User
from plm.directory.orgs import org_subtree
from plm.directory.people import people_by_pk, staff_in
from plm.licensing.ledger import load_holdings, lock_licenses
from plm.licensing.models import Assignment, License, Policy, PolicyLicense, PolicyMember

MAX_POOL = 100
DEFAULT_MAX_REVOKE_PERCENT = 10
SOURCE = "policy"


def policy_get(ref: str | int) -> Policy:
    """A policy by its number or its name (ignoring case), or policy_not_found."""
    text = str(ref).strip()
    found = (
        Policy.objects.filter(pk=int(text)).first()
        if text.isdigit()
        else Policy.objects.filter(name_key=fold(text)).first()
    )
    if found is None:
        raise PlmError(
            c.POLICY_NOT_FOUND, f"Policy {text!r} does not exist (see plm policies list)."
        )
    return found


def policies_in(scope: Scope) -> QuerySet[Policy]:
    """The policies whose organization `scope` covers (the pks, as a subquery)."""
    found = Policy.objects.all()
    if scope.orgs is not None:
        found = found.filter(organization_id__in=scope.orgs)
    return found.values("pk")


def policy_orgs(policy: Policy) -> set[int]:
    """The organizations a policy covers: its organization and everything below it."""
    return org_subtree([policy.organization_id])


def pool_ids(policy: Policy) -> list[str]:
    """The pool's License IDs, in the order seats are taken."""
    return list(policy.pool.order_by("position").values_list("license__license_id", flat=True))


@dataclass(frozen=True)
class PolicyInput:
    """What a person states about a policy (None: unchanged, on an update)."""

    name: str | None = None
    organization: str | None = None
    licenses: Sequence[str] | None = None
    revoke_ineligible: bool | None = None
    max_revoke_percent: int | str | None = None
    enabled: bool | None = None


def _name(text: str) -> str:
    name = " ".join(text.split())
    if not name or any(ch < " " or ch == "\x7f" for ch in name):
        raise PlmError(c.INVALID_ARGUMENT, "A policy needs a name (plain text).")
    if len(name) > 100 or name.isdigit():
        raise PlmError(
            c.INVALID_ARGUMENT, "A policy name has at most 100 characters and is not a number."
        )
    return name


def _organization(text: str) -> Organization:
    org = Organization.objects.filter(name_key=fold(text.strip())).first()
    if org is None:
        raise PlmError(
            c.ORG_NOT_FOUND, f"Organization {text.strip()!r} does not exist (see plm orgs list)."
        )
    return org


def _pool(license_ids: Sequence[str]) -> list[License]:
    ids = [normalize_license_id(text) for text in license_ids if text.strip()]
    if not ids:
        raise PlmError(c.INVALID_ARGUMENT, "A policy needs at least one license in its pool.")
    if len(ids) > MAX_POOL:
        raise PlmError(c.INVALID_ARGUMENT, f"A pool has at most {MAX_POOL} licenses.")
    twice = sorted({lid for lid in ids if ids.count(lid) > 1})
    if twice:
        raise PlmError(c.INVALID_ARGUMENT, f"{', '.join(twice)} is in the pool twice.")
    found = {lic.license_id: lic for lic in License.objects.filter(license_id__in=ids)}
    for lid in ids:
        if lid not in found:
            raise PlmError(c.LICENSE_NOT_FOUND, f"License {lid} does not exist.")
    return [found[lid] for lid in ids]


def policy_organization(data: PolicyInput) -> Organization | None:
    """The organization `data` names (org_not_found), for the caller's scope check."""
    return None if data.organization is None else _organization(data.organization)


def policy_save(*, actor: Actor, policy: Policy | None, data: PolicyInput) -> Policy:
    """Create (`policy` None) or change a policy from `data`, audited; policy_exists when the
    name is taken."""
    creating = policy is None
    if creating and (data.name is None or data.organization is None or data.licenses is None):
        raise PlmError(
            c.INVALID_ARGUMENT, "A new policy needs a name, an organization and licenses."
        )
    target = policy or Policy(created_by=actor.name)
    if data.name is not None:
        target.name = _name(data.name)
    org = policy_organization(data)
    if org is not None:
        target.organization = org
    pool = _pool(data.licenses) if data.licenses is not None else None
    if data.revoke_ineligible is not None:
        target.revoke_ineligible = data.revoke_ineligible
    if data.max_revoke_percent is not None:
        target.max_revoke_percent = max_revoke_percent(data.max_revoke_percent)
    if data.enabled is not None:
        target.enabled = data.enabled
    try:
        with transaction.atomic():
            lock_licenses()  # pool rows point at licenses: take them in every writer's order
            target.save()
            if pool is not None:
                target.pool.all().delete()
                PolicyLicense.objects.bulk_create(
                    PolicyLicense(policy=target, license=lic, position=i)
                    for i, lic in enumerate(pool)
                )
            audit_record(
                actor=actor.name,
                source=actor.source,
                events=[
                    Event("policy_add" if creating else "policy_update", detail=describe(target))
                ],
            )
    except IntegrityError:
        raise PlmError(c.POLICY_EXISTS, f"A policy named {target.name!r} already exists.") from None
    return target


def policy_delete(*, actor: Actor, policy: Policy) -> None:
    """Delete a policy; the licenses it gave stay (revoke them with a file or a revert)."""
    with transaction.atomic():
        detail = describe(policy)
        policy.delete()
        audit_record(
            actor=actor.name, source=actor.source, events=[Event("policy_delete", detail=detail)]
        )


def describe(policy: Policy) -> str:
    """One line for the audit log."""
    revoke = (
        f"revoke when ineligible up to {policy.max_revoke_percent}%"
        if policy.revoke_ineligible
        else "never revokes"
    )
    return (
        f"{policy.name}: Academic Staff of {policy.organization.name} and below; pool "
        f"{', '.join(pool_ids(policy))}; {revoke}; {'enabled' if policy.enabled else 'paused'}"
    )


class PolicyItem(NamedTuple):
    """One row of a run: give `user_pk` a pool license, or revoke `license_id` from them."""

    op: str
    user_pk: int
    license_id: str = ""


@dataclass
class Plan:
    """What a run will decide, and what it found about the policy's members."""

    items: list[PolicyItem] = field(default_factory=list)
    eligible: set[int] = field(default_factory=set)
    opted_out: set[int] = field(default_factory=set)
    """Eligible members who will not be licensed again (their license was revoked by hand)."""
    pool_holders: int = 0
    """Holders of the pool's licenses now: the revoke threshold's base."""

    @property
    def revocations(self) -> int:
        return sum(1 for item in self.items if item.op == "revoke")


def _holdings(user_pks: Iterable[int]) -> dict[int, set[int]]:
    held: dict[int, set[int]] = {}
    for user_id, license_pk in select_in(
        f"SELECT user_id, license_id FROM {Assignment._meta.db_table} WHERE {{where}}",
        "user_id",
        sorted(set(user_pks)),
    ):
        held.setdefault(user_id, set()).add(license_pk)
    return held


def _names(user_pks: Iterable[int]) -> dict[int, str]:
    return dict(
        select_in(
            f"SELECT id, username_key FROM {User._meta.db_table} WHERE {{where}}",
            "id",
            sorted(set(user_pks)),
        )
    )


def usernames(user_pks: Sequence[int]) -> list[str]:
    """The user names of `user_pks`, in that order."""
    names = dict(User.objects.filter(pk__in=list(user_pks)).values_list("pk", "username"))
    return [names[pk] for pk in user_pks if pk in names]


def plan(policy: Policy, on: date) -> Plan:
    """The rows of a run of `policy` now: assigns in user-name order, then revocations."""
    eligible = staff_in(policy_orgs(policy))
    members = {
        m["user_id"]: (m["license_id"], m["opted_out"])
        for m in PolicyMember.objects.filter(policy=policy).values(
            "user_id", "license_id", "opted_out"
        )
    }
    expires = dict(License.objects.values_list("pk", "expires"))
    held = _holdings(eligible | set(members))

    def current(user_pk: int) -> bool:
        return any(expires[pk] is None or expires[pk] >= on for pk in held.get(user_pk, ()))

    result = Plan(eligible=eligible)
    unlicensed = [pk for pk in eligible if not current(pk)]
    revoked = _revoked_since_seen(
        {pk: members[pk][0] for pk in unlicensed if pk in members and members[pk][0]}, held
    )
    names = _names(unlicensed)
    for pk in sorted(unlicensed, key=lambda pk: names[pk]):
        seen_opted = members.get(pk)
        if seen_opted is not None and (seen_opted[1] or pk in revoked):
            result.opted_out.add(pk)
        else:
            result.items.append(PolicyItem("assign", pk))
    pool = list(policy.pool.order_by("position").values_list("license_id", "license__license_id"))
    if policy.revoke_ineligible:
        leaving = set(members) - eligible
        leaving_names = _names(leaving)
        for pk in sorted(leaving, key=lambda pk: leaving_names[pk]):
            for license_pk, license_id in pool:
                if license_pk in held.get(pk, ()):
                    result.items.append(PolicyItem("revoke", pk, license_id))
    result.pool_holders = Assignment.objects.filter(
        license_id__in=[license_pk for license_pk, _ in pool]
    ).count()
    return result


def _revoked_since_seen(seen: dict[int, int], held: dict[int, set[int]]) -> set[int]:
    """The members whose seen license is gone and was last revoked by someone other than a
    policy (by hand, a file, a revert): they opted out."""
    gone = {pk: lic for pk, lic in seen.items() if lic not in held.get(pk, ())}
    if not gone:
        return set()
    usernames = dict(User.objects.filter(pk__in=list(gone)).values_list("pk", "username"))
    license_ids = dict(
        License.objects.filter(pk__in=set(gone.values())).values_list("pk", "license_id")
    )
    pairs = {
        (usernames[pk], license_ids[lic]): pk for pk, lic in gone.items() if lic in license_ids
    }
    last: dict[tuple[str, str], str] = {}
    for username, license_id, source in (
        AuditEvent.objects.filter(
            action="revoke",
            username__in={u for u, _ in pairs},
            license_id__in={lid for _, lid in pairs},
        )
        .order_by("id")
        .values_list("username", "license_id", "source")
    ):
        last[(username, license_id)] = source
    return {pk for pair, pk in pairs.items() if last.get(pair, "") != SOURCE}


def policy_decide(
    batch: list[PolicyItem], rules: Rules, done: int, *, pool: list[str], name: str
) -> list[Decision]:
    """Decide a batch of a run's rows (numbered done+1, done+2, ...) against `rules`."""
    people = people_by_pk(item.user_pk for item in batch)
    load_holdings(rules.ledger, people.keys())
    decisions = []
    for i, item in enumerate(batch, start=done + 1):
        person = people[item.user_pk]
        if item.op == "assign":
            decisions.append(rules.pool_assign(person, pool, i, name))
        else:
            decisions.append(rules.pool_revoke(person, item.license_id, i, name))
    return decisions


def threshold_error(policy: Policy, planned: Plan) -> PlmError | None:
    """change_threshold_exceeded when the run would revoke more than the policy allows."""
    revoking, holders = planned.revocations, planned.pool_holders
    if revoking and revoking * 100 > policy.max_revoke_percent * max(holders, 1):
        share = revoking * 100 // max(holders, 1)
        return PlmError(
            c.CHANGE_THRESHOLD_EXCEEDED,
            f"Policy {policy.name} would revoke {revoking} of the {holders} holders of its "
            f"pool ({share}%), more than the {policy.max_revoke_percent}% allowed: nothing was "
            "applied. Check the users import or SCIM changes that made them ineligible, or "
            "raise the policy's max revoke percent.",
        )
    return None


def record_members(policy: Policy, planned: Plan, on: date) -> None:
    """After an applied run: remember who is eligible, what current license each holds, and
    who opted out (serialized per policy: two runs of one policy never interleave here)."""
    with transaction.atomic():
        # The license rows first, in the order every writer takes them: member rows point at
        # licenses, and on PostgreSQL that key share lock taken in another order deadlocks
        # with a batch holding them (found by the concurrency test).
        lock_licenses()
        if Policy.objects.select_for_update().filter(pk=policy.pk).first() is None:
            return  # deleted while it ran: nothing to remember
        current = {
            pk
            for pk, expires in License.objects.values_list("pk", "expires")
            if expires is None or expires >= on
        }
        held = _holdings(planned.eligible)
        order = dict(License.objects.values_list("pk", "license_id"))
        wanted = {}
        for user_pk in planned.eligible:
            mine = sorted((pk for pk in held.get(user_pk, ()) if pk in current), key=order.get)
            seen = mine[0] if mine else None
            wanted[user_pk] = (None, True) if user_pk in planned.opted_out else (seen, False)
        existing = {
            m.user_id: m for m in PolicyMember.objects.filter(policy=policy).select_for_update()
        }
        PolicyMember.objects.filter(
            policy=policy, user_id__in=[pk for pk in existing if pk not in wanted]
        ).delete()
        changed = []
        for user_pk, (seen, opted_out) in wanted.items():
            member = existing.get(user_pk)
            if member is not None and (member.license_id, member.opted_out) != (seen, opted_out):
                member.license_id, member.opted_out = seen, opted_out
                changed.append(member)
        PolicyMember.objects.bulk_update(changed, ["license", "opted_out"], batch_size=1000)
        PolicyMember.objects.bulk_create(
            (
                PolicyMember(policy=policy, user_id=pk, license_id=seen, opted_out=opted)
                for pk, (seen, opted) in wanted.items()
                if pk not in existing
            ),
            batch_size=1000,
        )


@dataclass(frozen=True)
class Standing:
    """Where a policy stands now (its page's numbers)."""

    eligible: int
    licensed: int
    opted_out: int
    waiting: int
    """Eligible, without a current license, not opted out: the next run licenses them."""
    free_seats: int
    """Free seats on the pool's current licenses."""

    @property
    def seats_needed(self) -> int:
        """The shortfall: seats to add so that every waiting user gets a license."""
        return max(0, self.waiting - self.free_seats)


def standing(policy: Policy, on: date) -> Standing:
    planned = plan(policy, on)
    waiting = sum(1 for item in planned.items if item.op == "assign")
    free_seats = sum(
        seats - assigned
        for seats, assigned in License.objects.filter(policy_pools__policy=policy)
        .filter(Q(expires__isnull=True) | Q(expires__gte=on))
        .values_list("seats", "assigned")
    )
    eligible = len(planned.eligible)
    opted = len(planned.opted_out)
    return Standing(eligible, eligible - waiting - opted, opted, waiting, free_seats)
