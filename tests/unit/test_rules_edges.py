"""Rule edges the main rule tests leave open: the exact messages users read, the action a row
without a user name reports, one-step renewal against a ledger it must keep right, and the
result and tally shapes every face reports (RowResult.as_dict, Tally, DayUsage)."""

from datetime import date

from plm.core.codes import Outcome
from plm.core.results import RowResult, Tally
from plm.core.rules import Ledger, LicenseInfo, Person, RawRow, Rules, Scope, validate
from plm.core.utilization import DayUsage, LicenseEvent, daily_usage

TODAY = date(2026, 11, 25)
L1 = "ID 2024-01-01-000001"
L2 = "ID 2024-01-01-000002"


def person(pk: int, name: str, *, staff=(1,), roles=None, active: bool = True) -> Person:
    return Person(pk, name, f"{name}@x.edu", active, frozenset(staff), frozenset(roles or staff))


def decide(rules: Rules, row: RawRow, people: list[Person]) -> RowResult:
    cmd = validate(row)
    assert not isinstance(cmd, RowResult), cmd
    return rules.decide(cmd, people).result


def rules_over(*licenses: LicenseInfo, scope: Scope = Scope(None)) -> Rules:
    return Rules(list(licenses), Ledger(), scope, TODAY)


def test_a_row_without_a_user_name_reports_its_action_normalized() -> None:
    result = validate(RawRow(2, "", "AutoAssign", ""))
    assert isinstance(result, RowResult)
    assert (result.action, result.code) == ("autoassign", "missing_username")


def test_a_missing_license_id_message_names_the_action_and_the_form() -> None:
    result = validate(RawRow(2, "ann", "revoke", ""))
    assert isinstance(result, RowResult)
    assert result.message == (
        "Action revoke needs a License ID (ID yyyy-mm-dd-xxxxxx) in the License ID column."
    )


def test_a_student_is_told_only_academic_staff_may_hold_a_license() -> None:
    student = person(1, "stud", staff=(), roles=(1,))
    result = decide(
        rules_over(LicenseInfo(1, L1, 5, None)), RawRow(2, "stud", "assign", L1), [student]
    )
    assert result.message == (
        "User 'stud' does not have the Academic Staff role; only Academic Staff can hold a "
        "Personal Capture license."
    )


def test_autoassign_without_a_free_seat_says_what_to_do() -> None:
    result = decide(
        rules_over(LicenseInfo(1, L1, 0, None)),
        RawRow(2, "ann", "autoassign", ""),
        [person(1, "ann")],
    )
    assert (result.code, result.message) == (
        "no_license_available",
        "No license has a free seat: add seats or revoke some first.",
    )


def test_an_ambiguous_key_names_both_users_in_key_order() -> None:
    a, b = person(2, "b@x.edu"), person(1, "a")
    result = decide(
        rules_over(LicenseInfo(1, L1, 5, None)), RawRow(2, "b@x.edu", "assign", L1), [a, b]
    )
    assert result.message == (
        "'b@x.edu' matches two users ('a' and 'b@x.edu'): one's user name is the other's "
        "email. Use the other identifier for this user."
    )


def test_out_of_scope_names_the_user() -> None:
    outsider = person(1, "ann", staff=(9,))
    rules = rules_over(LicenseInfo(1, L1, 5, None), scope=Scope(frozenset({1})))
    result = decide(rules, RawRow(2, "ann", "assign", L1), [outsider])
    assert (result.code, result.license_id, result.message) == (
        "out_of_scope",
        L1,
        "User 'ann' is outside the organizations you manage.",
    )


def test_replace_out_of_scope_is_rejected_naming_the_user_and_the_new_license() -> None:
    old, new = LicenseInfo(1, L1, 5, None), LicenseInfo(2, L2, 5, None)
    rules = rules_over(old, new, scope=Scope(frozenset({1})))
    decision = rules.replace(person(1, "ann", staff=(9,)), old, new, row=3)
    assert decision.changes == ()
    assert decision.result == RowResult(
        3,
        "ann",
        "replace",
        L2,
        Outcome.REJECTED,
        "out_of_scope",
        "User 'ann' is outside the organizations you manage.",
    )


