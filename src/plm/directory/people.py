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
    for values in found.values():
        person = people[values[0]]
        for key in {values[3], values[4]}:
            if key in result:
                result[key].append(person)
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
    staff: dict[int, set[int]] = {}
    roles: dict[int, set[int]] = {}
    for user_id, org_id, role in select_in(
        f"SELECT user_id, organization_id, role FROM {RoleGrant._meta.db_table} WHERE {{where}}",
        "user_id",
        [values[0] for values in found],
    ):
        roles.setdefault(user_id, set()).add(org_id)
        if role == ACADEMIC_STAFF:
            staff.setdefault(user_id, set()).add(org_id)
    return {
        pk: Person(
            pk,
            username,
            email,
            bool(active),
            frozenset(staff.get(pk, ())),
            frozenset(roles.get(pk, ())),
        )
        for pk, username, email, _, _, active in found
    }
