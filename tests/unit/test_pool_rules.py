"""The pool rules of a policy run (Rules.pool_assign / pool_revoke), without a database, and
the one reading of a revoke percent."""

from datetime import date

import pytest

from plm.core.codes import Outcome, PlmError
from plm.core.percent import max_revoke_percent
from plm.core.results import RowResult
from plm.core.rules import Change, Ledger, Rules, Scope
from tests.unit.test_rules import TODAY, license_, person

A = "ID 2024-01-01-000001"
B = "ID 2024-01-01-000002"
GONE = "ID 2020-01-01-000003"


def rules(seats_a: int = 1, seats_b: int = 1, scope: Scope = Scope(None)) -> Rules:
    licenses = [
        license_(1, A, seats_a),
        license_(2, B, seats_b),
        license_(3, GONE, 5, expires=date(2020, 12, 31)),
    ]
    return Rules(licenses, Ledger(), scope, TODAY)


def test_seats_are_taken_in_the_pool_order_not_the_license_id_order() -> None:
    r = rules()
    first = r.pool_assign(person(1, "ann"), [B, A], 1, "P")
    second = r.pool_assign(person(2, "bob"), [B, A], 2, "P")
    assert (first.result.license_id, second.result.license_id) == (B, A)
    assert first.result.code == "assigned" and first.result.row == 1
    assert "(policy P)" in first.result.message
    assert first.changes == (Change("assign", 1, 2, "ann", B),)
    assert r.ledger.used == {2: 1, 1: 1}


def test_expired_and_unknown_pool_licenses_are_skipped() -> None:
    r = rules()
    decision = r.pool_assign(person(1, "ann"), [GONE, "ID 2099-01-01-000001", A], 1, "P")
    assert decision.result.license_id == A


def test_an_empty_pool_reports_no_license_available_and_changes_nothing() -> None:
    r = rules(seats_a=0, seats_b=0)
    decision = r.pool_assign(person(1, "ann"), [A, B, GONE], 4, "P")
    assert (decision.result.outcome, decision.result.code) == ("rejected", "no_license_available")
    assert decision.result.license_id == "" and decision.changes == ()
    assert "pool of policy P" in decision.result.message
    assert r.ledger.used == {}


def test_a_user_holding_any_current_license_keeps_it_and_gets_no_second() -> None:
    r = rules()
    r.ledger.held[1] = {2}  # B, outside this pool
    decision = r.pool_assign(person(1, "ann"), [A], 1, "P")
    assert (decision.result.outcome, decision.result.code) == ("unchanged", "already_licensed")
    assert decision.result.license_id == B and decision.changes == ()


def test_holding_only_an_expired_license_gets_a_current_one() -> None:
    r = rules()
    r.ledger.held[1] = {3}
    assert r.pool_assign(person(1, "ann"), [A], 1, "P").result.code == "assigned"


@pytest.mark.parametrize(
    ("who", "code"),
    [
        (person(1, "ann", active=False), "user_inactive"),
        (person(1, "ann", staff_orgs=(), role_orgs=(1,)), "not_academic_staff"),
    ],
)
def test_a_user_who_may_not_hold_a_license_is_rejected(who, code) -> None:  # type: ignore[no-untyped-def]
    r = rules()
    decision = r.pool_assign(who, [A], 1, "P")
    assert decision.result.code == code and decision.changes == ()


def test_out_of_scope_users_are_rejected_before_anything_else() -> None:
    r = rules(scope=Scope(frozenset({9})))
    assert r.pool_assign(person(1, "ann"), [A], 1, "P").result.code == "out_of_scope"


def test_pool_revoke_frees_the_seat_or_reports_not_assigned() -> None:
    r = rules()
    r.ledger.held[1] = {1}
    r.ledger.used[1] = 1
    done = r.pool_revoke(person(1, "ann"), A, 3, "P")
    assert (done.result.outcome, done.result.code, done.result.row) == (
        "applied",
        "revoked_not_eligible",
        3,
    )
    assert done.changes == (Change("revoke", 1, 1, "ann", A),)
    assert r.ledger.used[1] == 0 and r.ledger.held[1] == set()
    again = r.pool_revoke(person(1, "ann"), A, 4, "P")
    assert (again.result.outcome, again.result.code) == ("unchanged", "not_assigned")
    unknown = r.pool_revoke(person(1, "ann"), "ID 2099-01-01-000001", 5, "P")
    assert unknown.result.code == "not_assigned"


@pytest.mark.parametrize(("given", "read"), [(0, 0), (100, 100), ("7", 7), (" 5 ", 5)])
def test_a_percent_is_a_whole_number_from_0_to_100(given, read) -> None:  # type: ignore[no-untyped-def]
    assert max_revoke_percent(given) == read


