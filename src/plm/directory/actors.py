"""Who is acting, and the one definition of what they may see and change.

An actor is the system (the CLI without --as) or a user. A user's roles give them two scopes:
- view: the organizations where they hold License Manager, and everything below them;
- change: those where they hold both Administrator and License Manager, and below.
System administrators (and the system) see and change everything.

A user is *in* a scope by `Scope.covers` (core.rules): Academic Staff in a scope organization,
or, holding Academic Staff nowhere, any role in one. `users_in` is the same predicate in SQL,
so every listing shows exactly the users every action may touch.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.people import ACADEMIC_STAFF, ADMINISTRATOR, LICENSE_MANAGER
from plm.core.rules import Scope
from plm.core.text import fold
from plm.directory.models import RoleGrant, User
from plm.directory.orgs import org_subtree

SYSTEM = "system"
NOWHERE = Scope(frozenset())
EVERYWHERE = Scope(None)


@dataclass(frozen=True)
class Actor:
    """The acting party; `name` is what the audit log records, `source` the face."""

    name: str
    source: str
    scope: Scope
    """Where the actor may change licenses (the rules' scope)."""
    user_pk: int | None = None
    is_sysadmin: bool = False
    can_view: bool = False
    """May see licensing pages, imports and exports (within `view_scope`)."""
    can_change: bool = False
    """May change assignments (within `scope`)."""
    view_scope: Scope = NOWHERE

    @property
    def username(self) -> str | None:
        """The user whose permissions this is; None for the system."""
        return None if self.user_pk is None and self.name == SYSTEM else self.name


def system_actor(source: str = "cli") -> Actor:
    return Actor(SYSTEM, source, EVERYWHERE, None, True, True, True, EVERYWHERE)


def _orgs_with(user: User, *roles: str) -> set[int]:
    by_org: dict[int, set[str]] = {}
    for org_id, role in RoleGrant.objects.filter(user=user, role__in=roles).values_list(
        "organization_id", "role"
    ):
        by_org.setdefault(org_id, set()).add(role)
    return {org for org, held in by_org.items() if held == set(roles)}


def actor_for_user(user: User, source: str) -> Actor:
    """The actor a signed-in (or token) user is; without roles they may do nothing here."""
    if not user.is_authenticated or not user.is_active:
        return Actor(user.get_username() or "anonymous", source, NOWHERE)
    if user.is_superuser:
        return Actor(user.username, source, EVERYWHERE, user.pk, True, True, True, EVERYWHERE)
    view = _orgs_with(user, LICENSE_MANAGER)
    change = _orgs_with(user, ADMINISTRATOR, LICENSE_MANAGER)
    return Actor(
        user.username,
        source,
        Scope(frozenset(org_subtree(change))) if change else NOWHERE,
        user.pk,
        False,
        bool(view),
        bool(change),
        Scope(frozenset(org_subtree(view))) if view else NOWHERE,
    )


def actor_named(username: str | None, source: str) -> Actor:
    """The actor for `--as USER` (None: the system), or PlmError(permission_denied)."""
    if username is None:
        return system_actor(source)
    user = User.objects.filter(username_key=fold(username), is_active=True).first()
    if user is None:
        raise PlmError(
            c.PERMISSION_DENIED,
            f"'{username}' is not an active user: act as a user who exists (plm users list).",
        )
    return actor_for_user(user, source)


def users_in(users: QuerySet[User], scope: Scope, prefix: str = "pk") -> QuerySet:  # type: ignore[type-arg]
    """`users` (or rows reaching a user by `prefix`) limited to those `scope` covers."""
    return users.filter(scope_q(scope, prefix))


def scope_q(scope: Scope, prefix: str = "pk") -> Q:
    """Scope.covers as a Q on a user reached by `prefix` (`pk`, `user_id`, ...)."""
    if scope.orgs is None:
        return Q()
    orgs = scope.orgs
    staff_here = RoleGrant.objects.filter(role=ACADEMIC_STAFF, organization_id__in=orgs)
    staff_anywhere = RoleGrant.objects.filter(role=ACADEMIC_STAFF)
    any_role_here = RoleGrant.objects.filter(organization_id__in=orgs)
    return Q(**{f"{prefix}__in": staff_here.values("user_id")}) | (
        ~Q(**{f"{prefix}__in": staff_anywhere.values("user_id")})
        & Q(**{f"{prefix}__in": any_role_here.values("user_id")})
    )


VIEW, CHANGE, SYSADMIN = "view", "change", "sysadmin"
_NEEDS = {
    VIEW: "This needs the License Manager role (or system administrator).",
    CHANGE: "Changing licenses needs both the Administrator and the License Manager role in "
    "the same organization (or system administrator).",
    SYSADMIN: "This needs a system administrator.",
}


def allowed(actor: Actor, level: str) -> bool:
    """May `actor` use operations of `level` (view, change, sysadmin) at all?"""
    return {VIEW: actor.can_view, CHANGE: actor.can_change, SYSADMIN: actor.is_sysadmin}[level]


def require(actor: Actor, level: str) -> None:
    """PlmError(permission_denied) unless `allowed`; every use case starts here."""
    if not allowed(actor, level):
        who = "" if actor.username is None else f"'{actor.username}': "
        raise PlmError(c.PERMISSION_DENIED, who + _NEEDS[level])
