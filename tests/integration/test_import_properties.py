"""Properties on the real database: a dry run reports exactly what the real run does (plain
and sync imports), and importing an export changes nothing — for generated files."""

import io

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plm.app.imports import bytes_opener, import_run
from plm.core.writer import LICENSES_HEADER, write_csv
from plm.directory.actors import actor_named
from plm.directory.models import Organization, RoleGrant, User
from plm.imports.records import job_as_dict
from plm.licensing.export import export_rows
from plm.licensing.models import Assignment
from tests.builders import make_license, make_org, make_staff, make_user

IDS = ["ID 2025-01-01-000001", "ID 2025-01-01-000002", "ID 2019-01-01-000003"]
NAMES = ["a", "b", "c", "d", "stud", "A@EXAMPLE.EDU", "nobody"]

rows = st.lists(
    st.tuples(
        st.sampled_from(NAMES),
        st.sampled_from(["assign", "autoassign", "revoke", "revokeall", "Assign", "x"]),
        st.sampled_from([*IDS, "", "bad", "ID 2099-01-01-000009"]),
    ),
    max_size=20,
)


def world() -> None:
    from datetime import date

    org = make_org("Org")
    for name in "abcd":
        make_staff(name, org, f"{name}@example.edu")
    make_user("stud", "stud@example.edu")
    make_license(IDS[0], seats=2)
    make_license(IDS[1], seats=1)
    make_license(IDS[2], seats=3, expires=date(2019, 12, 31))


def run(
    data: bytes, dry_run: bool, *, percent: int | None = None, actor: str | None = None
) -> dict:
    """One import of `data`; `percent` makes it a sync import with that threshold."""
    job = import_run(
        actor=actor_named(actor, "cli"),
        opener=bytes_opener(data),
        file_name="t.csv",
        dry_run=dry_run,
        sync=percent is not None,
        max_revoke_percent=percent,
    )
    return job_as_dict(job)


def to_csv(body: list[tuple[str, str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    write_csv(buffer, LICENSES_HEADER, body)
    return buffer.getvalue().encode("utf-8")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=rows, body=rows)
def test_dry_run_equals_real_run_and_export_import_is_a_no_op(db, prefix, body) -> None:
    with transaction.atomic():
        world()
        run(to_csv(prefix), dry_run=False)  # some starting holdings
        before = set(Assignment.objects.values_list("user_id", "license_id"))
        dry = run(to_csv(body), dry_run=True)
        assert set(Assignment.objects.values_list("user_id", "license_id")) == before
        real = run(to_csv(body), dry_run=False)
        assert dry["results"] == real["results"]
        assert (dry["applied"], dry["unchanged"], dry["rejected"]) == (
            real["applied"],
            real["unchanged"],
            real["rejected"],
        )

        after = set(Assignment.objects.values_list("user_id", "license_id"))
        again = run(to_csv(export_rows()), dry_run=False)
        assert {r["code"] for r in again["results"]} <= {"already_assigned"}
        assert set(Assignment.objects.values_list("user_id", "license_id")) == after
        transaction.set_rollback(True)


def sync_world() -> None:
    world()
    other = make_org("Other")
    for name in ("e", "f"):
        make_staff(name, other, f"{name}@example.edu")
    make_user("mgr", roles=[(Organization.objects.get(name="Org"), "Administrator")])
    RoleGrant.objects.create(
        user=User.objects.get(username="mgr"),
        organization=Organization.objects.get(name="Org"),
        role="License Manager",
    )


sync_rows = st.lists(
    st.tuples(
        st.sampled_from([*NAMES, "e", "f"]),
        st.sampled_from(["assign", "assign", "assign", "revoke", "autoassign"]),
        st.sampled_from([*IDS, "", "ID 2099-01-01-000009"]),
    ),
    max_size=20,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=sync_rows,
    body=sync_rows,
    percent=st.sampled_from([0, 10, 50, 100]),
    actor=st.sampled_from([None, "mgr"]),
)
def test_sync_dry_run_equals_the_real_run(db, prefix, body, percent, actor) -> None:
    with transaction.atomic():
        sync_world()
        run(to_csv(prefix), dry_run=False)  # some starting holdings, in and out of scope
        before = set(Assignment.objects.values_list("user_id", "license_id"))
        dry = run(to_csv(body), dry_run=True, percent=percent, actor=actor)
        assert set(Assignment.objects.values_list("user_id", "license_id")) == before
        real = run(to_csv(body), dry_run=False, percent=percent, actor=actor)
        keys = ("status", "error", "rows", "applied", "unchanged", "rejected", "results")
        assert {k: dry.get(k) for k in keys} == {k: real.get(k) for k in keys}
        if real["status"] == "refused":
            assert set(Assignment.objects.values_list("user_id", "license_id")) == before
        transaction.set_rollback(True)
