"""Property tests: the reader round-trips what the writer writes, and the rules agree with a
small independent reference model of the documented behaviour."""

import io
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from plm.core.reader import inspect, records
from plm.core.results import RowResult
from plm.core.rules import Ledger, LicenseInfo, Person, RawRow, Rules, Scope, validate
from plm.core.text import nfc, strip_invisible
from plm.core.writer import LICENSES_HEADER, neutralize, write_csv

cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(cell, cell, cell), max_size=8), st.sampled_from(["utf-8", "utf-16"]))
def test_reader_reads_back_what_the_writer_wrote(
    rows: list[tuple[str, str, str]], encoding: str
) -> None:
    buffer = io.StringIO(newline="")
    write_csv(buffer, LICENSES_HEADER, rows)
    data = buffer.getvalue().encode(encoding)
    layout = inspect(lambda: io.BytesIO(data), required=["username", "action"])
    read = [
        (r.get(layout, "username"), r.get(layout, "action"), r.get(layout, "licenseid"))
        for r in records(lambda: io.BytesIO(data), layout)
    ]
    written = [[neutralize(v) for v in row] for row in rows]
    expected = [tuple(_clean(v) for v in row) for row in written if any(v.strip() for v in row)]
    assert read == expected


def _clean(value: str) -> str:
    value = strip_invisible(nfc(value))
    return value[1:].strip() if value.startswith("'") else value


TODAY = date(2026, 1, 1)
IDS = ["ID 2025-01-01-000001", "ID 2025-01-01-000002", "ID 2025-01-01-000003"]
LICENSES = [
    LicenseInfo(1, IDS[0], 1, None),
    LicenseInfo(2, IDS[1], 2, date(2025, 6, 1)),  # expired
    LicenseInfo(3, IDS[2], 2, None),
]
PEOPLE = [
    Person(1, "a", "a@x", True, frozenset({1}), frozenset({1})),
    Person(2, "b", "b@x", True, frozenset({1}), frozenset({1})),
    Person(3, "c", "c@x", False, frozenset({1}), frozenset({1})),  # inactive
    Person(4, "d", "d@x", True, frozenset(), frozenset({1})),  # not academic staff
    Person(5, "e", "e@x", True, frozenset({1}), frozenset({1})),
]

row_strategy = st.tuples(
    st.sampled_from(["a", "B@X", "c", "d", "e", "zz", ""]),
    st.sampled_from(["assign", "autoassign", "revoke", "revokeall", "nope"]),
    st.sampled_from([*IDS, "ID 2025-01-01-000009", "", "bad"]),
)


def reference(
    rows: list[tuple[str, str, str]],
    *,
    people: list[Person] = PEOPLE,
    licenses: list[LicenseInfo] = LICENSES,
    scope: frozenset[int] | None = None,
    held: dict[str, set[str]] | None = None,
) -> list[str]:
    """The documented rules, written independently and naively."""
    seats = {lic.license_id: lic.seats for lic in licenses}
    expired = {lic.license_id for lic in licenses if lic.expires and lic.expires < TODAY}
    holds: dict[str, set[str]] = {
        p.username: set(held.get(p.username, ())) if held else set() for p in people
    }
    codes = []
    for username, action, license_id in rows:
        user = next((p for p in people if username.lower() in (p.username, p.email)), None)
        if not username:
            codes.append("missing_username")
        elif action not in ("assign", "autoassign", "revoke", "revokeall"):
            codes.append("invalid_action")
        elif action in ("assign", "revoke") and not license_id:
            codes.append("missing_license_id")
        elif action in ("assign", "revoke") and license_id == "bad":
            codes.append("invalid_license_id")
        elif user is None:
            codes.append("user_not_found")
        elif action in ("assign", "revoke") and license_id not in seats:
            codes.append("license_not_found")
        elif scope is not None and not ((user.staff_orgs or user.role_orgs) & scope):
            # One scope: Academic Staff organizations, or any role's when staff nowhere.
            codes.append("out_of_scope")
        elif action == "assign":
            used = sum(license_id in h for h in holds.values())
            if license_id in holds[user.username]:
                codes.append("already_assigned")
            elif not user.active:
                codes.append("user_inactive")
            elif not user.staff_orgs:
                codes.append("not_academic_staff")
            elif license_id in expired:
                codes.append("license_expired")
            elif used >= seats[license_id]:
                codes.append("no_seat_available")
            else:
                holds[user.username].add(license_id)
                codes.append("assigned")
        elif action == "autoassign":
            if holds[user.username] - expired:
                codes.append("already_licensed")
            elif not user.active:
                codes.append("user_inactive")
            elif not user.staff_orgs:
                codes.append("not_academic_staff")
            else:
                free = [
                    i
                    for i in sorted(seats)
                    if i not in expired and sum(i in h for h in holds.values()) < seats[i]
                ]
                if free:
                    holds[user.username].add(free[0])
                    codes.append("assigned")
                else:
                    codes.append("no_license_available")
        elif action == "revoke":
            if license_id in holds[user.username]:
                holds[user.username].discard(license_id)
                codes.append("revoked")
            else:
                codes.append("not_assigned")
        else:
            codes.append("revoked" if holds[user.username] else "nothing_to_revoke")
            holds[user.username] = set()
    return codes


