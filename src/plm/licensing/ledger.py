"""The database side of the rules: load the Ledger under lock, apply decided Changes.

Every write to assignments goes through `lock_licenses` then `apply_decisions`, inside one
transaction: the license rows are locked (SELECT ... FOR UPDATE, in primary-key order so writers
never deadlock; on SQLite the IMMEDIATE transaction is the lock), so two imports, a bulk action
and an API call are serialized on them and always decide against the current holdings.
The `license_not_oversubscribed` check constraint is the last line of defence.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import F, Q

from plm.audit.services import Event, audit_record
from plm.clock import now
from plm.core.rules import Decision, Ledger, LicenseInfo
from plm.directory.actors import Actor
from plm.directory.models import User
from plm.licensing.models import Assignment, License

_CHUNK = 500


def _info(lic: License) -> LicenseInfo:
    return LicenseInfo(lic.pk, lic.license_id, lic.seats, lic.expires)


def lock_licenses() -> tuple[list[LicenseInfo], dict[int, int]]:
    """Lock every license row (call inside a transaction); return them and their seats in use."""
    rows = list(License.objects.select_for_update().order_by("pk"))
    return [_info(lic) for lic in rows], {lic.pk: lic.assigned for lic in rows}


def read_licenses() -> tuple[list[LicenseInfo], dict[int, int]]:
    """The same without locking (dry runs)."""
    rows = list(License.objects.order_by("pk"))
    return [_info(lic) for lic in rows], {lic.pk: lic.assigned for lic in rows}


def load_holdings(ledger: Ledger, user_pks: Iterable[int]) -> None:
    """Fill `ledger.held` for the users not in it yet."""
    missing = [pk for pk in set(user_pks) if pk not in ledger.held]
    for pk in missing:
        ledger.held[pk] = set()
    for start in range(0, len(missing), _CHUNK):
        for user_id, license_id in Assignment.objects.filter(
            user_id__in=missing[start : start + _CHUNK]
        ).values_list("user_id", "license_id"):
            ledger.held[user_id].add(license_id)


@dataclass
class _Pair:
    initially_held: bool
    finally_held: bool


def apply_decisions(
    decisions: Sequence[Decision],
    *,
    actor: Actor,
    licenses: dict[int, LicenseInfo],
    import_id: int | None = None,
) -> None:
    """Write the net effect of decided rows, and one audit event per change, in row order."""
    pairs: dict[tuple[int, int], _Pair] = {}
    events: list[Event] = []
    user_pks = {ch.user_pk for d in decisions for ch in d.changes}
    if not user_pks:
        return
    usernames = dict(User.objects.filter(pk__in=user_pks).values_list("pk", "username"))
    for decision in decisions:
        for change in decision.changes:
            key = (change.user_pk, change.license_pk)
            assigning = change.op == "assign"
            pair = pairs.setdefault(key, _Pair(initially_held=not assigning, finally_held=False))
            pair.finally_held = assigning
            events.append(
                Event(
                    change.op,
                    usernames[change.user_pk],
                    licenses[change.license_pk].license_id,
                    row=decision.result.row,
                )
            )
    to_delete = [key for key, p in pairs.items() if p.initially_held]
    to_insert = [key for key, p in pairs.items() if p.finally_held]
    delta: dict[int, int] = {}
    by_license: dict[int, list[int]] = {}
    for user_pk, license_pk in to_delete:
        by_license.setdefault(license_pk, []).append(user_pk)
        delta[license_pk] = delta.get(license_pk, 0) - 1
    for license_pk, users in by_license.items():
        for start in range(0, len(users), _CHUNK):
            Assignment.objects.filter(
                Q(license_id=license_pk) & Q(user_id__in=users[start : start + _CHUNK])
            ).delete()
    at = now()
    Assignment.objects.bulk_create(
        [
            Assignment(
                user_id=u,
                license_id=lic,
                assigned_at=at,
                assigned_by=actor.name,
                source=actor.source,
                import_id=import_id,
            )
            for u, lic in to_insert
        ],
        batch_size=1000,
    )
    for _user_pk, license_pk in to_insert:
        delta[license_pk] = delta.get(license_pk, 0) + 1
    for license_pk, change in delta.items():
        if change:
            License.objects.filter(pk=license_pk).update(assigned=F("assigned") + change)
    audit_record(actor=actor.name, source=actor.source, events=events, import_id=import_id)
