"""Looking users up the way the license rules need them (once per batch of rows)."""

from collections.abc import Iterable

from plm.bulk import select_in
from plm.core.people import ACADEMIC_STAFF
from plm.core.rules import Person
from plm.directory.models import RoleGrant, User


def people_for_keys(keys: Iterable[str]) -> dict[str, list[Person]]:
    """For each casefolded key: the distinct users whose user name or email is that key.

    Plain SQL on indexed columns: this runs for every batch of every import.
    """
    wanted = sorted(set(keys))
    users_table, grants_table = User._meta.db_table, RoleGrant._meta.db_table
    columns = "id, username, email, username_key, email_key, is_active"
    # Two indexed look-ups, not one OR: PostgreSQL would scan the table for the OR.
    found = {
        values[0]: values
        for column in ("username_key", "email_key")
        for values in select_in(
            f"SELECT {columns} FROM {users_table} WHERE {{where}}", column, wanted
        )
    }
    staff: dict[int, set[int]] = {}
    roles: dict[int, set[int]] = {}
    for user_id, org_id, role in select_in(
        f"SELECT user_id, organization_id, role FROM {grants_table} WHERE {{where}}",
        "user_id",
        list(found),
    ):
        roles.setdefault(user_id, set()).add(org_id)
        if role == ACADEMIC_STAFF:
            staff.setdefault(user_id, set()).add(org_id)
    result: dict[str, list[Person]] = {key: [] for key in wanted}
    for pk, username, email, username_key, email_key, active in found.values():
        person = Person(
            pk,
            username,
            email,
            bool(active),
            frozenset(staff.get(pk, ())),
            frozenset(roles.get(pk, ())),
        )
        for key in {username_key, email_key}:
            if key in result:
                result[key].append(person)
    return result
