"""One-step renewal: every holder of OLD gets NEW and loses OLD in one atomic step per holder
(rows numbered 1, 2, ... in user-name order). The job runner records it like an import."""

from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.license_ids import normalize_license_id
from plm.core.rules import Decision, Rules, Scope
from plm.core.text import fold
from plm.directory.actors import scope_q
from plm.directory.people import people_for_keys
from plm.licensing.ledger import load_holdings
from plm.licensing.models import Assignment, License


def replace_check(old: str, new: str) -> tuple[str, str]:
    """The two normalized License IDs, or PlmError (same_license, license_not_found, ...)."""
    old_id, new_id = normalize_license_id(old), normalize_license_id(new)
    if old_id == new_id:
        raise PlmError(c.SAME_LICENSE, f"OLD and NEW are the same license ({old_id}).")
    found = set(
        License.objects.filter(license_id__in=[old_id, new_id]).values_list("license_id", flat=True)
    )
    for lid in (old_id, new_id):
        if lid not in found:
            raise PlmError(c.LICENSE_NOT_FOUND, f"License {lid} does not exist.")
    return old_id, new_id


def replace_holders(old_id: str, scope: Scope) -> list[str]:
    """The user-name keys of OLD's holders in `scope`, in user-name order (one row each):
    holders outside it are neither changed nor named."""
    return list(
        Assignment.objects.filter(scope_q(scope, "user_id"), license__license_id=old_id)
        .order_by("user__username_key")
        .values_list("user__username_key", flat=True)
    )


def replace_decide(
    batch: list[str], rules: Rules, done: int, *, old_id: str, new_id: str
) -> list[Decision]:
    """Decide a batch of holders (rows done+1, done+2, ...)."""
    people = people_for_keys(batch)
    persons = [next(p for p in people[k] if fold(p.username) == k) for k in batch]
    load_holdings(rules.ledger, (p.pk for p in persons))
    old_lic, new_lic = rules.by_id[old_id], rules.by_id[new_id]
    return [rules.replace(p, old_lic, new_lic, done + i + 1) for i, p in enumerate(persons)]