@settings(max_examples=300, deadline=None)
@given(st.lists(row_strategy, max_size=25))
def test_rules_agree_with_the_reference_model(rows: list[tuple[str, str, str]]) -> None:
    rules = Rules(LICENSES, Ledger(), Scope(None), TODAY)
    got = []
    for n, (username, action, license_id) in enumerate(rows, start=2):
        checked = validate(RawRow(n, username, action, license_id))
        if isinstance(checked, RowResult):
            got.append(checked.code)
            continue
        matches = [p for p in PEOPLE if checked.key in (p.username, p.email)]
        got.append(rules.decide(checked, matches).result.code)
    assert got == reference(rows)
    for lic in LICENSES:
        assert rules.ledger.used.get(lic.pk, 0) <= lic.seats


# With a scoped actor, a license expiring today (valid through today), an expired one, holders
# already in place (an inactive one among them) and someone who is staff in another branch.
SCOPED_LICENSES = [
    LicenseInfo(1, IDS[0], 2, TODAY),  # last valid day: today
    LicenseInfo(2, IDS[1], 1, date(2025, 12, 31)),  # expired yesterday
    LicenseInfo(3, IDS[2], 1, None),
]
SCOPED_PEOPLE = [
    *PEOPLE,
    Person(6, "f", "f@x", True, frozenset({2}), frozenset({1, 2})),  # staff in org 2, role in 1
    Person(7, "g", "g@x", True, frozenset(), frozenset({2})),  # a role in org 2 only
]
scoped_rows = st.tuples(
    st.sampled_from(["a", "B@X", "c", "d", "e", "f", "g", "zz"]),
    st.sampled_from(["assign", "autoassign", "revoke", "revokeall"]),
    st.sampled_from([*IDS, "ID 2025-01-01-000009"]),
)
holdings = st.dictionaries(
    st.sampled_from(["a", "c", "f", "g"]), st.sets(st.sampled_from(IDS), max_size=2), max_size=3
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(scoped_rows, max_size=20),
    st.sampled_from([None, frozenset({1}), frozenset({2})]),
    holdings,
)
def test_rules_agree_with_the_reference_model_for_scoped_actors_and_existing_holders(
    rows: list[tuple[str, str, str]], scope: frozenset[int] | None, held: dict[str, set[str]]
) -> None:
    by_id = {lic.license_id: lic for lic in SCOPED_LICENSES}
    ledger = Ledger()
    for name, ids in held.items():
        person = next(p for p in SCOPED_PEOPLE if p.username == name)
        ledger.held[person.pk] = {by_id[i].pk for i in ids}
        for i in ids:
            ledger.used[by_id[i].pk] = ledger.used.get(by_id[i].pk, 0) + 1
    rules = Rules(SCOPED_LICENSES, ledger, Scope(scope), TODAY)
    got = []
    for n, (username, action, license_id) in enumerate(rows, start=2):
        checked = validate(RawRow(n, username, action, license_id))
        assert not isinstance(checked, RowResult)
        matches = [p for p in SCOPED_PEOPLE if checked.key in (p.username, p.email)]
        got.append(rules.decide(checked, matches).result.code)
    expected = reference(
        rows, people=SCOPED_PEOPLE, licenses=SCOPED_LICENSES, scope=scope, held=held
    )
    assert got == expected