def test_replace_moves_the_holder_and_keeps_the_ledger_right() -> None:
    """Against a ledger that has not counted the new license yet: its seat count starts at 0,
    and the old license leaves the holder's set, so a later revoke of it finds nothing."""
    old, new = LicenseInfo(1, L1, 5, None), LicenseInfo(2, L2, 5, None)
    ann = person(1, "ann")
    rules = Rules([old, new], Ledger(used={1: 1}, held={1: {1}}), Scope(None), TODAY)
    decision = rules.replace(ann, old, new, row=2)
    assert [(c.op, c.license_id) for c in decision.changes] == [("assign", L2), ("revoke", L1)]
    assert rules.ledger.used == {1: 0, 2: 1}
    assert rules.ledger.held == {1: {2}}
    assert decide(rules, RawRow(3, "ann", "revoke", L1), [ann]).code == "not_assigned"


def test_a_tally_counts_every_outcome_each_time_it_occurs() -> None:
    tally = Tally()
    batch = [
        RowResult(2, "u", "assign", L1, outcome, "x", "m")
        for outcome in [Outcome.REJECTED, Outcome.APPLIED, Outcome.REJECTED, Outcome.UNCHANGED]
    ]
    tally.add_all(batch)
    assert tally == Tally(rows=4, applied=1, unchanged=1, rejected=2)
    tally.add_all(batch * 2)  # a later batch adds to the counts so far
    assert tally == Tally(rows=12, applied=3, unchanged=3, rejected=6)


def test_a_row_result_as_json_has_every_field_by_name() -> None:
    result = RowResult(4, "ann", "assign", L1, Outcome.APPLIED, "assigned", "Assigned.")
    assert result.as_dict() == {
        "row": 4,
        "username": "ann",
        "action": "assign",
        "license_id": L1,
        "outcome": "applied",
        "code": "assigned",
        "message": "Assigned.",
    }


def test_a_day_of_usage_as_json_and_as_a_csv_row() -> None:
    usage = DayUsage(date(2026, 1, 2), 3, 4, 5)
    assert usage.as_dict() == {"date": "2026-01-02", "assigned": 3, "peak": 4, "seats": 5}
    assert usage.as_row() == ("2026-01-02", "3", "4", "5")


def test_a_license_update_without_seats_keeps_the_seats_it_had() -> None:
    events = [
        LicenseEvent(date(2026, 1, 1), "license_add", "seats=3 expires=never"),
        LicenseEvent(date(2026, 1, 2), "license_update", "expires=2027-01-01 name='x'"),
    ]
    days = daily_usage(
        events, assigned_now=0, seats_now=3, first_day=date(2026, 1, 1), today=date(2026, 1, 2)
    )
    assert [d.seats for d in days] == [3, 3]


def test_autoassign_for_a_holder_of_two_licenses_names_both() -> None:
    rules = Rules(
        [LicenseInfo(1, L1, 5, None), LicenseInfo(2, L2, 5, None)],
        Ledger(used={1: 1, 2: 1}, held={1: {2, 1}}),
        Scope(None),
        TODAY,
    )
    result = decide(rules, RawRow(2, "ann", "autoassign", ""), [person(1, "ann")])
    assert (result.code, result.message) == ("already_licensed", f"'ann' already holds {L1}, {L2}.")


def test_an_autoassign_refused_for_the_user_shows_no_license_id() -> None:
    student = person(1, "stud", staff=(), roles=(1,))
    result = decide(
        rules_over(LicenseInfo(1, L1, 5, None)), RawRow(2, "stud", "autoassign", ""), [student]
    )
    assert (result.code, result.license_id) == ("not_academic_staff", "")


def test_replace_for_a_user_the_ledger_has_not_seen_assigns_the_new_license() -> None:
    old, new = LicenseInfo(1, L1, 5, None), LicenseInfo(2, L2, 5, None)
    rules = Rules([old, new], Ledger(used={2: 3}), Scope(None), TODAY)
    decision = rules.replace(person(1, "ann"), old, new, row=2)
    assert [(c.op, c.license_id) for c in decision.changes] == [("assign", L2)]
    assert (rules.ledger.used, rules.ledger.held) == ({2: 4}, {1: {2}})


def test_autoassign_without_a_free_seat_shows_no_license_id() -> None:
    result = decide(
        rules_over(LicenseInfo(1, L1, 0, None)),
        RawRow(2, "ann", "autoassign", ""),
        [person(1, "ann")],
    )
    assert (result.code, result.license_id) == ("no_license_available", "")


