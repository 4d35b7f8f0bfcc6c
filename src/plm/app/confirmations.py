"""Read-only numbers a page shows before a destructive action ("Revoke 37 licenses from 12
users?") and above the licensing page (its summary). Nothing here changes anything; each
function checks the actor like the use case it precedes, and counts only what that use case
would touch (the actor's change scope for changes, view scope for the summary)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from plm.app.assignments import presenters
from plm.app.imports import import_get, imports_visible_to
from plm.app.licenses import licenses_list
from plm.app.users import users_list
from plm.core.codes import PlmError
from plm.core.license_ids import normalize_license_id
from plm.core.text import fold
from plm.directory.actors import CHANGE, VIEW, Actor, require, scope_q
from plm.directory.models import ApiToken
from plm.imports.models import Import
from plm.licensing.models import Assignment


@dataclass(frozen=True)
class Impact:
    """What an action would change: `licenses` assignments of `users` users (names: a few, to
    show), plus a short phrase for anything else the page should say."""

    licenses: int
    users: int
    names: list[str] = field(default_factory=list)


SHOWN_NAMES = 20


def _impact(assignments) -> Impact:  # type: ignore[no-untyped-def]
    users = list(
        assignments.order_by("user__username_key")
        .values_list("user__username", flat=True)
        .distinct()
    )
    return Impact(licenses=assignments.count(), users=len(users), names=users[:SHOWN_NAMES])


def revoke_pairs_impact(*, actor: Actor, pairs: Sequence[tuple[str, str]]) -> Impact:
    """(username, License ID) pairs to revoke: those actually held in the change scope."""
    require(actor, CHANGE)
    match = Q(pk__in=[])
    for username, license_id in pairs:
        try:
            lid = normalize_license_id(license_id)
        except PlmError:  # a malformed ID matches nothing; the import rejects its row
            continue
        match |= Q(user__username_key=fold(username.strip()), license__license_id=lid)
    return _impact(Assignment.objects.filter(match).filter(scope_q(actor.scope, "user_id")))


def matching_pairs(*, actor: Actor, q: str = "", license_id: str = "") -> list[tuple[str, str]]:
    """Every (username, License ID) the Revoke Licenses list shows for this search (all pages),
    in the order it shows them: "select all matching"."""
    users = presenters(actor=actor, q=q, license_id=license_id)
    rows = Assignment.objects.filter(user__in=users.values("pk"))
    if license_id:
        rows = rows.filter(license__license_id=license_id)
    return list(
        rows.order_by("user__username_key", "license__license_id").values_list(
            "user__username", "license__license_id"
        )
    )


def revoke_all_impact(*, actor: Actor, user_pks: Sequence[int]) -> Impact:
    """Revoke All PCAP Presenter Licenses for these users: their assignments (change scope)."""
    require(actor, CHANGE)
    shown = users_list(actor=actor).filter(pk__in=list(user_pks))
    return _impact(
        Assignment.objects.filter(user__in=shown.values("pk")).filter(
            scope_q(actor.scope, "user_id")
        )
    )


@dataclass(frozen=True)
class Replacement:
    impact: Impact
    old_id: str
    new_id: str
    free: int
    """NEW's free seats now."""


def replace_impact(*, actor: Actor, old: str, new: str) -> Replacement:
    """Replace license: how many holders of OLD in the change scope, and NEW's free seats."""
    require(actor, CHANGE)
    by_id = {lic["license_id"]: lic for lic in licenses_list(actor=actor)}
    try:
        old_id, new_id = normalize_license_id(old), normalize_license_id(new)
    except PlmError:  # the use case reports the bad ID itself
        old_id, new_id = old, new
    held = Assignment.objects.filter(license__license_id=old_id).filter(
        scope_q(actor.scope, "user_id")
    )
    free = by_id.get(new_id, {}).get("available", 0)
    return Replacement(_impact(held), old_id, new_id, int(free))  # type: ignore[call-overload]


def import_impact(*, actor: Actor, import_id: int) -> Import:
    """The visible import a revert or cancel would act on (its counts say what happens)."""
    require(actor, VIEW)
    return import_get(actor=actor, import_id=import_id)


def token_impact(*, actor: Actor, token_id: int) -> ApiToken | None:
    """The actor's own token (any, for a system administrator) that revoking would end."""
    tokens = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True)
    if not actor.is_sysadmin:
        tokens = tokens.filter(user_id=actor.user_pk)
    return tokens.first()


def manage_summary(*, actor: Actor) -> dict[str, object]:
    """The top of Manage Presenter Licenses: licenses, seats used and free, how many expire
    within 30 days, and the actor's last visible import."""
    rows = licenses_list(actor=actor)
    live = [r for r in rows if not r["expired"]]
    last = imports_visible_to(actor).order_by("-pk").first()
    return {
        "licenses": len(rows),
        "seats": sum(int(r["seats"]) for r in live),  # type: ignore[call-overload]
        "used": sum(int(r["assigned"]) for r in live),  # type: ignore[call-overload]
        "free": sum(int(r["available"]) for r in live),  # type: ignore[call-overload]
        "expired": len(rows) - len(live),
        "expiring": sum(1 for r in rows if r.get("badge") == "expiring"),
        "last_import": last,
    }
