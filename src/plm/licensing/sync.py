"""Sync mode: the file's assign rows are the complete list of who holds each license they name.

Every current holder of such a license whom no assign row names (whatever that row's outcome)
is revoked first, so the freed seats serve the file's rows; these revocations come first in
the results (`row` null, action `revoke`, applied `revoked_by_sync`), by License ID then user
name. Holders outside a scoped actor's scope are neither changed nor named, nor counted. If
the revocations would exceed the threshold (percent of those licenses' holders in scope),
nothing is applied:
status `refused`, error `change_threshold_exceeded`, the results showing what would happen.
"""

from collections.abc import Iterable

from plm.core import codes as c
from plm.core.codes import Outcome, PlmError
from plm.core.license_ids import normalize_license_id
from plm.core.results import RowResult
from plm.core.rules import Change, Decision, Ledger, Person, RawRow
from plm.core.text import fold
from plm.directory.actors import Actor
from plm.directory.people import people_for_keys
from plm.licensing.ledger import load_holdings
from plm.licensing.models import Assignment, License


def named_holders(rows: Iterable[RawRow]) -> dict[str, set[int]]:
    """License ID -> the users (pks) its assign rows name (unknown or ambiguous names: none)."""
    keys: dict[str, set[str]] = {}
    for raw in rows:
        if raw.action.strip().casefold() != "assign" or not raw.username:
            continue
        try:
            license_id = normalize_license_id(raw.license_id)
        except PlmError:
            continue
        keys.setdefault(license_id, set()).add(fold(raw.username))
    everyone = sorted({k for ks in keys.values() for k in ks})
    people = {}
    for start in range(0, len(everyone), 1000):
        people.update(people_for_keys(everyone[start : start + 1000]))
    return {
        lid: {people[k][0].pk for k in ks if len(people.get(k, [])) == 1}
        for lid, ks in keys.items()
    }


def sync_revocations(named: dict[str, set[int]], actor: Actor) -> tuple[list[Decision], int]:
    """The revocations sync makes, and the number of current holders of the named licenses in
    the actor's scope (the threshold's base)."""
    licenses = {lic.license_id: lic for lic in License.objects.filter(license_id__in=list(named))}
    holders = list(
        Assignment.objects.filter(license__in=licenses.values()).values_list(
            "license__license_id", "user_id", "user__username_key"
        )
    )
    keys = sorted({key for _, _, key in holders})
    people: dict[int, Person] = {}
    for start in range(0, len(keys), 1000):
        for found in people_for_keys(keys[start : start + 1000]).values():
            for person in found:
                people[person.pk] = person
    decisions = []
    in_scope = 0
    for license_id, user_pk, _ in sorted(holders, key=lambda h: (h[0], h[2])):
        person, lic = people[user_pk], licenses[license_id]
        if not actor.scope.covers(person):
            continue  # not the actor's to change, nor to see: left alone, unnamed
        in_scope += 1
        if user_pk in named[license_id]:
            continue
        raw = RawRow(None, person.username, "revoke", license_id)
        decisions.append(
            Decision(
                RowResult(
                    raw.row,
                    raw.username,
                    "revoke",
                    license_id,
                    Outcome.APPLIED,
                    c.REVOKED_BY_SYNC,
                    f"Revoked {license_id} from '{person.username}': not on the sync file.",
                ),
                (Change("revoke", user_pk, lic.pk, person.username, license_id),),
            )
        )
    return decisions, in_scope


def threshold_error(decisions: list[Decision], holders: int, percent: int) -> PlmError | None:
    revoking = sum(1 for d in decisions if d.changes)
    if holders and revoking * 100 > percent * holders:
        return PlmError(
            c.CHANGE_THRESHOLD_EXCEEDED,
            f"Sync would revoke {revoking} of the {holders} current holders of the "
            f"licenses in the file ({revoking * 100 // holders}%), more than the "
            f"{percent}% allowed: nothing was applied. Check the file is complete, "
            "or raise --max-revoke-percent.",
        )
    return None


def simulate_revocations(decisions: list[Decision], ledger: Ledger) -> None:
    """Make a dry run's ledger see the revocations."""
    load_holdings(ledger, (ch.user_pk for d in decisions for ch in d.changes))
    for d in decisions:
        for ch in d.changes:
            ledger.held[ch.user_pk].discard(ch.license_pk)
            ledger.used[ch.license_pk] = ledger.used.get(ch.license_pk, 0) - 1
