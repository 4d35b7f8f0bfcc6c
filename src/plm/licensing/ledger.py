"""The database side of the rules: load the Ledger under lock, apply decided Changes.

Every write to assignments goes through `lock_licenses` then `apply_decisions`, inside one
transaction: the license rows are locked (SELECT ... FOR UPDATE, in primary-key order so writers
never deadlock; on SQLite the IMMEDIATE transaction is the lock), so two imports, a bulk action
and an API call are serialized on them and always decide against the current holdings.
The `license_not_oversubscribed` check constraint is the last line of defence.

Statements here are plain SQL through Django's connection: they run for every batch of rows.
"""

from collections.abc import Iterable, Sequence

from django.db import connection

from plm.audit.services import Event, audit_record
from plm.bulk import bulk_insert, change_count, db_datetime, select_in
from plm.clock import now
from plm.core.rules import Decision, Ledger, LicenseInfo
from plm.directory.actors import Actor
from plm.licensing.models import Assignment, License

_CHUNK = 500
ASSIGNMENTS = Assignment._meta.db_table
LICENSES = License._meta.db_table


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
    missing = sorted({pk for pk in user_pks if pk not in ledger.held})
    for pk in missing:
        ledger.held[pk] = set()
    for user_id, license_id in select_in(
        f"SELECT user_id, license_id FROM {ASSIGNMENTS} WHERE {{where}}", "user_id", missing
    ):
        ledger.held[user_id].add(license_id)


class HoldingsInMemory:
    """The holdings a run's earlier batches read (and changed), kept for its next batch while
    nobody else has changed an assignment in between: on SQLite, the `assignments` change
    count (triggers, migration licensing 0004) is still what this run's own last batch left.
    Otherwise, and on PostgreSQL (no count), every batch reads its users' holdings afresh.
    Saves reading the same users' holdings batch after batch (a large file names each user
    many times)."""

    def __init__(self) -> None:
        self.held: dict[int, set[int]] = {}
        self.left: tuple[object, ...] | None = None

    def ledger(self, used: dict[int, int]) -> Ledger:
        """This batch's ledger: call under the license lock, in the batch's transaction."""
        if self.left is None or change_count("assignments") != self.left:
            self.held = {}
        return Ledger(used=used, held=self.held)

    def settled(self) -> None:
        """After the batch's changes are written, in the same transaction."""
        self.left = change_count("assignments")


def apply_decisions(
    decisions: Sequence[Decision],
    *,
    actor: Actor,
    licenses: dict[int, LicenseInfo],
    import_id: int | None = None,
) -> None:
    """Write the net effect of decided rows, and one audit event per change, in row order."""
    # Per (user, license) the batch changed: held before it (its first change is a revoke)
    # and after it (its last change is an assign). Plain dicts and tuples: this loop runs once
    # per change (600,000 times in a 1,000,000-row import).
    held_before: dict[tuple[int, int], bool] = {}
    held_after: dict[tuple[int, int], bool] = {}
    events: list[Event] = []
    for result, changes in decisions:
        for op, user_pk, license_pk, username, license_id in changes:
            key = (user_pk, license_pk)
            assigning = op == "assign"
            if key not in held_after:
                held_before[key] = not assigning
            held_after[key] = assigning
            events.append(Event(op, username, license_id, "", result.row))
    if not events:
        return
    to_delete = [key for key, held in held_before.items() if held]
    to_insert = [key for key, held in held_after.items() if held]
    delta: dict[int, int] = {}
    for _, license_pk in to_delete:
        delta[license_pk] = delta.get(license_pk, 0) - 1
    for _, license_pk in to_insert:
        delta[license_pk] = delta.get(license_pk, 0) + 1
    with connection.cursor() as cursor:
        if to_delete:
            cursor.executemany(
                f"DELETE FROM {ASSIGNMENTS} WHERE user_id = %s AND license_id = %s", to_delete
            )
        at, name, source = db_datetime(now()), actor.name, actor.source
        bulk_insert(
            Assignment,
            ("user", "license", "assigned_at", "assigned_by", "source", "import_id"),
            ((u, lic, at, name, source, import_id) for u, lic in to_insert),
        )
        changed = [(change, pk) for pk, change in sorted(delta.items()) if change]
        if changed:
            cursor.executemany(
                f"UPDATE {LICENSES} SET assigned = assigned + %s WHERE id = %s", changed
            )
    audit_record(actor=actor.name, source=actor.source, events=events, import_id=import_id)
