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

import unicodedata
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
        if _number(text)
        else Policy.objects.filter(name_key=fold(text)).first()
    )
    if found is None:
        raise PlmError(
            c.POLICY_NOT_FOUND, f"Policy {text!r} does not exist (see plm policies list)."
        )
    return found


def _number(text: str) -> bool:
    return text.isascii() and text.isdecimal()


def _plain(text: str, what: str) -> str:
    """Text without control or format characters (NUL, tabs, bidi overrides, ...)."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in text):
        raise PlmError(
            c.INVALID_ARGUMENT, f"{what} may not contain control or formatting characters."
        )
    return text


def org_manageable(actor: Actor, org: Organization) -> PlmError | None:
    """Why `actor` may not manage a policy of `org`, or None: policies are managed by those
    whose change scope covers their organization."""
    if not actor.can_change:
        return PlmError(
            c.PERMISSION_DENIED,
            "Managing a policy needs the Administrator and the License Manager role in its "
            "organization (or system administrator).",
        )
    if actor.scope.orgs is not None and org.pk not in actor.scope.orgs:
        return PlmError(
            c.PERMISSION_DENIED,
            f"Organization {org.name!r} is outside the organizations you manage: a policy is "
            "managed by an administrator whose organizations include it.",
        )
    return None


def policy_manageable(actor: Actor, policy: Policy) -> PlmError | None:
    """Why `actor` may not manage `policy` (and its runs), or None."""
    return org_manageable(actor, policy.organization)


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
    name = " ".join(_plain(text, "A policy name").split())
    if not name:
        raise PlmError(c.INVALID_ARGUMENT, "A policy needs a name.")
    if len(fold(name)) > 100 or _number(name):
        raise PlmError(
            c.INVALID_ARGUMENT, "A policy name has at most 100 characters and is not a number."
        )
    return name


def _organization(text: str) -> Organization:
    org = Organization.objects.filter(
        name_key=fold(_plain(text, "An organization").strip())
    ).first()
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
    joining: set[int] = field(default_factory=set)
    """Eligible users who are not members yet."""
    leaving: set[int] = field(default_factory=set)
    """Members who are no longer eligible."""
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
            f"SELECT id, username FROM {User._meta.db_table} WHERE {{where}}",
            "id",
            sorted(set(user_pks)),
        )
    )


def plan(policy: Policy, on: date) -> Plan:
    """The rows of a run of `policy` now: assigns in user-name order, then revocations."""
    eligible = staff_in(policy_orgs(policy))
    members = dict(PolicyMember.objects.filter(policy=policy).values_list("user_id", "since"))
    expires = dict(License.objects.values_list("pk", "expires"))
    held = _holdings(eligible | set(members))

    def current(user_pk: int) -> bool:
        return any(expires[pk] is None or expires[pk] >= on for pk in held.get(user_pk, ()))

    result = Plan(
        eligible=eligible, joining=eligible - set(members), leaving=set(members) - eligible
    )
    unlicensed = [pk for pk in eligible if not current(pk)]
    names = _names(unlicensed)
    result.opted_out = _revoked_by_hand(
        {pk: members[pk] for pk in unlicensed if pk in members}, names
    )
    for pk in sorted(unlicensed, key=lambda pk: (fold(names[pk]), pk)):
        if pk not in result.opted_out:
            result.items.append(PolicyItem("assign", pk))
    pool = list(policy.pool.order_by("position").values_list("license_id", "license__license_id"))
    if policy.revoke_ineligible and result.leaving:
        kept = _covered_elsewhere(policy, result.leaving)
        leaving_names = _names(result.leaving)
        for pk in sorted(result.leaving, key=lambda pk: (fold(leaving_names[pk]), pk)):
            for license_pk, license_id in pool:
                if license_pk in held.get(pk, ()) and (pk, license_pk) not in kept:
                    result.items.append(PolicyItem("revoke", pk, license_id))
    result.pool_holders = Assignment.objects.filter(
        license_id__in=[license_pk for license_pk, _ in pool]
    ).count()
    return result


def _revoked_by_hand(since: dict[int, int], names: dict[int, str]) -> set[int]:
    """Of these members without a current license (user pk -> `since`), those whose latest
    assign or revoke after `since` is a revoke made by anyone but a policy (by hand, a file,
    a revert): they opted out. A license that merely expired leaves no such event."""
    if not since:
        return set()
    by_name = {names[pk]: pk for pk in since}
    last: dict[int, tuple[str, str]] = {}
    for username, action, source, event_id in (
        AuditEvent.objects.filter(
            id__gt=min(since.values()),
            action__in=["assign", "revoke"],
            username__in=list(by_name),
        )
        .order_by("id")
        .values_list("username", "action", "source", "id")
    ):
        pk = by_name[username]
        if event_id > since[pk]:
            last[pk] = (action, source)
    return {pk for pk, (action, source) in last.items() if action == "revoke" and source != SOURCE}


def _covered_elsewhere(policy: Policy, leaving: set[int]) -> set[tuple[int, int]]:
    """(user, license) pairs of leaving members that another enabled policy, whose pool holds
    that license, still covers: revoking them would fight that policy."""
    kept = set()
    others = Policy.objects.filter(enabled=True).exclude(pk=policy.pk)
    for other in others.filter(pool__license__policy_pools__policy=policy).distinct():
        still = leaving & staff_in(policy_orgs(other))
        for license_pk in other.pool.values_list("license_id", flat=True):
            kept.update((pk, license_pk) for pk in still)
    return kept


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


def members_join(policy: Policy, planned: Plan) -> None:
    """Before an applied run's first row: its newly eligible users become members, from now
    (so a revoke by hand during or after the run counts, whatever becomes of the run)."""
    if not planned.joining:
        return
    if not Policy.objects.select_for_update().filter(pk=policy.pk).exists():
        raise PlmError(c.POLICY_NOT_FOUND, f"Policy {policy.name} was deleted: nothing applied.")
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    PolicyMember.objects.bulk_create(
        (PolicyMember(policy=policy, user_id=pk, since=since) for pk in planned.joining),
        batch_size=1000,
        ignore_conflicts=True,  # a concurrent run of the same policy added them first
    )


def members_leave(policy: Policy, planned: Plan) -> None:
    """After a completed applied run: members who are no longer eligible stop being members
    (their revocations, when the policy makes them, are done)."""
    PolicyMember.objects.filter(policy=policy, user_id__in=list(planned.leaving)).delete()


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
    revoking: int = 0
    """Pool licenses the next run would revoke from members no longer eligible."""
    refused: bool = False
    """The next run would revoke more than the policy allows: it would apply nothing."""

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
    return Standing(
        eligible,
        eligible - waiting - opted,
        opted,
        waiting,
        free_seats,
        planned.revocations,
        threshold_error(policy, planned) is not None,
    )
