"""Provisioning users and role groups from an identity provider (the SCIM face, docs/scim.md).

The same rules as the users import: a user is keyed by user name (and e-mail, when given, is
unique); deactivating or de-provisioning a user, or taking a role away, never touches their
licenses (an administrator revokes them, as after an import); every change is audited.

A group is one (organization, role) pair named `<Organization>/<Role>`; its members are the
users holding that role in that organization (RoleGrant stays the one record of roles). An
unknown organization or role is refused, never guessed.
"""

import re
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from plm.audit.services import Event, audit_record
from plm.clock import now
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.people import MAX_LENGTHS, ROLES
from plm.core.text import fold, plain
from plm.directory.actors import Actor
from plm.directory.models import Organization, RoleGrant, ScimGroup, User

USER_EXISTS = "user_exists"
GROUP_EXISTS = "group_exists"
GROUP_NOT_FOUND = "group_not_found"
UNKNOWN_MEMBER = "unknown_member"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")  # as the users import (core.people)


@dataclass(frozen=True)
class UserData:
    """What an identity provider says about a user (None: not given)."""

    user_name: str
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    active: bool = True
    external_id: str | None = None


def provisioned_users() -> QuerySet[User]:
    """The users provisioning sees: every user not taken out of it by a DELETE."""
    return User.objects.filter(deprovisioned_at__isnull=True)


def _plain(data: UserData) -> None:
    """No control characters (NUL, tab, ...) or unpaired surrogates in what provisioning stores:
    checked before any look-up, as PostgreSQL refuses a NUL even in a query."""
    for label, value in (
        ("userName", data.user_name),
        ("emails.value", data.email),
        ("name.givenName", data.given_name),
        ("name.familyName", data.family_name),
        ("externalId", data.external_id or ""),
    ):
        plain(value, label)


def _check(data: UserData, user: User | None) -> UserData:
    name = data.user_name.strip()
    if not name:
        raise PlmError(c.MISSING_USERNAME, "userName is required.")
    email = data.email.strip()
    for label, value, limit in (
        ("userName", name, MAX_LENGTHS["User-Name"]),
        ("emails.value", email, MAX_LENGTHS["Email"]),
        ("name.givenName", data.given_name, MAX_LENGTHS["First-Name"]),
        ("name.familyName", data.family_name, MAX_LENGTHS["Last-Name"]),
        ("externalId", data.external_id or "", 255),
    ):
        if len(value.casefold()) > limit:
            raise PlmError(c.VALUE_TOO_LONG, f"{label} is longer than {limit} characters.")
    if email and not _EMAIL.match(email):
        raise PlmError(c.INVALID_EMAIL, f"'{email}' is not an e-mail address (name@domain).")
    others = User.objects.exclude(pk=user.pk) if user else User.objects.all()
    if (
        fold(name) != (user.username_key if user else None)
        and others.filter(username_key=fold(name)).exists()
    ):
        raise PlmError(USER_EXISTS, f"A user named '{name}' exists already.")
    if email and others.filter(email_key=fold(email)).exists():
        raise PlmError(
            c.EMAIL_CONFLICT, f"E-mail '{email}' belongs to another user: each email is one user."
        )
    if (
        user is not None
        and user.is_superuser
        and (fold(name) != user.username_key or (fold(email) or None) != user.email_key)
    ):
        # Single sign-on matches people by user name and e-mail: provisioning renaming a system
        # administrator would hand their access to whoever the IdP gives that name.
        raise PlmError(
            c.PERMISSION_DENIED,
            f"'{user.username}' is a system administrator: provisioning never changes their user "
            "name or e-mail (change them with plm, or take the flag away first).",
        )
    if user is not None and user.is_superuser and user.is_active and not data.active:
        raise PlmError(
            c.PERMISSION_DENIED,
            f"'{user.username}' is a system administrator: provisioning never deactivates one "
            "(break-glass access); take the flag away first (plm users sysadmin --revoke).",
        )
    return UserData(name, data.given_name, data.family_name, email, data.active, data.external_id)


def _detail(user: User) -> str:
    return (
        f"email={user.email!r} active={user.is_active} "
        f"name={user.first_name!r} {user.last_name!r} externalId={user.external_id!r}"
    )


def _store(user: User, data: UserData) -> None:
    user.username = data.user_name
    user.first_name = data.given_name
    user.last_name = data.family_name
    user.email = data.email
    user.is_active = data.active
    user.external_id = data.external_id


