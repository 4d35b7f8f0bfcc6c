"""Listing, exporting and administering users."""

from collections.abc import Iterator

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from plm.audit.services import Event, audit_record
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.people import person_header
from plm.core.rules import Scope
from plm.core.text import fold, nfc
from plm.directory.actors import EVERYWHERE, Actor, scope_q
from plm.directory.models import RoleGrant, User


def user_get(username: str) -> User:
    key = fold(username.strip())
    user = User.objects.filter(Q(username_key=key) | Q(email_key=key)).order_by("pk").first()
    if user is None:
        raise PlmError(c.USER_NOT_FOUND, f"No user has the user name or email '{username}'.")
    return user


def user_text_filter(q: str) -> Q:
    """Matches `q` in the user name, email, first or last name (ignoring case); `q` in NFC,
    as the stored names are (an accent typed or pasted from macOS matches)."""
    q = nfc(q)
    return (
        Q(username__icontains=q)
        | Q(email__icontains=q)
        | Q(first_name__icontains=q)
        | Q(last_name__icontains=q)
    )


def user_search(*, q: str | None = None, kind: str | None = None) -> QuerySet[User]:
    """Users sorted by user name; kind 'staff' = holds any role, 'student' = holds none."""
    users = User.objects.all()
    has_role = Exists(RoleGrant.objects.filter(user_id=OuterRef("pk")))
    if q:
        users = users.filter(user_text_filter(q))
    if kind == "staff":
        users = users.filter(has_role)
    elif kind == "student":
        users = users.filter(~has_role)
    return users.order_by("username_key")


def roles_by_user(user_pks: list[int]) -> dict[int, list[tuple[str, str]]]:
    roles: dict[int, list[tuple[str, str]]] = {}
    for start in range(0, len(user_pks), 1000):
        for user_id, org, role in RoleGrant.objects.filter(
            user_id__in=user_pks[start : start + 1000]
        ).values_list("user_id", "organization__name", "role"):
            roles.setdefault(user_id, []).append((org, role))
    for pairs in roles.values():
        pairs.sort(key=lambda p: (p[0].casefold(), p[1]))
    return roles


def person_rows(scope: Scope = EVERYWHERE) -> tuple[list[str], Iterator[list[str]]]:
    """person.csv: header (as many role pairs as the user with the most roles) and rows.

    Only users `scope` covers.
    """
    users = list(
        User.objects.filter(scope_q(scope))
        .order_by("username_key")
        .values_list("pk", "username", "email", "first_name", "last_name", "is_active")
    )
    roles = roles_by_user([u[0] for u in users])
    pairs = max((len(r) for r in roles.values()), default=1)

    def rows() -> Iterator[list[str]]:
        for pk, username, email, first, last, active in users:
            row = [username, email, first, last, "yes" if active else "no"]
            mine = roles.get(pk, [])
            for n in range(pairs):
                row += list(mine[n]) if n < len(mine) else ["", ""]
            yield row

    return person_header(pairs), rows()


def user_grant_sysadmin(*, actor: Actor, username: str, grant: bool = True) -> User:
    with transaction.atomic():
        user = user_get(username)
        user.is_superuser = grant
        user.save(update_fields=["is_superuser"])
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[
                Event("grant_sysadmin" if grant else "revoke_sysadmin", username=user.username)
            ],
        )
    return user


def user_set_password(*, actor: Actor, username: str, password: str) -> User:
    """Set a web login password, if Django's validators accept it (settings:
    AUTH_PASSWORD_VALIDATORS: length 12, not common, not like the user's name or email, not
    all digits); otherwise invalid_argument saying what to change."""
    with transaction.atomic():
        user = user_get(username)
        check_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[Event("set_password", username=user.username)],
        )
    return user


def check_password(password: str, user: User | None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise PlmError(c.INVALID_ARGUMENT, "Password refused: " + " ".join(exc.messages)) from None
