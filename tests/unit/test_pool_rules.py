"""The pool rules of a policy run (Rules.pool_assign / pool_revoke), without a database, and
the one reading of a revoke percent."""

from datetime import date

import pytest

from plm.core.codes import PlmError
from plm.core.percent import max_revoke_percent
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