def user_create(*, actor: Actor, data: UserData) -> User:
    """A new user (no password: they sign in with the identity provider), or a de-provisioned
    user with this user name brought back into provisioning."""
    _plain(data)
    with transaction.atomic():
        returning = User.objects.filter(
            username_key=fold(data.user_name.strip()), deprovisioned_at__isnull=False
        ).first()
        data = _check(data, returning)
        if returning is not None:
            user = returning
            user.deprovisioned_at = None
            action = "user_reprovision"
        else:
            user = User(password=make_password(None))
            action = "user_create"
        _store(user, data)
        _save(user)
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[Event(action, user.username, detail=_detail(user))],
        )
    return user


def _save(user: User) -> None:
    """Save; a concurrent request that took the same user name or e-mail first is a conflict."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise PlmError(
            USER_EXISTS, f"Another user has the user name '{user.username}' or this e-mail."
        ) from None


def user_update(*, actor: Actor, user: User, data: UserData) -> User:
    """Replace what provisioning manages of a user (names, e-mail, active, external id).
    Deactivating keeps the user's licenses and roles."""
    _plain(data)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _detail(user), user.username
        data = _check(data, user)
        _store(user, data)
        if (_detail(user), user.username) == before:
            return user
        _save(user)
        events = [Event("user_update", user.username, detail=_detail(user))]
        if before[1] != user.username:
            events.append(Event("user_rename", user.username, detail=f"was {before[1]!r}"))
        audit_record(actor=actor.name, source=actor.source, events=events)
    return user


