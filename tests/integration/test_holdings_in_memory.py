"""A long import keeps the holdings its earlier batches read (SQLite) and must still decide
every batch against the current holdings: an assignment changed by someone else between two
batches is seen by the next batch, and the seat counts stay true, on both databases. Batches
are 2 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plm.app.assignments import assignment_apply
from plm.bulk import change_count
from plm.directory.actors import system_actor
from plm.directory.models import User
from plm.licensing.models import Assignment, License
from tests.builders import holders
from tests.builders import import_with_change_between_batches as run
from tests.integration.conftest import L1, L2


@pytest.fixture(autouse=True)
def two_row_batches(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PLM_IMPORT_BATCH_ROWS = 2


def seats_true() -> None:
    for lic in License.objects.all():
        assert lic.assigned == Assignment.objects.filter(license=lic).count(), lic.license_id


def test_a_license_revoked_by_someone_else_between_batches_is_not_revoked_twice(campus) -> None:
    def revoke_elsewhere() -> None:
        assignment_apply(actor=system_actor(), username="ann", action="revoke", license_id=L2)

    got = run(f"ann,assign,{L2}\nbob,assign,{L2}\nann,revoke,{L2}\n", revoke_elsewhere)
    assert got[2][2] != "revoked"  # the next batch saw that ann no longer holds it
    assert holders(L2) == {"bob"}
    seats_true()


def test_a_license_assigned_by_someone_else_between_batches_is_seen_by_the_next_batch(
    campus,
) -> None:
    def assign_elsewhere() -> None:
        assignment_apply(actor=system_actor(), username="ann", action="assign", license_id=L1)

    got = run(f"ann,assign,{L2}\nbob,assign,{L2}\nann,revoke,{L1}\n", assign_elsewhere)
    assert got[1:] == [(3, "applied", "assigned"), (4, "applied", "revoked")]
    assert holders(L1) == set()
    seats_true()


def test_a_long_import_on_sqlite_reads_a_users_holdings_once_while_nobody_else_writes(
    campus,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL reads every batch's holdings (no change count there)")
    text = f"ann,assign,{L2}\nann,revoke,{L2}\n" * 3
    with CaptureQueriesContext(connection) as queries:
        got = run(text)
    assert [code for _, _, code in got] == ["assigned", "revoked"] * 3
    reads = [q for q in queries if "FROM licensing_assignment WHERE user_id" in q["sql"]]
    assert len(reads) == 1, reads  # three batches, one read of ann's holdings
    seats_true()


def test_the_assignments_change_count_moves_with_every_assignment_added_or_removed(
    campus,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The count is SQLite's (migration licensing 0004)")
    seen = [change_count("assignments")]

    def moved() -> bool:
        seen.append(change_count("assignments"))
        return seen[-1] != seen[-2]

    assignment_apply(actor=system_actor(), username="ann", action="assign", license_id=L2)
    assert moved()
    made = Assignment.objects.get(user=campus.ann)
    Assignment.objects.filter(pk=made.pk).update(license=License.objects.get(license_id=L1))
    assert moved()
    Assignment.objects.filter(pk=made.pk).update(assigned_by="someone")
    assert not moved()
    Assignment.objects.filter(pk=made.pk).delete()
    assert moved()
    User.objects.filter(username="ann").update(is_active=False)
    assert not moved()  # another topic's table