def test_revokeall_names_every_license_and_frees_one_seat_of_each() -> None:
    rules = Rules(
        [LicenseInfo(1, L1, 5, None), LicenseInfo(2, L2, 5, None)],
        Ledger(used={1: 3, 2: 1}, held={1: {1, 2}}),
        Scope(None),
        TODAY,
    )
    result = decide(rules, RawRow(2, "ann", "revokeall", ""), [person(1, "ann")])
    assert result.message == f"Revoked {L1}, {L2} from 'ann'."
    assert rules.ledger.used == {1: 2, 2: 0}


def test_a_user_without_academic_staff_is_in_scope_only_where_they_hold_a_role() -> None:
    manager = person(1, "mgr", staff=(), roles=(9,))
    assert not Scope(frozenset({1})).covers(manager)
    assert Scope(frozenset({9})).covers(manager)


def test_an_unknown_user_or_license_is_rejected_with_what_to_check() -> None:
    rules = rules_over(LicenseInfo(1, L1, 5, None))
    nobody = decide(rules, RawRow(2, "nobody", "assign", L1), [])
    assert (nobody.license_id, nobody.message) == (
        L1,
        "No user has the email or user name 'nobody': check the Username column against the "
        "Users export (person.csv).",
    )
    unknown = decide(rules, RawRow(3, "ann", "assign", L2), [person(1, "ann")])
    assert unknown.message == (
        f"License {L2} does not exist: check the License ID against the licenses on "
        "Manage Presenter Licenses."
    )


def test_revokeall_revokes_in_license_id_order_whatever_the_keys() -> None:
    rules = Rules(
        [LicenseInfo(1, L2, 5, None), LicenseInfo(2, L1, 5, None)],
        Ledger(used={1: 1, 2: 1}, held={1: {1, 2}}),
        Scope(None),
        TODAY,
    )
    cmd = validate(RawRow(2, "ann", "revokeall", ""))
    assert not isinstance(cmd, RowResult)
    decision = rules.decide(cmd, [person(1, "ann")])
    assert [c.license_id for c in decision.changes] == [L1, L2]


def test_shape_errors_say_what_is_wrong_with_the_cell() -> None:
    no_user = validate(RawRow(2, "", "assign", L1))
    empty = validate(RawRow(3, "ann", "", ""))
    wrong = validate(RawRow(4, "ann", "delete", ""))
    assert isinstance(no_user, RowResult) and isinstance(empty, RowResult)
    assert isinstance(wrong, RowResult)
    assert no_user.message == "The Username cell is empty: enter the user's email or user name."
    assert empty.message == (
        "Action empty is not valid: use assign, autoassign, revoke or revokeall."
    )
    assert wrong.message == (
        "Action 'delete' is not valid: use assign, autoassign, revoke or revokeall."
    )


def test_license_id_errors_report_the_action_normalized() -> None:
    missing = validate(RawRow(2, "ann", "Revoke", ""))
    invalid = validate(RawRow(3, "ann", "ASSIGN", "2013-07-05"))
    assert isinstance(missing, RowResult) and isinstance(invalid, RowResult)
    assert (missing.action, missing.code) == ("revoke", "missing_license_id")
    assert (invalid.action, invalid.code) == ("assign", "invalid_license_id")


def test_an_ambiguous_user_names_both_matches_in_user_order_when_the_actor_sees_both() -> None:
    # 'ann@x.edu' is one user's email and the other's user name (listed here in reverse order).
    first, second = person(1, "ann"), person(2, "ann@x.edu")
    result = decide(
        rules_over(LicenseInfo(1, L1, 5, None)),
        RawRow(2, "ann@x.edu", "assign", L1),
        [second, first],
    )
    assert (result.outcome, result.code, result.license_id) == ("rejected", "user_ambiguous", L1)
    assert result.message == (
        "'ann@x.edu' matches two users ('ann' and 'ann@x.edu'): one's user name is the other's "
        "email. Use the other identifier for this user."
    )


def test_an_ambiguous_user_names_no_one_when_one_match_is_outside_the_actors_scope() -> None:
    inside, outside = person(1, "ann", staff=(1,)), person(2, "ann@x.edu", staff=(2,))
    rules = rules_over(LicenseInfo(1, L1, 5, None), scope=Scope(frozenset({1})))
    result = decide(rules, RawRow(2, "ann@x.edu", "revokeall", ""), [inside, outside])
    assert (result.code, result.action, result.license_id) == ("user_ambiguous", "revokeall", "")
    assert result.message == (
        "'ann@x.edu' matches two users: one's user name is the other's email. Use the other "
        "identifier for this user."
    )
