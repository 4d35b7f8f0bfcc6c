"""The license rules: validate one CSV row into a command, then decide it against the holdings.

`decide` is the only place where assign / autoassign / revoke / revokeall are judged; the CLI,
web, API and background jobs all come here, so they give the same results and codes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from plm.core import codes as c
from plm.core.codes import Outcome, PlmError
from plm.core.license_ids import normalize_license_id_cached
from plm.core.results import RowResult
from plm.core.text import fold


class Action(StrEnum):
    ASSIGN = "assign"
    AUTOASSIGN = "autoassign"
    REVOKE = "revoke"
    REVOKEALL = "revokeall"


NEEDS_LICENSE_ID = frozenset({Action.ASSIGN, Action.REVOKE})


class RawRow(NamedTuple):
    """The three cells of a license row as read (already trimmed)."""

    row: int | None
    username: str
    action: str
    license_id: str


class Command(NamedTuple):
    """A row whose shape is valid: who, what, and the normalized License ID when one is needed."""

    raw: RawRow
    key: str
    action: Action
    license_id: str | None


class Person(NamedTuple):
    """What the rules need to know about a user."""

    pk: int
    username: str
    email: str
    active: bool
    staff_orgs: frozenset[int]
    """Organizations where the user holds Academic Staff."""
    role_orgs: frozenset[int]
    """Organizations where the user holds any role."""


@dataclass(frozen=True, slots=True)
class LicenseInfo:
    pk: int
    license_id: str
    seats: int
    expires: date | None

    def expired(self, today: date) -> bool:
        """Valid through its expiry date inclusive."""
        return self.expires is not None and self.expires < today


@dataclass(frozen=True, slots=True)
class Scope:
    """The organizations an actor may act in; `orgs=None` means everywhere (system)."""

    orgs: frozenset[int] | None = None

    def covers(self, person: Person) -> bool:
        """The one definition of scope, for listings and actions alike: a user is in scope when
        they hold Academic Staff in a scope organization, or, holding Academic Staff nowhere,
        any role in one. (Students, with no role, are in the system's scope only.)"""
        if self.orgs is None:
            return True
        if person.staff_orgs:
            return bool(person.staff_orgs & self.orgs)
        return bool(person.role_orgs & self.orgs)


class Change(NamedTuple):
    """One assignment created (`assign`) or removed (`revoke`), with the names the audit needs."""

    op: str
    user_pk: int
    license_pk: int
    username: str
    license_id: str


class Decision(NamedTuple):
    result: RowResult
    changes: tuple[Change, ...] = ()


@dataclass
class Ledger:
    """Who holds what, as far as the rows decided so far are concerned (mutated by `decide`)."""

    used: dict[int, int] = field(default_factory=dict)
    """license pk -> holders."""
    held: dict[int, set[int]] = field(default_factory=dict)
    """user pk -> license pks."""


_ACTIONS = {action.value: action for action in Action}


def _normalize_action(raw: str) -> Action | None:
    return _ACTIONS.get(raw.strip().casefold())


def _result(
    raw: RawRow, action: str, license_id: str, outcome: Outcome, code: str, message: str
) -> RowResult:
    return RowResult(raw.row, raw.username, action, license_id, outcome, code, message)


def reject(raw: RawRow, code: str, message: str, *, action: str | None = None) -> RowResult:
    """The row rejected as it was typed (`action`: the action as understood, when it was)."""
    return _result(
        raw,
        raw.action if action is None else action,
        raw.license_id,
        Outcome.REJECTED,
        code,
        message,
    )


def validate(raw: RawRow) -> Command | RowResult:
    """Check a row's own cells (no database): a Command, or the first shape error."""
    action = _normalize_action(raw.action)
    if not raw.username:
        return reject(
            raw,
            c.MISSING_USERNAME,
            "The Username cell is empty: enter the user's email or user name.",
            action=action or raw.action,
        )
    if action is None:
        shown = f"'{raw.action}'" if raw.action else "empty"
        return reject(
            raw,
            c.INVALID_ACTION,
            f"Action {shown} is not valid: use assign, autoassign, revoke or revokeall.",
        )
    license_id: str | None = None
    if action in NEEDS_LICENSE_ID:
        if not raw.license_id:
            return reject(
                raw,
                c.MISSING_LICENSE_ID,
                f"Action {action} needs a License ID "
                "(ID yyyy-mm-dd-xxxxxx) in the License ID column.",
                action=action,
            )
        try:
            license_id = normalize_license_id_cached(raw.license_id)
        except PlmError as exc:
            return reject(raw, exc.code, exc.message, action=action)
    return Command(raw, fold(raw.username), action, license_id)


def user_problem(person: Person) -> tuple[str, str] | None:
    """Why this user may not receive a license (code, message), or None."""
    if not person.active:
        return (
            c.USER_INACTIVE,
            f"User '{person.username}' is inactive and cannot receive a license.",
        )
    if not person.staff_orgs:
        return (
            c.NOT_ACADEMIC_STAFF,
            f"User '{person.username}' does not have the Academic Staff "
            "role; only Academic Staff can hold a Personal Capture license.",
        )
    return None


class Rules:
    """Decides commands in order against a Ledger; the caller applies the returned changes."""

    def __init__(self, licenses: Sequence[LicenseInfo], ledger: Ledger, scope: Scope, today: date):
        self.by_id = {lic.license_id: lic for lic in licenses}
        self.in_order = sorted(licenses, key=lambda lic: lic.license_id)
        self.by_pk = {lic.pk: lic for lic in licenses}
        self.ledger = ledger
        self.scope = scope
        self.today = today

    def decide(self, cmd: Command, candidates: Sequence[Person]) -> Decision:
        """Judge one command; `candidates` are the distinct users whose email or name is the key."""
        raw, action = cmd.raw, cmd.action
        shown_id = cmd.license_id or ""  # None: the action takes no License ID
        if not candidates:
            return self._reject(
                cmd,
                shown_id,
                c.USER_NOT_FOUND,
                f"No user has the email or user name '{raw.username}': check the "
                "Username column against the Users export (person.csv).",
            )
        if len(candidates) > 1:
            # Names only of users the actor may see: the others' details are not theirs.
            if all(self.scope.covers(p) for p in candidates):
                names = " and ".join(
                    f"'{p.username}'" for p in sorted(candidates, key=lambda p: p.pk)
                )
                which = f" ({names})"
            else:
                which = ""
            return self._reject(
                cmd,
                shown_id,
                c.USER_AMBIGUOUS,
                f"'{raw.username}' matches two users{which}: one's user name is "
                "the other's email. Use the other identifier for this user.",
            )
        person = candidates[0]
        lic = None if cmd.license_id is None else self.by_id.get(cmd.license_id)
        if cmd.license_id is not None and lic is None:
            return self._reject(
                cmd,
                shown_id,
                c.LICENSE_NOT_FOUND,
                f"License {cmd.license_id} does not exist: check the License ID "
                "against the licenses on Manage Presenter Licenses.",
            )
        if not self.scope.covers(person):
            # As typed: the user's other details are not the actor's to see.
            return self._reject(
                cmd,
                shown_id,
                c.OUT_OF_SCOPE,
                f"User '{raw.username}' is outside the organizations you manage.",
            )
        held = self.ledger.held.setdefault(person.pk, set())
        if action is Action.ASSIGN:
            assert lic is not None
            return self._assign(cmd, person, lic, held)
        if action is Action.AUTOASSIGN:
            return self._autoassign(cmd, person, held)
        if action is Action.REVOKE:
            assert lic is not None
            if lic.pk not in held:
                return self._result(
                    cmd,
                    lic.license_id,
                    Outcome.UNCHANGED,
                    c.NOT_ASSIGNED,
                    f"'{person.username}' does not hold {lic.license_id}.",
                )
            return self._revoke(cmd, person, [lic.pk], lic.license_id)
        if not held:
            return self._result(
                cmd,
                "",
                Outcome.UNCHANGED,
                c.NOTHING_TO_REVOKE,
                f"'{person.username}' holds no license.",
            )
        return self._revoke(cmd, person, sorted(held, key=lambda pk: self.by_pk[pk].license_id), "")

    def replace(self, person: Person, old: LicenseInfo, new: LicenseInfo, row: int) -> Decision:
        """One-step renewal for one holder of `old`: assign `new` and revoke `old` together;
        when `new` cannot be given, the holder keeps `old` and the row is rejected."""
        raw = RawRow(row, person.username, "replace", new.license_id)

        def rejected(code: str, message: str) -> Decision:
            return Decision(reject(raw, code, message))

        if not self.scope.covers(person):
            return rejected(
                c.OUT_OF_SCOPE, f"User '{person.username}' is outside the organizations you manage."
            )
        held = self.ledger.held.setdefault(person.pk, set())
        changes: list[Change] = []
        if new.pk not in held:
            problem = user_problem(person) or self._license_problem(new)
            if problem:
                return rejected(*problem)
            held.add(new.pk)
            self.ledger.used[new.pk] = self.ledger.used.get(new.pk, 0) + 1
            changes.append(Change("assign", person.pk, new.pk, person.username, new.license_id))
        if old.pk in held:
            held.discard(old.pk)
            self.ledger.used[old.pk] = self.ledger.used.get(old.pk, 0) - 1
            changes.append(Change("revoke", person.pk, old.pk, person.username, old.license_id))
        result = _result(
            raw,
            raw.action,
            raw.license_id,
            Outcome.APPLIED,
            c.REPLACED,
            f"Replaced {old.license_id} with {new.license_id} for '{person.username}'.",
        )
        return Decision(result, tuple(changes))

    def pool_assign(self, person: Person, pool: Sequence[str], row: int, policy: str) -> Decision:
        """A policy's assign for one eligible user: nothing when they already hold a current
        license (any license: a presenter needs one, and two policies give one, not two), else
        the first license of `pool` (License IDs in the policy's order) that is current and has
        a free seat, else `no_license_available`."""
        raw = RawRow(row, person.username, "assign", "")

        def rejected(code: str, message: str) -> Decision:
            return Decision(reject(raw, code, message))

        if not self.scope.covers(person):
            return rejected(
                c.OUT_OF_SCOPE, f"User '{person.username}' is outside the organizations you manage."
            )
        held = self.ledger.held.setdefault(person.pk, set())
        current = sorted(
            lic.license_id for pk in held if not (lic := self.by_pk[pk]).expired(self.today)
        )
        if current:
            result = _result(
                raw,
                raw.action,
                current[0],
                Outcome.UNCHANGED,
                c.ALREADY_LICENSED,
                f"'{person.username}' already holds {', '.join(current)}.",
            )
            return Decision(result)
        problem = user_problem(person)
        if problem:
            return rejected(*problem)
        for license_id in pool:
            candidate = self.by_id.get(license_id)
            if candidate is not None and self._license_problem(candidate) is None:
                lic = candidate
                held.add(lic.pk)
                self.ledger.used[lic.pk] = self.ledger.used.get(lic.pk, 0) + 1
                result = _result(
                    raw,
                    raw.action,
                    lic.license_id,
                    Outcome.APPLIED,
                    c.ASSIGNED,
                    f"Assigned {lic.license_id} to '{person.username}' (policy {policy}).",
                )
                change = Change("assign", person.pk, lic.pk, person.username, lic.license_id)
                return Decision(result, (change,))
        return rejected(
            c.NO_LICENSE_AVAILABLE,
            f"No license in the pool of policy {policy} is current with a free seat: add "
            "seats or licenses to the pool.",
        )

    def pool_revoke(self, person: Person, license_id: str, row: int, policy: str) -> Decision:
        """A policy's revoke of one pool license from a user no longer eligible."""
        raw = RawRow(row, person.username, "revoke", license_id)
        lic = self.by_id.get(license_id)
        held = self.ledger.held.setdefault(person.pk, set())
        if lic is None or lic.pk not in held:
            result = _result(
                raw,
                raw.action,
                raw.license_id,
                Outcome.UNCHANGED,
                c.NOT_ASSIGNED,
                f"'{person.username}' does not hold {license_id}.",
            )
            return Decision(result)
        held.discard(lic.pk)
        self.ledger.used[lic.pk] = self.ledger.used.get(lic.pk, 0) - 1
        result = _result(
            raw,
            raw.action,
            raw.license_id,
            Outcome.APPLIED,
            c.REVOKED_NOT_ELIGIBLE,
            f"Revoked {license_id} from '{person.username}': no longer eligible for policy "
            f"{policy}.",
        )
        change = Change("revoke", person.pk, lic.pk, person.username, license_id)
        return Decision(result, (change,))

    def _license_problem(self, lic: LicenseInfo) -> tuple[str, str] | None:
        if lic.expired(self.today):
            return c.LICENSE_EXPIRED, f"License {lic.license_id} expired on {lic.expires}."
        if self.ledger.used.get(lic.pk, 0) >= lic.seats:
            return (
                c.NO_SEAT_AVAILABLE,
                f"License {lic.license_id} has no free seat (all "
                f"{lic.seats} are assigned): revoke a seat or use another license.",
            )
        return None

    def _assign(self, cmd: Command, person: Person, lic: LicenseInfo, held: set[int]) -> Decision:
        if lic.pk in held:
            return self._result(
                cmd,
                lic.license_id,
                Outcome.UNCHANGED,
                c.ALREADY_ASSIGNED,
                f"'{person.username}' already holds {lic.license_id}.",
            )
        problem = user_problem(person) or self._license_problem(lic)
        if problem:
            return self._reject(cmd, lic.license_id, *problem)
        return self._give(cmd, person, lic, held)

    def _autoassign(self, cmd: Command, person: Person, held: set[int]) -> Decision:
        current = [self.by_pk[pk] for pk in held if not self.by_pk[pk].expired(self.today)]
        if current:
            ids = ", ".join(sorted(lic.license_id for lic in current))
            return self._result(
                cmd,
                "",
                Outcome.UNCHANGED,
                c.ALREADY_LICENSED,
                f"'{person.username}' already holds {ids}.",
            )
        problem = user_problem(person)
        if problem:
            return self._reject(cmd, "", *problem)
        for lic in self.in_order:
            if not lic.expired(self.today) and self.ledger.used.get(lic.pk, 0) < lic.seats:
                return self._give(cmd, person, lic, held)
        return self._reject(
            cmd,
            "",
            c.NO_LICENSE_AVAILABLE,
            "No license has a free seat: add seats or revoke some first.",
        )

    def _give(self, cmd: Command, person: Person, lic: LicenseInfo, held: set[int]) -> Decision:
        held.add(lic.pk)
        used = self.ledger.used
        used[lic.pk] = used.get(lic.pk, 0) + 1
        result = _result(
            cmd.raw,
            cmd.action,
            lic.license_id,
            Outcome.APPLIED,
            c.ASSIGNED,
            f"Assigned {lic.license_id} to '{person.username}'.",
        )
        return Decision(
            result, (Change("assign", person.pk, lic.pk, person.username, lic.license_id),)
        )

    def _revoke(self, cmd: Command, person: Person, pks: list[int], shown_id: str) -> Decision:
        for pk in pks:
            self.ledger.held[person.pk].discard(pk)
            self.ledger.used[pk] = self.ledger.used.get(pk, 0) - 1
        ids = ", ".join(self.by_pk[pk].license_id for pk in pks)
        result = _result(
            cmd.raw,
            cmd.action,
            shown_id,
            Outcome.APPLIED,
            c.REVOKED,
            f"Revoked {ids} from '{person.username}'.",
        )
        return Decision(
            result,
            tuple(
                Change("revoke", person.pk, pk, person.username, self.by_pk[pk].license_id)
                for pk in pks
            ),
        )

    def _result(
        self, cmd: Command, license_id: str, outcome: Outcome, code: str, message: str
    ) -> Decision:
        return Decision(_result(cmd.raw, cmd.action, license_id, outcome, code, message))

    def _reject(self, cmd: Command, license_id: str, code: str, message: str) -> Decision:
        return self._result(cmd, license_id, Outcome.REJECTED, code, message)
