"""The documented error precedence (docs/csv-format.md, "Row error codes"): for each adjacent
pair of the table, a row with both problems reports the earlier one. A reordering of the checks
in core/rules.py fails exactly the pair it swaps."""

from datetime import date

from plm.core.rules import Scope
from tests.unit.test_rules import World, license_, person

L1 = "ID 2024-01-01-000001"
TODAY_EXPIRED = date(2020, 1, 1)


def code(world: World, username: str, action: str, license_id: str = "") -> str:
    return world.run(username, action, license_id).code


def test_1_missing_username_before_2_invalid_action() -> None:
    assert code(World([], []), "", "frob") == "missing_username"


def test_2_invalid_action_before_3_missing_license_id() -> None:
    assert code(World([], []), "ann", "", "") == "invalid_action"


def test_3_missing_license_id_before_4_invalid_license_id() -> None:
    # Exclusive by nature (cells arrive trimmed); pinned: empty is missing, anything else that
    # is not an ID is invalid.
    assert code(World([], []), "ann", "assign", "") == "missing_license_id"
    assert code(World([], []), "ann", "revoke", "x") == "invalid_license_id"


def test_4_invalid_license_id_before_5_user_not_found() -> None:
    assert code(World([], []), "nobody", "assign", "ID 2024-13-01-000001") == "invalid_license_id"


def test_5_user_not_found_before_6_user_ambiguous() -> None:
    # Exclusive by nature; pinned: no match is not_found, two matches ambiguous.
    a, b = person(1, "a"), person(2, "b")
    b = b._replace(email="a")
    w = World([license_(1, L1)], [a, b])
    assert code(w, "zz", "assign", L1) == "user_not_found"
    assert code(w, "a", "assign", L1) == "user_ambiguous"


def test_6_user_ambiguous_before_7_license_not_found() -> None:
    a, b = person(1, "a"), person(2, "b")._replace(email="a")
    assert code(World([], [a, b]), "a", "assign", L1) == "user_ambiguous"


def test_7_license_not_found_before_8_out_of_scope() -> None:
    outside = person(1, "out", staff_orgs=(20,))
    assert code(World([], [outside], Scope(frozenset({10}))), "out", "assign", L1) == (
        "license_not_found"
    )


def test_8_out_of_scope_before_9_unchanged() -> None:
    outside = person(1, "out", staff_orgs=(20,))
    w = World([license_(1, L1)], [outside], Scope(frozenset({10})))
    w.hold(outside, w.rules.by_pk[1])
    assert code(w, "out", "assign", L1) == "out_of_scope"


def test_9_unchanged_before_10_user_inactive() -> None:
    gone = person(1, "gone", active=False)
    w = World([license_(1, L1)], [gone])
    w.hold(gone, w.rules.by_pk[1])
    assert code(w, "gone", "assign", L1) == "already_assigned"
    assert code(w, "gone", "autoassign") == "already_licensed"


def test_10_user_inactive_before_11_not_academic_staff() -> None:
    gone = person(1, "gone", staff_orgs=(), role_orgs=(1,), active=False)
    assert code(World([license_(1, L1)], [gone]), "gone", "assign", L1) == "user_inactive"


def test_11_not_academic_staff_before_12_license_expired() -> None:
    sched = person(1, "sched", staff_orgs=(), role_orgs=(1,))
    w = World([license_(1, L1, expires=TODAY_EXPIRED)], [sched])
    assert code(w, "sched", "assign", L1) == "not_academic_staff"


def test_12_license_expired_before_13_no_seat_available() -> None:
    ann = person(1, "ann")
    w = World([license_(1, L1, seats=0, expires=TODAY_EXPIRED)], [ann])
    assert code(w, "ann", "assign", L1) == "license_expired"


def test_13_no_seat_available_and_no_license_available() -> None:
    ann = person(1, "ann")
    w = World([license_(1, L1, seats=0)], [ann])
    assert code(w, "ann", "assign", L1) == "no_seat_available"
    assert code(w, "ann", "autoassign") == "no_license_available"


def test_answers_about_users_out_of_scope_name_no_one() -> None:
    outside = person(2, "out", staff_orgs=(20,))
    first = person(3, "amb.a", staff_orgs=(20,))._replace(email="amb")
    second = person(4, "amb", staff_orgs=(20,))
    w = World([license_(1, L1)], [outside, first, second], Scope(frozenset({10})))
    scoped = w.run("out@x.edu", "assign", L1)
    assert scoped.code == "out_of_scope" and "'out@x.edu'" in scoped.message
    assert "'out'" not in scoped.message
    ambiguous = w.run("amb", "assign", L1)
    assert ambiguous.code == "user_ambiguous" and "amb.a" not in ambiguous.message
