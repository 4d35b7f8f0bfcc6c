"""Who is acting: the system (CLI without --as) or a user, and the scope their roles give."""

from dataclasses import dataclass

from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.people import ADMINISTRATOR, LICENSE_MANAGER
from plm.core.rules import Scope
from plm.directory.models import RoleGrant, User
from plm.directory.orgs import org_subtree

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The acting party of a change; `name` is what the audit log records."""

    name: str
    source: str
    scope: Scope
    user_pk: int | None = None


def system_actor(source: str = "cli") -> Actor:
    return Actor(SYSTEM, source, Scope(None))


def manager_orgs(user: User) -> set[int]:
    """Organizations where the user holds both Administrator and License Manager."""
    by_org: dict[int, set[str]] = {}
    for org_id, role in RoleGrant.objects.filter(
        user=user, role__in=[ADMINISTRATOR, LICENSE_MANAGER]
    ).values_list("organization_id", "role"):
        by_org.setdefault(org_id, set()).add(role)
    return {org for org, roles in by_org.items() if roles == {ADMINISTRATOR, LICENSE_MANAGER}}


def license_actor(username: str | None, source: str) -> Actor:
    """The actor allowed to change assignments, or PlmError(permission_denied)."""
    if username is None:
        return system_actor(source)
    user = User.objects.filter(username_key=username.casefold()).first()
    denied = PlmError(
        c.PERMISSION_DENIED,
        f"'{username}' may not change license assignments: that needs a system administrator, "
        "or Administrator and License Manager roles in the same organization.",
    )
    if user is None or not user.is_active:
        raise denied
    if user.is_superuser:
        return Actor(user.username, source, Scope(None), user.pk)
    orgs = manager_orgs(user)
    if not orgs:
        raise denied
    return Actor(user.username, source, Scope(frozenset(org_subtree(orgs))), user.pk)


def sysadmin_actor(username: str | None, source: str) -> Actor:
    """The actor for users imports and license changes: system administrators only."""
    if username is None:
        return system_actor(source)
    user = User.objects.filter(username_key=username.casefold(), is_active=True).first()
    if user is None or not user.is_superuser:
        raise PlmError(c.PERMISSION_DENIED, f"'{username}' is not a system administrator.")
    return Actor(user.username, source, Scope(None), user.pk)
