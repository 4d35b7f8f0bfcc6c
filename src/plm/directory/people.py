"""Looking users up the way the license rules need them."""

from collections.abc import Iterable

from django.db.models import Q

from plm.core.people import ACADEMIC_STAFF
from plm.core.rules import Person
from plm.directory.models import RoleGrant, User

_LOOKUP_CHUNK = 500


def people_for_keys(keys: Iterable[str]) -> dict[str, list[Person]]:
    """For each casefolded key: the distinct users whose user name or email is that key."""
    wanted = sorted(set(keys))
    found: dict[int, tuple[int, str, str, str, str | None, bool]] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        for values in User.objects.filter(
            Q(username_key__in=chunk) | Q(email_key__in=chunk)
        ).values_list("pk", "username", "email", "username_key", "email_key", "is_active"):
            found[values[0]] = values
    staff: dict[int, set[int]] = {}
    roles: dict[int, set[int]] = {}
    pks = list(found)
    for start in range(0, len(pks), _LOOKUP_CHUNK):
        for user_id, org_id, role in RoleGrant.objects.filter(
            user_id__in=pks[start : start + _LOOKUP_CHUNK]
        ).values_list("user_id", "organization_id", "role"):
            roles.setdefault(user_id, set()).add(org_id)
            if role == ACADEMIC_STAFF:
                staff.setdefault(user_id, set()).add(org_id)
    result: dict[str, list[Person]] = {key: [] for key in wanted}
    for pk, username, email, username_key, email_key, active in found.values():
        person = Person(
            pk, username, email, active, frozenset(staff.get(pk, ())), frozenset(roles.get(pk, ()))
        )
        for key in {username_key, email_key}:
            if key in result:
                result[key].append(person)
    return result
