"""Deciding license rows against the current holdings: once per batch of an import, or for one
row without a file (plm assign / revoke, the API, the web one-by-one)."""

from django.db import transaction

from plm.clock import today
from plm.core.codes import NOT_ALLOWED_IN_SYNC
from plm.core.results import RowResult
from plm.core.rules import Action, Command, Decision, Ledger, RawRow, Rules, reject, validate
from plm.directory.actors import Actor
from plm.directory.people import PeopleLookup, people_for_keys
from plm.licensing.ledger import apply_decisions, load_holdings, lock_licenses


def decide_batch(
    rows: list[RawRow],
    rules: Rules,
    *,
    sync: bool = False,
    people_for: PeopleLookup = people_for_keys,
) -> list[Decision]:
    """Validate and decide a batch in order (looks users up once for the whole batch)."""
    checked: list[Command | RowResult] = list(map(validate, rows))
    if sync:
        checked = [_sync_check(item) for item in checked]
    commands = [item for item in checked if isinstance(item, Command)]
    people = people_for(cmd.key for cmd in commands)
    load_holdings(rules.ledger, (p.pk for cmd in commands for p in people[cmd.key]))
    decide = rules.decide
    return [
        decide(item, people[item.key]) if isinstance(item, Command) else Decision(item)
        for item in checked
    ]


def _sync_check(item: Command | RowResult) -> Command | RowResult:
    """In a sync file, every action but assign is rejected."""
    if isinstance(item, Command) and item.action is not Action.ASSIGN:
        return reject(
            item.raw,
            NOT_ALLOWED_IN_SYNC,
            f"Action {item.action} is not allowed in a "
            "sync file: it lists who should hold each license (assign rows only).",
            action=str(item.action),
        )
    return item


def apply_one(*, raw: RawRow, actor: Actor) -> RowResult:
    """One row without a file: the same rules under the same lock, audited (not an import)."""
    with transaction.atomic():
        licenses, used = lock_licenses()
        rules = Rules(licenses, Ledger(used=used), actor.scope, today())
        decision = decide_batch([raw], rules)[0]
        apply_decisions([decision], actor=actor, licenses=rules.by_pk)
    return decision.result
