"""Provisioning use cases (SCIM, docs/scim.md): users and role groups pushed by an identity
provider, and the SCIM tokens it uses. Every one needs a system administrator's permission
(as the users import does); a SCIM token acts as the system, audited as `scim:<token name>`."""

from django.db.models import QuerySet

from plm.app.policies import reconcile_after_change
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.text import fold, nfc, plain
from plm.directory import provisioning as domain
from plm.directory import scim_tokens
from plm.directory.actors import SYSADMIN, Actor, require
from plm.directory.models import RoleGrant, ScimGroup, ScimToken, User
from plm.directory.provisioning import GROUP_NOT_FOUND, UserData

__all__ = ["UserData"]


# --- users -------------------------------------------------------------------------------------


def _searchable(**values: str | None) -> None:
    """A filter's values can be looked up (no NUL, no unpaired surrogate): invalid_argument."""
    for field, value in values.items():
        if value is not None:
            plain(value, f"The filter's {field}")


def users_list(
    *,
    actor: Actor,
    user_name: str | None = None,
    external_id: str | None = None,
    email: str | None = None,
) -> QuerySet[User]:
    """Provisioned users by id; user name and e-mail match ignoring case, external id exactly."""
    require(actor, SYSADMIN)
    _searchable(userName=user_name, externalId=external_id, emails=email)
    users = domain.provisioned_users()
    if user_name is not None:
        users = users.filter(username_key=fold(user_name))
    if external_id is not None:
        users = users.filter(external_id=external_id)
    if email is not None:
        users = users.filter(email_key=fold(email))
    return users.order_by("pk")


def user_get(*, actor: Actor, pk: str | int) -> User:
    require(actor, SYSADMIN)
    user = domain.provisioned_users().filter(pk=_number(pk)).first()
    if user is None:
        raise PlmError(c.USER_NOT_FOUND, f"No provisioned user has the id {pk}.")
    return user


def user_create(*, actor: Actor, data: UserData) -> User:
    require(actor, SYSADMIN)
    user = domain.user_create(actor=actor, data=data)
    reconcile_after_change(actor=actor)
    return user


def user_replace(*, actor: Actor, pk: str | int, data: UserData) -> User:
    """PUT and PATCH: the user's provisioned fields become `data` (licenses untouched here;
    a policy may license or, when it says so, revoke: docs/policies.md)."""
    user = domain.user_update(actor=actor, user=user_get(actor=actor, pk=pk), data=data)
    reconcile_after_change(actor=actor)
    return user


def user_delete(*, actor: Actor, pk: str | int) -> User:
    """Deactivate and de-provision; licenses and roles are kept (docs/scim.md)."""
    user = domain.user_deprovision(actor=actor, user=user_get(actor=actor, pk=pk))
    reconcile_after_change(actor=actor)
    return user


def user_groups(users: list[User]) -> dict[int, list[ScimGroup]]:
    """The SCIM groups each user is a member of (their roles that a group stands for)."""
    groups = list(ScimGroup.objects.select_related("organization"))
    by_pair = {(g.organization_id, g.role): g for g in groups}
    found: dict[int, list[ScimGroup]] = {}
    if not by_pair:
        return found
    for user_id, org_id, role in RoleGrant.objects.filter(user__in=users).values_list(
        "user_id", "organization_id", "role"
    ):
        if (org_id, role) in by_pair:
            found.setdefault(user_id, []).append(by_pair[(org_id, role)])
    return found


# --- groups ------------------------------------------------------------------------------------


def groups_list(
    *, actor: Actor, display_name: str | None = None, external_id: str | None = None
) -> QuerySet[ScimGroup]:
    require(actor, SYSADMIN)
    _searchable(displayName=display_name, externalId=external_id)
    groups = ScimGroup.objects.select_related("organization")
    if display_name is not None:
        groups = groups.filter(display_name__iexact=nfc(display_name))
    if external_id is not None:
        groups = groups.filter(external_id=external_id)
    return groups.order_by("pk")


def group_get(*, actor: Actor, pk: str | int) -> ScimGroup:
    require(actor, SYSADMIN)
    group = ScimGroup.objects.select_related("organization").filter(pk=_number(pk)).first()
    if group is None:
        raise PlmError(GROUP_NOT_FOUND, f"No group has the id {pk}.")
    return group


def group_members(group: ScimGroup) -> QuerySet[User]:
    return domain.group_members(group).order_by("pk")


def group_create(
    *, actor: Actor, display_name: str, external_id: str | None = None, members: list[str]
) -> ScimGroup:
    require(actor, SYSADMIN)
    group = domain.group_create(
        actor=actor,
        display_name=display_name,
        external_id=external_id,
        member_pks=[_number(m) for m in members],
    )
    reconcile_after_change(actor=actor)
    return group


def group_update(
    *,
    actor: Actor,
    pk: str | int,
    display_name: str | None = None,
    external_id: str | bool | None = False,
    set_members: list[str] | None = None,
    add_members: list[str] | None = None,
    remove_members: list[str] | None = None,
) -> ScimGroup:
    group = group_get(actor=actor, pk=pk)

    def numbers(ids: list[str] | None) -> list[int] | None:
        return None if ids is None else [_number(i) for i in ids]

    group = domain.group_update(
        actor=actor,
        group=group,
        display_name=display_name,
        external_id=external_id,
        set_members=numbers(set_members),
        add_members=numbers(add_members),
        remove_members=numbers(remove_members),
    )
    reconcile_after_change(actor=actor)  # roles changed: who is eligible may have too
    return group


def group_delete(*, actor: Actor, pk: str | int) -> None:
    domain.group_delete(actor=actor, group=group_get(actor=actor, pk=pk))
    reconcile_after_change(actor=actor)


def _number(pk: str | int) -> int:
    """Ids are numbers; anything else names nothing (not found, never a 500)."""
    try:
        value = int(str(pk).strip())
    except ValueError:
        return -1
    return value if 0 < value < 2**62 else -1


# --- SCIM tokens -------------------------------------------------------------------------------


def scim_token_create(*, actor: Actor, name: str) -> tuple[ScimToken, str]:
    """A new SCIM token; the raw token is returned once and never stored."""
    require(actor, SYSADMIN)
    return scim_tokens.scim_token_create(actor=actor, name=name)


def scim_tokens_list(*, actor: Actor) -> QuerySet[ScimToken]:
    require(actor, SYSADMIN)
    return ScimToken.objects.order_by("pk")


def scim_token_revoke(*, actor: Actor, token_id: int) -> ScimToken:
    require(actor, SYSADMIN)
    return scim_tokens.scim_token_revoke(actor=actor, token_id=token_id)


scim_token_actor = scim_tokens.scim_token_actor
scim_token_as_dict = scim_tokens.scim_token_as_dict
