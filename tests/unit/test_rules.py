from datetime import date

import pytest

from plm.core.codes import Outcome
from plm.core.results import RowResult
from plm.core.rules import (
    Action,
    Command,
    Ledger,
    LicenseInfo,
    Person,
    RawRow,
    Rules,
    Scope,
    validate,
)

TODAY = date(2026, 11, 25)
L1 = "ID 2024-01-01-000001"
L2 = "ID 2024-01-01-000002"
OLD = "ID 2020-01-01-000009"


def person(pk: int, name: str, *, staff_orgs=(1,), role_orgs=None, active=True) -> Person:
    roles = frozenset(role_orgs if role_orgs is not None else staff_orgs)
    return Person(pk, name, f"{name}@x.edu", active, frozenset(staff_orgs), roles)


def license_(pk: int, license_id: str, seats: int = 5, expires: date | None = None) -> LicenseInfo:
    return LicenseInfo(pk, license_id, seats, expires)


class World:
    """Rules over a fixed directory: people by key, licenses, holdings."""

    def __init__(
        self, licenses: list[LicenseInfo], people: list[Person], scope: Scope = Scope(None)
    ):
        self.people = people
        self.rules = Rules(licenses, Ledger(), scope, TODAY)

    def hold(self, user: Person, lic: LicenseInfo) -> None:
        self.rules.ledger.held.setdefault(user.pk, set()).add(lic.pk)
        self.rules.ledger.used[lic.pk] = self.rules.ledger.used.get(lic.pk, 0) + 1

    def run(self, username: str, action: str, license_id: str = "", row: int = 2) -> RowResult:
        checked = validate(RawRow(row, username, action, license_id))
        if isinstance(checked, RowResult):
            return checked
        matches = [
            p for p in self.people if checked.key in (p.username.casefold(), p.email.casefold())
        ]
        return self.rules.decide(checked, matches).result


@pytest.fixture
def ann() -> Person:
    return person(1, "ann")


def outcome(result: RowResult) -> tuple[str, str]:
    return (str(result.outcome), result.code)


def test_assign_gives_a_seat_then_reports_already_assigned(ann: Person) -> None:
    w = World([license_(1, L1)], [ann])
    first = w.run("ann@x.edu", "assign", L1)
    assert outcome(first) == ("applied", "assigned") and first.license_id == L1
    assert outcome(w.run("ANN", "assign", L1.lower())) == ("unchanged", "already_assigned")


def test_seats_run_out_in_file_order() -> None:
    people = [person(i, f"u{i}") for i in range(1, 4)]
    w = World([license_(1, L1, seats=2)], people)
    results = [w.run(f"u{i}", "assign", L1) for i in range(1, 4)]
    assert [r.code for r in results] == ["assigned", "assigned", "no_seat_available"]


def test_a_revoke_earlier_in_the_file_frees_a_seat_for_a_later_assign() -> None:
    a, b = person(1, "a"), person(2, "b")
    w = World([license_(1, L1, seats=1)], [a, b])
    w.hold(a, w.rules.by_pk[1])
    assert w.run("b", "assign", L1).code == "no_seat_available"
    assert w.run("a", "revoke", L1).code == "revoked"
    assert w.run("b", "assign", L1).code == "assigned"


def test_autoassign_takes_the_first_unexpired_license_with_a_free_seat_in_id_order(
    ann: Person,
) -> None:
    full = license_(1, "ID 2024-01-01-000001", seats=0)
    expired = license_(2, "ID 2024-01-01-000002", expires=date(2026, 11, 24))
    good = license_(3, "ID 2024-01-01-000003")
    w = World([good, expired, full], [ann])
    result = w.run("ann", "autoassign", "ID 1999-01-01-000000 ignored")
    assert outcome(result) == ("applied", "assigned") and result.license_id == good.license_id


def test_autoassign_is_unchanged_when_the_user_holds_an_unexpired_license(ann: Person) -> None:
    w = World([license_(1, L1)], [ann])
    w.hold(ann, w.rules.by_pk[1])
    result = w.run("ann", "autoassign")
    assert outcome(result) == ("unchanged", "already_licensed") and result.license_id == ""


def test_autoassign_replaces_nothing_but_adds_when_only_an_expired_license_is_held(
    ann: Person,
) -> None:
    w = World([license_(1, OLD, expires=date(2021, 1, 1)), license_(2, L1)], [ann])
    w.hold(ann, w.rules.by_pk[1])
    assert w.run("ann", "autoassign").license_id == L1


def test_autoassign_without_any_free_license(ann: Person) -> None:
    w = World([license_(1, L1, seats=0)], [ann])
    assert outcome(w.run("ann", "autoassign")) == ("rejected", "no_license_available")


def test_a_license_is_valid_through_its_expiry_date(ann: Person) -> None:
    w = World([license_(1, L1, expires=TODAY), license_(2, L2, expires=date(2026, 11, 24))], [ann])
    assert w.run("ann", "assign", L1).code == "assigned"
    assert w.run("ann", "assign", L2).code == "license_expired"


def test_revoke_not_held_is_unchanged(ann: Person) -> None:
    w = World([license_(1, L1)], [ann])
    assert outcome(w.run("ann", "revoke", L1)) == ("unchanged", "not_assigned")


