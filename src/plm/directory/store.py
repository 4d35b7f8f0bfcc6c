"""Bulk reads and writes of users and roles for the users import (plain SQL per batch)."""

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection

from plm.bulk import bulk_insert, db_datetime, in_list, select_in
from plm.core.people import PersonState
from plm.core.text import fold
from plm.directory.models import RoleGrant, User

USERS = User._meta.db_table
GRANTS = RoleGrant._meta.db_table
_CHUNK = 1000


def user_states(keys: Sequence[str], org_names: dict[int, str]) -> dict[str, PersonState]:
    """Stored users by user-name key, with their roles as (organization name, role)."""
    users = select_in(
        f"SELECT id, username, username_key, email, first_name, last_name, is_active "
        f"FROM {USERS} WHERE {{where}}",
        "username_key",
        keys,
    )
    roles: dict[int, set[tuple[str, str]]] = {}
    for user_id, org_id, role in select_in(
        f"SELECT user_id, organization_id, role FROM {GRANTS} WHERE {{where}}",
        "user_id",
        [u[0] for u in users],
    ):
        roles.setdefault(user_id, set()).add((org_names[org_id], role))
    return {
        key: PersonState(
            pk, username, email, first, last, bool(active), frozenset(roles.get(pk, ()))
        )
        for pk, username, key, email, first, last, active in users
    }


def email_owners(emails: Sequence[str]) -> dict[str, str]:
    """E-mail key -> the user-name key of the user who has it."""
    return dict(
        select_in(
            f"SELECT email_key, username_key FROM {USERS} WHERE {{where}}", "email_key", emails
        )
    )


def unusable_passwords(count: int) -> list[str]:
    """What make_password(None) stores (no login until a password is set), for `count` users,
    from one call to the system's random source instead of one per user."""
    pool = secrets.token_hex(20 * count)
    return [UNUSABLE_PASSWORD_PREFIX + pool[i : i + 40] for i in range(0, 40 * count, 40)]


def write_users(
    final: dict[str, PersonState],
    moved_emails: Iterable[str],
    org_pks: dict[str, int],
    at: datetime,
) -> dict[str, int]:
    """Store a batch's final user states and their role sets; return user-name key -> pk."""
    updates = {key: st for key, st in final.items() if st.pk is not None}
    creates = {key: st for key, st in final.items() if st.pk is None}
    with connection.cursor() as cursor:
        # Emails may move between users inside one batch: clear the moving ones first so no
        # intermediate state breaks the unique index (PostgreSQL checks it row by row).
        moved = [(updates[key].pk,) for key in moved_emails if key in updates]
        if moved:
            cursor.executemany(f"UPDATE {USERS} SET email_key = NULL WHERE id = %s", moved)
        if updates:
            cursor.executemany(
                f"UPDATE {USERS} SET email = %s, email_key = %s, first_name = %s, "
                "last_name = %s, is_active = %s WHERE id = %s",
                [
                    (
                        st.email,
                        fold(st.email) or None,
                        st.first_name,
                        st.last_name,
                        st.active,
                        st.pk,
                    )
                    for st in updates.values()
                ],
            )
        updated = [st.pk for st in updates.values()]
        for start in range(0, len(updated), _CHUNK):
            where, params = in_list("user_id", updated[start : start + _CHUNK])
            cursor.execute(f"DELETE FROM {GRANTS} WHERE {where}", params)
    stamp = db_datetime(at)
    bulk_insert(
        User,
        (
            "username",
            "username_key",
            "email",
            "email_key",
            "first_name",
            "last_name",
            "is_active",
            "password",
            "is_superuser",
            "created_at",
        ),
        (
            (
                st.username,
                key,
                st.email,
                fold(st.email) or None,
                st.first_name,
                st.last_name,
                st.active,
                password,
                False,
                stamp,
            )
            for (key, st), password in zip(
                creates.items(), unusable_passwords(len(creates)), strict=True
            )
        ),
    )
    pks: dict[str, int] = {key: st.pk for key, st in updates.items() if st.pk is not None}
    pks.update(
        select_in(
            f"SELECT username_key, id FROM {USERS} WHERE {{where}}", "username_key", list(creates)
        )
    )
    bulk_insert(
        RoleGrant,
        ("user", "organization", "role"),
        (
            (pks[key], org_pks[fold(org)], role)
            for key, st in final.items()
            for org, role in sorted(st.roles)
        ),
    )
    return pks
