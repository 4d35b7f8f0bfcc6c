"""Who may see and do what (the permission table of docs/web.md), for web and API alike.

Scope = the organizations where the user holds the role(s), and everything below them.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from plm.core.people import ADMINISTRATOR, LICENSE_MANAGER
from plm.directory.actors import manager_orgs
from plm.directory.models import RoleGrant, User
from plm.directory.orgs import org_subtree


@dataclass(frozen=True)
class Access:
    """What one signed-in user may do; `orgs` None means every organization."""

    can_view: bool
    can_change: bool
    is_sysadmin: bool
    view_orgs: frozenset[int] | None
    change_orgs: frozenset[int] | None

    def users_in_view(self, users: QuerySet[User]) -> QuerySet[User]:
        """Users visible in scope: those holding a role in a scope organization."""
        if self.view_orgs is None:
            return users
        return users.filter(
            pk__in=RoleGrant.objects.filter(organization_id__in=self.view_orgs).values("user_id")
        )


NO_ACCESS = Access(False, False, False, frozenset(), frozenset())


def access_for(user: User) -> Access:
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    if user.is_superuser:
        return Access(True, True, True, None, None)
    lm_orgs = set(
        RoleGrant.objects.filter(user=user, role=LICENSE_MANAGER).values_list(
            "organization_id", flat=True
        )
    )
    if not lm_orgs:
        return NO_ACCESS
    change = manager_orgs(user)
    return Access(
        can_view=True,
        can_change=bool(change),
        is_sysadmin=False,
        view_orgs=frozenset(org_subtree(lm_orgs)),
        change_orgs=frozenset(org_subtree(change)) if change else frozenset(),
    )


def scope_filter(prefix: str, orgs: frozenset[int] | None) -> Q:
    """A Q keeping rows whose user (reached by `prefix`) holds a role in `orgs`."""
    if orgs is None:
        return Q()
    return Q(
        **{f"{prefix}__in": RoleGrant.objects.filter(organization_id__in=orgs).values("user_id")}
    )


__all__ = ["ADMINISTRATOR", "NO_ACCESS", "Access", "access_for", "scope_filter"]
