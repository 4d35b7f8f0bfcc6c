"""Policy runs at the same time, in separate processes, beside an import: never an
oversubscribed license, never two licenses for one user from two policies, never a lost or
doubled assignment."""

from collections import Counter

import pytest

from plm.licensing.models import Assignment, License, Policy, PolicyLicense
from tests.builders import make_license, make_org, make_staff, write_csv
from tests.processes import finish, start

LID = "ID 2024-01-01-000001"
OTHER = "ID 2024-01-01-000002"


@pytest.mark.django_db(transaction=True)
def test_concurrent_policy_runs_and_an_import_never_oversubscribe_or_double_license(
    tmp_path,
) -> None:
    top = make_org("University")
    science = make_org("Science", top)
    users = [make_staff(f"u{i:03}", science) for i in range(300)]
    lic, other = make_license(LID, seats=120), make_license(OTHER, seats=100)
    science_policy = Policy.objects.create(name="Science", organization=science, enabled=False)
    everyone = Policy.objects.create(name="Everyone", organization=top, enabled=False)
    PolicyLicense.objects.create(policy=science_policy, license=lic, position=0)
    PolicyLicense.objects.create(policy=everyone, license=other, position=0)
    PolicyLicense.objects.create(policy=everyone, license=lic, position=1)
    revokes = write_csv(
        tmp_path / "r.csv",
        "Username,Action,License ID\n" + "".join(f"{u.username},revokeall,\n" for u in users[::7]),
    )

    procs = [
        start("policies", "apply", "Science", "--json", PLM_IMPORT_BATCH_ROWS="4"),
        start("policies", "apply", "Everyone", "--json", PLM_IMPORT_BATCH_ROWS="4"),
        start("policies", "apply", "Science", "--json", PLM_IMPORT_BATCH_ROWS="4"),
        start("import", str(revokes), "--json", PLM_IMPORT_BATCH_ROWS="4"),
    ]
    reports = [finish(p) for p in procs]
    for code, data, err in reports:
        assert code in (0, 3), err
        assert data["status"] == "completed", data

    for license in License.objects.all():
        count = Assignment.objects.filter(license=license).count()
        assert license.assigned == count <= license.seats
    per_user = Counter(Assignment.objects.values_list("user_id", flat=True))
    assert per_user and max(per_user.values()) == 1  # one license each, whatever the order
    # Every assignment a run reports is there, less those the import revoked (one each):
    # nothing lost, nothing doubled.
    given = sum(data["applied"] for _, data, _ in reports[:3])
    assert sum(per_user.values()) == given - reports[3][1]["applied"] <= 220