@pytest.mark.parametrize("given", [-1, 101, "ten", "", "5.5"])
def test_anything_else_is_invalid_argument_naming_the_value(given) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PlmError) as error:
        max_revoke_percent(given)
    assert error.value.code == "invalid_argument" and repr(given) in error.value.message


# Whole results, field by field: what the policy's report, audit and results pages show.


def test_a_pool_assign_reports_the_whole_result_of_each_outcome() -> None:
    r = rules(seats_a=1, seats_b=0)
    given = r.pool_assign(person(1, "ann"), [B, A], 7, "Staff")
    assert given.result == RowResult(
        7, "ann", "assign", A, Outcome.APPLIED, "assigned", f"Assigned {A} to 'ann' (policy Staff)."
    )
    again = r.pool_assign(person(1, "ann"), [B, A], 8, "Staff")
    assert again.result == RowResult(
        8, "ann", "assign", A, Outcome.UNCHANGED, "already_licensed", f"'ann' already holds {A}."
    )
    assert again.changes == ()
    full = r.pool_assign(person(2, "bob"), [B, A], 9, "Staff")
    assert full.result == RowResult(
        9,
        "bob",
        "assign",
        "",
        Outcome.REJECTED,
        "no_license_available",
        "No license in the pool of policy Staff is current with a free seat: add seats or "
        "licenses to the pool.",
    )
    assert r.ledger.used == {1: 1}


def test_already_licensed_names_every_current_license_in_license_id_order() -> None:
    r = rules()
    r.ledger.held[1] = {2, 1, 3}  # B, A and the expired one
    decision = r.pool_assign(person(1, "ann"), [A], 1, "P")
    assert decision.result.license_id == A
    assert decision.result.message == f"'ann' already holds {A}, {B}."
    assert r.ledger.used == {}


def test_an_out_of_scope_pool_assign_names_the_user_and_changes_nothing() -> None:
    r = rules(scope=Scope(frozenset({9})))
    decision = r.pool_assign(person(1, "ann"), [A], 3, "P")
    assert decision.result == RowResult(
        3,
        "ann",
        "assign",
        "",
        Outcome.REJECTED,
        "out_of_scope",
        "User 'ann' is outside the organizations you manage.",
    )
    assert decision.changes == () and r.ledger.held.get(1, set()) == set()


def test_a_rejected_user_keeps_the_pool_assign_action_and_no_license() -> None:
    r = rules()
    decision = r.pool_assign(person(1, "ann", active=False), [A], 2, "P")
    assert (decision.result.row, decision.result.username, decision.result.action) == (
        2,
        "ann",
        "assign",
    )
    assert (decision.result.license_id, decision.result.outcome) == ("", Outcome.REJECTED)
    assert r.ledger.used == {} and r.ledger.held == {1: set()}


def test_a_full_first_license_passes_the_seat_to_the_next_in_the_pool() -> None:
    r = rules(seats_a=1, seats_b=2)
    r.ledger.used[1] = 1
    decision = r.pool_assign(person(1, "ann"), [A, B], 1, "P")
    assert decision.result.license_id == B
    assert decision.changes == (Change("assign", 1, 2, "ann", B),)
    assert r.ledger.used == {1: 1, 2: 1} and r.ledger.held[1] == {2}


def test_a_pool_revoke_reports_the_whole_result_of_each_outcome() -> None:
    r = rules()
    r.ledger.held[1] = {1}
    r.ledger.used[1] = 2
    done = r.pool_revoke(person(1, "ann"), A, 3, "Staff")
    assert done.result == RowResult(
        3,
        "ann",
        "revoke",
        A,
        Outcome.APPLIED,
        "revoked_not_eligible",
        f"Revoked {A} from 'ann': no longer eligible for policy Staff.",
    )
    assert r.ledger.used == {1: 1}
    other = r.pool_revoke(person(2, "bob"), A, 4, "Staff")
    assert other.result == RowResult(
        4, "bob", "revoke", A, Outcome.UNCHANGED, "not_assigned", f"'bob' does not hold {A}."
    )
    assert other.changes == () and r.ledger.used == {1: 1} and r.ledger.held[2] == set()
    held_elsewhere = rules()
    held_elsewhere.ledger.held[1] = {2}
    held_elsewhere.ledger.used[2] = 1
    not_this = held_elsewhere.pool_revoke(person(1, "ann"), A, 5, "Staff")
    assert not_this.result.code == "not_assigned" and not_this.changes == ()
    assert held_elsewhere.ledger.held[1] == {2} and held_elsewhere.ledger.used == {2: 1}


def test_a_pool_assign_adds_one_to_the_seats_already_used() -> None:
    r = rules(seats_a=3)
    r.ledger.used[1] = 1
    r.pool_assign(person(1, "ann"), [A], 1, "P")
    assert r.ledger.used == {1: 2}
