"""Properties of policy runs on the real database, over generated organizations, roles, pools
and holdings: a preview reports exactly what the run that follows does; a run never
oversubscribes a license and never gives a user a second current license."""

from datetime import date

from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plm.app.policies import PolicyInput, policy_add, policy_run
from plm.directory.actors import system_actor
from plm.directory.models import RoleGrant
from plm.imports.records import job_as_dict
from plm.licensing.models import Assignment, License
from tests.builders import STAFF, make_license, make_org, make_user

IDS = ["ID 2025-01-01-000001", "ID 2025-01-01-000002", "ID 2019-01-01-000003"]
ROLES = [STAFF, STAFF, "Scheduler", None]

people = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(ROLES), st.booleans()), min_size=1, max_size=8
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    users=people,
    seats=st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
    pool=st.lists(st.sampled_from(IDS), min_size=1, max_size=3, unique=True),
    org=st.integers(0, 2),
    held=st.lists(st.tuples(st.integers(0, 7), st.sampled_from(IDS)), max_size=6),
    changes=st.lists(st.tuples(st.integers(0, 7), st.sampled_from(ROLES)), max_size=4),
    revoke=st.booleans(),
    percent=st.sampled_from([0, 50, 100]),
)
def test_a_policy_preview_equals_its_run_and_never_oversubscribes(
    db, users, seats, pool, org, held, changes, revoke, percent
) -> None:
    with transaction.atomic():
        top = make_org("Top")
        orgs = [top, make_org("Left", top), make_org("Right", top)]
        made = []
        for i, (where, role, active) in enumerate(users):
            roles = [(orgs[where], role)] if role else []
            made.append(make_user(f"u{i}", f"u{i}@example.edu", roles=roles, active=active))
        for lid, n in zip(IDS, seats, strict=True):
            make_license(lid, seats=n, expires=date(2019, 12, 31) if lid == IDS[2] else None)
        licenses = {lic.license_id: lic for lic in License.objects.all()}
        for who, lid in held:  # holdings from before the policy, within the seats
            lic = licenses[lid]
            lic.refresh_from_db()
            if who < len(made) and lic.assigned < lic.seats:
                _, created = Assignment.objects.get_or_create(
                    user=made[who],
                    license=lic,
                    defaults={"assigned_at": "2026-01-01T00:00:00Z", "source": "cli"},
                )
                if created:
                    License.objects.filter(pk=lic.pk).update(assigned=lic.assigned + 1)
        actor = system_actor()
        data = PolicyInput(
            name="P",
            organization=orgs[org].name,
            licenses=pool,
            revoke_ineligible=revoke,
            max_revoke_percent=percent,
        )
        policy_add(actor=actor, data=data)
        policy_run(actor=actor, ref="P")  # a first run: the policy knows its members
        for who, role in changes:  # then roles change: some leave, some join
            if who < len(made):
                RoleGrant.objects.filter(user=made[who]).delete()
                if role:
                    RoleGrant.objects.create(user=made[who], organization=orgs[1], role=role)
        before = set(Assignment.objects.values_list("user_id", "license_id"))
        preview = job_as_dict(policy_run(actor=actor, ref="P", dry_run=True))
        assert set(Assignment.objects.values_list("user_id", "license_id")) == before
        real = job_as_dict(policy_run(actor=actor, ref="P"))
        keys = ("status", "error", "rows", "applied", "unchanged", "rejected", "results")
        assert {k: preview.get(k) for k in keys} == {k: real.get(k) for k in keys}
        for lic in License.objects.all():
            assert lic.assignments.count() == lic.assigned <= lic.seats
        given_now = [r["username"] for r in real["results"] if r["code"] == "assigned"]
        assert len(given_now) == len(set(given_now))
        current = (
            Assignment.objects.exclude(license__license_id=IDS[2])
            .values("user_id")
            .annotate(n=Count("id"))
        )
        newly = {u.pk for u in made if u.username in given_now}
        assert all(row["n"] == 1 for row in current if row["user_id"] in newly)
        transaction.set_rollback(True)
