"""A long import reads the directory once (SQLite) and must still decide every batch against the
current users: a change between two batches (a user deactivated, a role taken away, a user
added, an email changed) is seen by the next batch, on both databases. Batches are 2 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plm.app.assignments import assignment_apply
from plm.bulk import change_count
from plm.clock import now
from plm.core.text import fold
from plm.directory.actors import system_actor
from plm.directory.models import RoleGrant, User
from plm.directory.people import DirectoryInMemory, people_for_keys
from tests.builders import import_with_change_between_batches as run
from tests.builders import make_staff, make_user
from tests.integration.conftest import L2


@pytest.fixture(autouse=True)
def two_row_batches(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PLM_IMPORT_BATCH_ROWS = 2


ROWS = f"ann,assign,{L2}\nbob,assign,{L2}\ncat,assign,{L2}\nnew,assign,{L2}\n"


def test_a_user_deactivated_between_batches_is_refused_by_the_next_batch(campus) -> None:
    got = run(ROWS, lambda: User.objects.filter(username="cat").update(is_active=False))
    assert got[2] == (4, "rejected", "user_inactive")


def test_a_role_taken_away_between_batches_is_seen_by_the_next_batch(campus) -> None:
    got = run(ROWS, lambda: RoleGrant.objects.filter(user__username="cat").delete())
    assert got[2] == (4, "rejected", "not_academic_staff")


def test_a_user_added_between_batches_is_found_by_the_next_batch(campus) -> None:
    got = run(ROWS, lambda: make_staff("new", campus.arts, "new@example.com"))
    assert got[3] == (5, "applied", "assigned")


def test_an_email_changed_between_batches_is_looked_up_anew(campus) -> None:
    def rename() -> None:
        user = User.objects.get(username="cat")
        user.email = "cat.new@example.com"
        user.save()

    got = run(
        f"ann,assign,{L2}\nbob,assign,{L2}\ncat@example.com,assign,{L2}\n"
        f"cat.new@example.com,assign,{L2}\n",
        rename,
    )
    assert got[2:] == [(4, "rejected", "user_not_found"), (5, "applied", "assigned")]


def test_a_long_import_on_sqlite_reads_the_users_table_once_while_nothing_changes(
    campus,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL looks every batch's users up (no change counter there)")
    text = "".join(f"{name},assign,{L2}\n" for name in ("ann", "bob", "cat") * 4)
    with CaptureQueriesContext(connection) as queries:
        got = run(text)
    assert [code for _, _, code in got].count("assigned") == 3
    reads = [q["sql"] for q in queries if "FROM directory_user" in q["sql"].replace('"', "")]
    assert len(reads) == 2, reads  # the count, then the one scan: six batches, no look-ups


def test_a_small_file_against_a_larger_directory_looks_users_up_batch_by_batch(campus) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL always looks up")
    with CaptureQueriesContext(connection) as queries:
        run(f"ann,assign,{L2}\nbob,assign,{L2}\n")  # 2 rows, 8 users: not worth a scan
    scans = [q["sql"] for q in queries if "username_key IN" in q["sql"].replace('"', "")]
    assert scans  # looked up by key


def test_the_directory_change_count_moves_with_names_roles_activity_and_new_users_only(
    campus,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The count is SQLite's (migration directory 0006)")
    seen = [change_count("directory")]

    def moved() -> bool:
        seen.append(change_count("directory"))
        return seen[-1] != seen[-2]

    User.objects.filter(username="ann").update(last_login=now())
    assert not moved()
    assignment_apply(actor=system_actor(), username="ann", action="assign", license_id=L2)
    assert not moved()  # another topic's table
    User.objects.filter(username="ann").update(is_active=False)
    assert moved()
    User.objects.filter(username="bob").update(email="bob2@example.com")
    assert moved()
    RoleGrant.objects.filter(user__username="bob").update(role="Student")
    assert moved()
    make_user("dan", "dan@example.com")  # an insert: no trigger, the sequence moves
    assert moved()
    RoleGrant.objects.create(user=campus.cat, organization=campus.arts, role="Student")
    assert moved()
    RoleGrant.objects.filter(user=campus.cat, role="Student").delete()
    assert moved()
    User.objects.filter(username="dan").delete()
    assert moved()


def test_the_directory_in_memory_answers_every_key_as_a_look_up_does(campus) -> None:
    """Ambiguous keys (one's user name is another's email), no email, mixed case, several
    roles and organizations, unknown keys: the same people for every key."""
    make_user("Zed@Example.com", "zed.real@example.com", roles=[(campus.arts, "Academic Staff")])
    make_user("zoe", "zed@example.com", roles=[(campus.arts, "Student")])
    make_user("NoMail", "", roles=[(campus.physics, "Academic Staff"), (campus.arts, "Student")])
    make_user(
        "multi",
        "Multi@Example.com",
        roles=[(campus.physics, "Academic Staff"), (campus.arts, "Academic Staff")],
    )
    keys = [fold(v) for u in User.objects.all() for v in (u.username, u.email) if v]
    keys += ["nobody", "zed@example.com", ""]
    in_memory = DirectoryInMemory(rows=len(keys))
    answered = in_memory(keys)

    def same(people):  # type: ignore[no-untyped-def]
        return sorted(people, key=lambda p: p.pk)

    looked_up = people_for_keys(keys)
    assert {k: same(v) for k, v in answered.items()} == {k: same(v) for k, v in looked_up.items()}
    assert len(answered["zed@example.com"]) == 2  # the ambiguous key stays ambiguous


ODD_NAMES = ['o"neil', "back\\slash", "a,b", "{x}", "tab\there", "Zoë", "NULL", "émile", "'q'"]


def test_a_batch_look_up_finds_users_whose_names_hold_quotes_commas_and_backslashes(
    campus,
) -> None:
    """The keys go to the database as one parameter (bulk.in_list: a JSON array on
    PostgreSQL), so each must arrive exactly as it was: found, and nothing found for a part."""
    for i, name in enumerate(ODD_NAMES):
        make_user(name, f"odd{i}@example.edu")
    keys = [fold(name) for name in ODD_NAMES] + ["o", "neil", "a", "b", "x"]
    found = people_for_keys(keys)
    got = {key: [p.username for p in people] for key, people in found.items()}
    assert got == {
        **{fold(name): [name] for name in ODD_NAMES},
        **{part: [] for part in ("o", "neil", "a", "b", "x")},
    }
    by_pk = people_for_keys([f"odd{i}@example.edu" for i in range(len(ODD_NAMES))])
    assert sorted(p.username for people in by_pk.values() for p in people) == sorted(ODD_NAMES)