def test_revokeall_revokes_every_license_in_one_row(ann: Person) -> None:
    w = World([license_(1, L1), license_(2, L2)], [ann])
    w.hold(ann, w.rules.by_pk[1])
    w.hold(ann, w.rules.by_pk[2])
    result = w.run("ann", "revokeall", "whatever")
    assert outcome(result) == ("applied", "revoked") and result.license_id == ""
    assert L1 in result.message and L2 in result.message
    assert outcome(w.run("ann", "revokeall")) == ("unchanged", "nothing_to_revoke")


def test_inactive_users_cannot_receive_but_can_lose_licenses() -> None:
    gone = person(1, "gone", active=False)
    w = World([license_(1, L1)], [gone])
    w.hold(gone, w.rules.by_pk[1])
    assert w.run("gone", "assign", L2).code == "license_not_found"
    assert w.run("gone", "autoassign").code == "already_licensed"
    assert w.run("gone", "revoke", L1).code == "revoked"
    assert w.run("gone", "autoassign").code == "user_inactive"


def test_only_academic_staff_can_hold_a_license() -> None:
    scheduler = person(1, "sched", staff_orgs=(), role_orgs=(1,))
    w = World([license_(1, L1)], [scheduler])
    assert outcome(w.run("sched", "assign", L1)) == ("rejected", "not_academic_staff")


def test_an_email_that_is_another_users_name_is_ambiguous() -> None:
    a = Person(1, "a", "shared@x.edu", True, frozenset({1}), frozenset({1}))
    b = Person(2, "shared@x.edu", "b@x.edu", True, frozenset({1}), frozenset({1}))
    w = World([license_(1, L1)], [a, b])
    result = w.run("Shared@x.edu", "assign", L1)
    assert (
        result.code == "user_ambiguous"
        and "'a'" in result.message
        and "'shared@x.edu'" in result.message
    )


@pytest.mark.parametrize(
    ("username", "action", "license_id", "code", "shown_id"),
    [
        ("", "frob", "bad", "missing_username", "bad"),
        ("ann", "", "", "invalid_action", ""),
        ("ann", "Assign", "", "missing_license_id", ""),
        ("ann", "assign", "2013-07-05-012345", "invalid_license_id", "2013-07-05-012345"),
        ("nobody", "assign", "bad", "invalid_license_id", "bad"),
        ("nobody", "assign", L1, "user_not_found", L1),
        ("ann", "revoke", "ID 2099-01-01-000000", "license_not_found", "ID 2099-01-01-000000"),
        ("nobody", "autoassign", "bad", "user_not_found", ""),
        ("nobody", "revokeall", "bad", "user_not_found", ""),
    ],
)
def test_the_first_problem_in_the_documented_order_is_reported(
    ann: Person, username: str, action: str, license_id: str, code: str, shown_id: str
) -> None:
    w = World([license_(1, L1)], [ann])
    result = w.run(username, action, license_id)
    assert (result.outcome, result.code, result.license_id) == (Outcome.REJECTED, code, shown_id)


def test_actions_are_case_insensitive_and_reported_normalized(ann: Person) -> None:
    w = World([license_(1, L1)], [ann])
    result = w.run("ann", " AutoAssign ")
    assert result.action == "autoassign" and result.code == "assigned"


def test_invalid_action_message_lists_valid_actions() -> None:
    result = validate(RawRow(2, "ann", "add", ""))
    assert isinstance(result, RowResult)
    assert "assign, autoassign, revoke or revokeall" in result.message


def test_scope_limits_a_manager_to_academic_staff_in_their_organizations() -> None:
    inside = person(1, "in", staff_orgs=(10,))
    outside = person(2, "out", staff_orgs=(20,))
    scheduler_inside = person(3, "sched", staff_orgs=(), role_orgs=(10,))
    w = World([license_(1, L1)], [inside, outside, scheduler_inside], Scope(frozenset({10, 11})))
    w.hold(scheduler_inside, w.rules.by_pk[1])
    assert w.run("in", "assign", L1).code == "assigned"
    assert w.run("out", "assign", L1).code == "out_of_scope"
    assert w.run("out", "revokeall").code == "out_of_scope"
    # One scope for listing and acting: a Scheduler in scope is in scope; the rules then say
    # why they cannot get a license.
    assert w.run("sched", "assign", L1).code == "already_assigned"
    assert w.run("sched", "revoke", L1).code == "revoked"
    assert w.run("sched", "assign", L1).code == "not_academic_staff"


def test_out_of_scope_comes_before_unchanged_codes() -> None:
    outside = person(2, "out", staff_orgs=(20,))
    w = World([license_(1, L1)], [outside], Scope(frozenset({10})))
    assert w.run("out", "revoke", L1).code == "out_of_scope"


def test_validate_returns_a_command_with_the_normalized_id() -> None:
    cmd = validate(RawRow(2, "Ann@X.edu", "ASSIGN", "id  2024-01-01-000001"))
    assert isinstance(cmd, Command)
    assert (cmd.key, cmd.action, cmd.license_id) == ("ann@x.edu", Action.ASSIGN, L1)


def test_a_license_id_seen_again_is_judged_the_same_each_time() -> None:
    # Normalized once per distinct text: a repeat gives the same canonical ID, and a rejected
    # one is rejected again with the same error (a failure is never remembered as a success).
    for _ in range(2):
        good = validate(RawRow(2, "ann", "assign", "id  2024-01-01-000001"))
        assert isinstance(good, Command) and good.license_id == L1
        bad = validate(RawRow(3, "ann", "assign", "ID 2024-02-30-000001"))
        assert isinstance(bad, RowResult) and bad.code == "invalid_license_id"
        assert "no real calendar date" in bad.message
