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
    users_table = User._meta.db_table
    columns = "id, username, email, username_key, email_key, is_active"
    # Two indexed look-ups, not one OR: PostgreSQL would scan the table for the OR.
    found = {
        values[0]: values
        for column in ("username_key", "email_key")
        for values in select_in(
            f"SELECT {columns} FROM {users_table} WHERE {{where}}", column, wanted
        )
    }
    people = _people(list(found.values()))
    result: dict[str, list[Person]] = {key: [] for key in wanted}
    for pk, _, _, username_key, email_key, _ in found.values():
        person = people[pk]
        if username_key in result:
            result[username_key].append(person)
        if email_key != username_key and email_key in result:
            result[email_key].append(person)
    return result


def people_by_pk(pks: Iterable[int]) -> dict[int, Person]:
    """The users with these primary keys, as the rules see them."""
    columns = "id, username, email, username_key, email_key, is_active"
    found = select_in(
        f"SELECT {columns} FROM {User._meta.db_table} WHERE {{where}}", "id", sorted(set(pks))
    )
    return _people(found)


def staff_in(orgs: Iterable[int]) -> set[int]:
    """The active users holding Academic Staff in one of `orgs`."""
    return set(
        RoleGrant.objects.filter(
            role=ACADEMIC_STAFF, organization_id__in=list(orgs), user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _people(found: list[tuple]) -> dict[int, Person]:  # type: ignore[type-arg]
    """Person for each (id, username, email, username_key, email_key, is_active) row."""
    staff: dict[int, list[int]] = {}
    roles: dict[int, list[int]] = {}
    for user_id, org_id, role in select_in(
        f"SELECT user_id, organization_id, role FROM {RoleGrant._meta.db_table} WHERE {{where}}",
        "user_id",
        [values[0] for values in found],
    ):
        # Lists here (most users hold one role), sets once per user below.
        if user_id in roles:
            roles[user_id].append(org_id)
        else:
            roles[user_id] = [org_id]
        if role == ACADEMIC_STAFF:
            if user_id in staff:
                staff[user_id].append(org_id)
            else:
                staff[user_id] = [org_id]
    none: frozenset[int] = frozenset()
    return {
        pk: Person(
            pk,
            username,
            email,
            bool(active),
            frozenset(staff[pk]) if pk in staff else none,
            frozenset(roles[pk]) if pk in roles else none,
        )
        for pk, username, email, _, _, active in found
    }