def user_deprovision(*, actor: Actor, user: User) -> User:
    """DELETE: the user is deactivated and leaves provisioning; their licenses, roles and
    history stay (PLM is the system of record for assignments)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_superuser:
            raise PlmError(
                c.PERMISSION_DENIED,
                f"'{user.username}' is a system administrator: provisioning never removes one.",
            )
        user.is_active = False
        user.deprovisioned_at = now()
        user.save(update_fields=["is_active", "deprovisioned_at"])
        held = user.assignments.count()  # type: ignore[attr-defined]
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[
                Event(
                    "user_deprovision",
                    user.username,
                    detail=f"deactivated; {held} license(s) and its roles kept",
                )
            ],
        )
    return user


# --- groups: (organization, role) -------------------------------------------------------------


def parse_group_name(display_name: str) -> tuple[Organization, str]:
    """`<Organization>/<Role>` -> (organization, role); organization names match ignoring case,
    roles ignoring case (a role may itself contain '/', as A/V Technician)."""
    text = display_name.strip()
    for role in sorted(ROLES, key=len, reverse=True):
        suffix = "/" + role
        if fold(text).endswith(fold(suffix)):
            org_name = text[: -len(suffix)].strip()
            org = Organization.objects.filter(name_key=fold(org_name)).first()
            if org is None:
                raise PlmError(
                    c.ORG_NOT_FOUND,
                    f"Group '{display_name}': no organization is named '{org_name}'. Add it "
                    "first (plm orgs add) or rename the group `<Organization>/<Role>`.",
                )
            return org, role
    raise PlmError(
        c.INVALID_ROLE,
        f"Group '{display_name}' does not end in a role: name groups `<Organization>/<Role>` "
        f"with a role among {', '.join(ROLES)}.",
    )


def group_members(group: ScimGroup) -> QuerySet[User]:
    return provisioned_users().filter(
        roles__organization=group.organization, roles__role=group.role
    )


def _grant(actor: Actor, group: ScimGroup, users: list[User]) -> None:
    have = set(
        RoleGrant.objects.filter(
            organization=group.organization, role=group.role, user__in=users
        ).values_list("user_id", flat=True)
    )
    new = [u for u in users if u.pk not in have]
    RoleGrant.objects.bulk_create(
        [RoleGrant(user=u, organization=group.organization, role=group.role) for u in new]
    )
    _audit_roles(actor, "role_add", group, new)


def _ungrant(actor: Actor, group: ScimGroup, users: list[User]) -> None:
    """Take the role away; licenses are kept until an administrator revokes them."""
    grants = RoleGrant.objects.filter(
        organization=group.organization, role=group.role, user__in=users
    )
    gone = list(User.objects.filter(pk__in=grants.values("user_id")))
    grants.delete()
    _audit_roles(actor, "role_remove", group, gone)


def _audit_roles(actor: Actor, action: str, group: ScimGroup, users: list[User]) -> None:
    if users:
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[
                Event(action, u.username, detail=f"{group.role} @ {group.organization.name}")
                for u in users
            ],
        )


def _members(pks: list[int]) -> list[User]:
    users = list(provisioned_users().filter(pk__in=set(pks)))
    missing = set(pks) - {u.pk for u in users}
    if missing:
        raise PlmError(
            UNKNOWN_MEMBER,
            f"No provisioned user has the id {', '.join(map(str, sorted(missing)))}: "
            "members must be users provisioned first.",
        )
    return users


def _group_text(display_name: str | None, external_id: str | bool | None) -> None:
    """displayName and externalId as they can be stored (invalid_argument, value_too_long):
    checked before any look-up, as PostgreSQL refuses a NUL even in a query."""
    if display_name is not None:
        plain(display_name.strip(), "displayName", limit=_GROUP_NAME_LENGTH)
    if isinstance(external_id, str):
        plain(external_id, "externalId", limit=_EXTERNAL_ID_LENGTH)


_GROUP_NAME_LENGTH = ScimGroup._meta.get_field("display_name").max_length
_EXTERNAL_ID_LENGTH = ScimGroup._meta.get_field("external_id").max_length


def group_create(
    *, actor: Actor, display_name: str, external_id: str | None, member_pks: list[int]
) -> ScimGroup:
    _group_text(display_name, external_id)
    with transaction.atomic():
        org, role = parse_group_name(display_name)
        exists = PlmError(GROUP_EXISTS, f"A group for {role} @ {org.name} exists already.")
        if ScimGroup.objects.filter(organization=org, role=role).exists():
            raise exists
        try:
            with transaction.atomic():
                group = ScimGroup.objects.create(
                    display_name=display_name.strip(),
                    external_id=external_id,
                    organization=org,
                    role=role,
                    created_at=now(),
                )
        except IntegrityError:
            raise exists from None
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[Event("group_create", detail=f"{display_name!r} = {role} @ {org.name}")],
        )
        _grant(actor, group, _members(member_pks))
    return group


def group_update(
    *,
    actor: Actor,
    group: ScimGroup,
    display_name: str | None = None,
    external_id: str | bool | None = False,
    set_members: list[int] | None = None,
    add_members: list[int] | None = None,
    remove_members: list[int] | None = None,
) -> ScimGroup:
    """Rename (to a name for the same organization and role), set the external id (False: leave
    it), replace or add or remove members. Removing a member takes the role away; licenses are
    kept."""
    _group_text(display_name, external_id)
    with transaction.atomic():
        group = (
            ScimGroup.objects.select_for_update().select_related("organization").get(pk=group.pk)
        )
        was = (group.display_name, group.external_id)
        if display_name is not None and display_name.strip() != group.display_name:
            org, role = parse_group_name(display_name)
            if (org.pk, role) != (group.organization_id, group.role):
                raise PlmError(
                    c.INVALID_ARGUMENT,
                    f"Renaming group '{group.display_name}' to '{display_name}' would change "
                    "its organization or role: create a new group instead.",
                )
            group.display_name = display_name.strip()
        if external_id is not False:
            group.external_id = external_id or None
        changed = [
            f"{label} {before!r} -> {after!r}"
            for label, before, after in (
                ("displayName", was[0], group.display_name),
                ("externalId", was[1], group.external_id),
            )
            if before != after
        ]
        if changed:
            group.save()
            audit_record(
                actor=actor.name,
                source=actor.source,
                events=[Event("group_update", detail="; ".join(changed))],
            )
        if set_members is not None:
            wanted = _members(set_members)
            current = list(group_members(group))
            _ungrant(actor, group, [u for u in current if u.pk not in set(set_members)])
            _grant(actor, group, wanted)
        if add_members:
            _grant(actor, group, _members(add_members))
        if remove_members:
            _ungrant(actor, group, list(provisioned_users().filter(pk__in=remove_members)))
    return group


def group_delete(*, actor: Actor, group: ScimGroup) -> None:
    """The group goes and its members lose the role (their licenses are kept)."""
    with transaction.atomic():
        _ungrant(actor, group, list(group_members(group)))
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[
                Event(
                    "group_delete",
                    detail=f"{group.display_name!r} = {group.role} @ {group.organization.name}",
                )
            ],
        )
        group.delete()
