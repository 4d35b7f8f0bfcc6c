"""User and organization use cases: listings in the actor's view scope, one user, person.csv
export, system administrator flag, password, organizations."""

from collections.abc import Iterator

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.text import fold
from plm.directory import orgs
from plm.directory import users as store
from plm.directory.actors import SYSADMIN, VIEW, Actor, require, users_in
from plm.directory.models import Organization, RoleGrant, User
from plm.licensing.models import Assignment

KINDS = ("staff", "student")


def users_list(
    *,
    actor: Actor,
    q: str | None = None,
    kind: str | None = None,
    organization: str | None = None,
    org_pk: int | None = None,
    licensed: bool | None = None,
    active: bool | None = None,
) -> QuerySet[User]:
    """Users in the actor's view scope, by user name. kind: staff (any role) or student (none);
    organization: by name, org_pk: by number; licensed: holds a license or not."""
    require(actor, VIEW)
    if kind not in (None, "", *KINDS):
        raise PlmError(c.INVALID_ARGUMENT, f"kind must be staff or student, not {kind!r}.")
    # Conditions as EXISTS, not joins or a role count: no GROUP BY or DISTINCT over every user,
    # so a page is read in user-name order from its index and the count stays cheap at size.
    users = users_in(User.objects.all(), actor.view_scope)
    if q:
        users = users.filter(store.user_text_filter(q))
    if kind == "staff":
        users = users.filter(_has(RoleGrant))
    elif kind == "student":
        users = users.filter(~_has(RoleGrant))
    if active is not None:
        users = users.filter(is_active=active)
    if organization:
        users = users.filter(_has(RoleGrant, organization__name_key=fold(organization)))
    if org_pk is not None:
        users = users.filter(_has(RoleGrant, organization_id=org_pk))
    if licensed is not None:
        users = users.filter(_has(Assignment) if licensed else ~_has(Assignment))
    return users.order_by("username_key")


def users_count(
    *,
    actor: Actor,
    q: str | None = None,
    kind: str | None = None,
    org_pk: int | None = None,
    active: bool | None = None,
) -> int:
    """How many users `users_list` gives for these arguments, exactly.

    The Users page's own view (active staff or active students, no search, no organization)
    for an actor who sees everyone is counted from the role grants instead of testing every
    user for a role: the users with a role, less the inactive ones with a role (the inactive
    are few, and indexed). With 100,000 users that is one pass over the role grants' user
    index instead of a test per user. Anything else counts the list itself."""
    found = users_list(actor=actor, q=q, kind=kind, org_pk=org_pk, active=active)
    if q or org_pk is not None or active is not True or actor.view_scope.orgs is not None:
        return found.count()
    if kind not in ("staff", "student"):
        return found.count()
    inactive = User.objects.filter(is_active=False)

    def holders(grants: QuerySet[RoleGrant]) -> int:
        return int(grants.aggregate(n=Count("user_id", distinct=True))["n"])

    staff = holders(RoleGrant.objects.all()) - holders(
        RoleGrant.objects.filter(user_id__in=inactive.values("pk"))
    )
    if kind == "staff":
        return staff
    return User.objects.count() - inactive.count() - staff


def _has(model, **conditions) -> Exists:  # type: ignore[no-untyped-def]
    """EXISTS a row of `model` (a role grant, an assignment) of the outer user, with
    `conditions`."""
    return Exists(model.objects.filter(user_id=OuterRef("pk"), **conditions))


def user_show(*, actor: Actor, username: str | None = None, pk: int | None = None) -> User:
    """One user in the actor's view scope, by user name or email (or number): user_not_found
    otherwise, whether they do not exist or are out of scope."""
    require(actor, VIEW)
    users = users_in(User.objects.all(), actor.view_scope)
    if pk is not None:
        user = users.filter(pk=pk).first()
    else:
        key = fold((username or "").strip())
        user = users.filter(Q(username_key=key) | Q(email_key=key)).order_by("pk").first()
    if user is None:
        raise PlmError(
            c.USER_NOT_FOUND, f"No user you can see has the user name or email '{username or pk}'."
        )
    return user


def users_as_dicts(users: QuerySet[User]) -> list[dict[str, object]]:
    rows = list(
        users.values(
            "pk", "username", "email", "first_name", "last_name", "is_active", "is_superuser"
        )
    )
    roles = store.roles_by_user([r["pk"] for r in rows])
    licenses: dict[int, list[str]] = {}

    for user_id, license_id in Assignment.objects.filter(
        user_id__in=[r["pk"] for r in rows]
    ).values_list("user_id", "license__license_id"):
        licenses.setdefault(user_id, []).append(license_id)
    return [
        {
            "username": r["username"],
            "email": r["email"],
            "first_name": r["first_name"],
            "last_name": r["last_name"],
            "active": r["is_active"],
            "sysadmin": r["is_superuser"],
            "kind": "staff" if roles.get(r["pk"]) else "student",
            "roles": [{"organization": o, "role": role} for o, role in roles.get(r["pk"], [])],
            "licenses": sorted(licenses.get(r["pk"], [])),
        }
        for r in rows
    ]


def user_roles(user: User) -> QuerySet[RoleGrant]:
    return (
        RoleGrant.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "role")
    )


def user_assignments(user: User) -> QuerySet[Assignment]:
    return user.assignments.select_related("license").order_by("license__license_id")  # type: ignore[attr-defined,no-any-return]


def roles_and_licenses(user_pks: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """For listed users: 'Role @ Organization' strings and License IDs, by user pk."""
    licenses: dict[int, list[str]] = {}
    for user_id, lid in (
        Assignment.objects.filter(user_id__in=user_pks)
        .values_list("user_id", "license__license_id")
        .order_by("license__license_id")
    ):
        licenses.setdefault(user_id, []).append(lid)
    roles: dict[int, list[str]] = {}
    for user_id, org_name, role in (
        RoleGrant.objects.filter(user_id__in=user_pks)
        .values_list("user_id", "organization__name", "role")
        .order_by("organization__name", "role")
    ):
        roles.setdefault(user_id, []).append(f"{role} @ {org_name}")
    return roles, licenses


def users_export(*, actor: Actor) -> tuple[list[str], Iterator[list[str]]]:
    """person.csv (header and rows) for the users in the actor's view scope."""
    require(actor, VIEW)
    return store.person_rows(actor.view_scope)


def user_grant_sysadmin(*, actor: Actor, username: str, grant: bool = True) -> User:
    require(actor, SYSADMIN)
    return store.user_grant_sysadmin(actor=actor, username=username, grant=grant)


def user_set_password(*, actor: Actor, username: str, password: str) -> User:
    require(actor, SYSADMIN)
    return store.user_set_password(actor=actor, username=username, password=password)


def organizations(*, actor: Actor) -> list[dict[str, object]]:
    require(actor, VIEW)
    return orgs.org_list()


def organization_choices(*, actor: Actor) -> QuerySet[Organization]:
    require(actor, VIEW)
    return Organization.objects.order_by("name_key")


def organization_add(*, actor: Actor, name: str, parent: str | None = None) -> Organization:
    require(actor, SYSADMIN)
    return orgs.org_add(actor=actor, name=name, parent=parent)
