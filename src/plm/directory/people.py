"""Looking users up the way the license rules need them (once per batch of rows)."""

from collections.abc import Callable, Iterable, Mapping, Sequence

from django.db import connection

from plm.bulk import change_count, select_in
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


MAX_IN_MEMORY = 250_000  # users; about 125 MB of memory at the most

PeopleLookup = Callable[[Iterable[str]], Mapping[str, Sequence[Person]]]


class DirectoryInMemory:
    """`people_for_keys` for a long run of batches (an import): on SQLite, when the file has at
    least half as many rows as the directory has users (and the directory at most
    MAX_IN_MEMORY), the whole directory read once in two scans and answered from memory as
    long as it has not changed since; otherwise, and from its first change on, each batch
    looks its users up (`people_for_keys`).

    Why: looking up a batch's users by key costs about 10 µs a row (a few index descents at
    random places), a quarter of a large import; reading the whole directory in order costs
    about 5 µs a user, once. Why it stays right: triggers count every change to users' names,
    emails, active flags and role grants (migration directory 0006), and a batch reads that
    count while it holds SQLite's one write lock, so it decides against the current users, as
    a fresh look-up would. PostgreSQL has no such counter (one row that every directory writer
    updates would serialize them across hosts), so there every batch looks up.
    """

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.people: dict[str, tuple[Person, ...]] | None = None
        self.seen: tuple[object, ...] | None = None
        self.gave_up = False

    def __call__(self, keys: Iterable[str]) -> Mapping[str, Sequence[Person]]:
        if not self.gave_up and self.people is None:
            self._load()
        elif not self.gave_up and change_count("directory") != self.seen:
            self.people, self.gave_up = None, True  # changed: look up from now on
        if self.people is None:
            return people_for_keys(keys)
        everyone, nobody = self.people, ()
        return {key: everyone.get(key, nobody) for key in set(keys)}

    def _load(self) -> None:
        self.seen = change_count("directory")
        if self.seen is None:  # no count to tell a change by (PostgreSQL): look up
            self.gave_up = True
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {User._meta.db_table}")
            (users,) = cursor.fetchone()
        if self.rows * 2 < users or users > MAX_IN_MEMORY:
            self.gave_up = True
            return
        self.people = _everyone()


def _everyone() -> dict[str, tuple[Person, ...]]:
    """Every user by casefolded user name and by email, as `people_for_keys` gives them.

    One pass over users joined to their organizations, gathered by SQLite per user as text
    ("3,7"): each distinct text becomes one frozenset that every user with it shares. Kept
    small (about 500 bytes a user): rows read in chunks; a key equal to the name it folds
    shares its string; one-person tuples rather than lists."""
    orgs_of: dict[str | None, frozenset[int]] = {None: frozenset()}
    result: dict[str, tuple[Person, ...]] = {}
    sql = f"""
        SELECT u.id, u.username, u.email, u.username_key, u.email_key, u.is_active,
               g.staff, g.orgs
        FROM {User._meta.db_table} u LEFT JOIN (
            SELECT user_id,
                   group_concat(CASE WHEN role = %s THEN organization_id END) AS staff,
                   group_concat(organization_id) AS orgs
            FROM {RoleGrant._meta.db_table} GROUP BY user_id
        ) g ON g.user_id = u.id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [ACADEMIC_STAFF])
        for chunk in iter(lambda: cursor.fetchmany(10_000), []):
            for pk, username, email, username_key, email_key, active, staff, orgs in chunk:
                if staff not in orgs_of:
                    orgs_of[staff] = frozenset(map(int, staff.split(",")))
                if orgs not in orgs_of:
                    orgs_of[orgs] = frozenset(map(int, orgs.split(",")))
                person = Person(pk, username, email, bool(active), orgs_of[staff], orgs_of[orgs])
                key = username if username_key == username else username_key
                found = result.get(key)
                result[key] = (person,) if found is None else (*found, person)
                if email_key is not None and email_key != username_key:
                    key = email if email_key == email else email_key
                    found = result.get(key)
                    result[key] = (person,) if found is None else (*found, person)
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
