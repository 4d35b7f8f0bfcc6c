"""plm licenses add / update / delete / list, and plm orgs."""

from datetime import UTC, datetime

import pytest

from plm.licensing.models import Assignment, License
from tests.builders import make_license, make_org, make_staff, plm

LID = "ID 2024-08-01-000123"


def test_add_list_update_delete(db) -> None:
    assert (
        plm("licenses", "add", "id 2024-08-01-000123", "--seats", "3", "--name", "Main").code == 0
    )
    listed = plm("licenses", "list", "--json").json
    assert listed == [
        {
            "license_id": LID,
            "name": "Main",
            "seats": 3,
            "assigned": 0,
            "available": 3,
            "expires": None,
            "expired": False,
            "badge": "",
        }
    ]
    assert plm("licenses", "update", LID, "--expires", "2020-01-31").code == 0
    assert plm("licenses", "list", "--json").json[0]["expired"] is True
    assert plm("licenses", "update", LID, "--no-expires", "--seats", "5").code == 0
    lic = License.objects.get()
    assert (lic.seats, lic.expires) == (5, None)
    assert plm("licenses", "delete", LID).code == 0
    assert License.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["licenses", "add", LID, "--seats", "1"], "license_exists"),
        (["licenses", "add", "2024-08-01-000124", "--seats", "1"], "invalid_license_id"),
        (["licenses", "add", "ID 2024-08-01-000124", "--seats", "-1"], "invalid_seats"),
        (["licenses", "update", LID, "--seats", "0"], "seats_below_assigned"),
        (["licenses", "update", "ID 2024-08-01-000999", "--seats", "9"], "license_not_found"),
        (["licenses", "delete", LID], "license_in_use"),
        (["licenses", "update", LID, "--expires", "31/01/2020"], "invalid_argument"),
    ],
)
def test_license_command_errors(db, args, code) -> None:
    lic = make_license(LID, seats=2)
    staff = make_staff("ann", make_org("Science"))
    Assignment.objects.create(
        user=staff,
        license=lic,
        assigned_at=datetime(2024, 1, 1, tzinfo=UTC),
        assigned_by="t",
        source="cli",
    )
    License.objects.filter(pk=lic.pk).update(assigned=1)
    run = plm(*args, "--json")
    assert run.code == 2
    assert run.json["error"]["code"] == code


def test_expiry_uses_the_configured_time_zone(db, settings) -> None:
    # A fixed instant: the two zones are 25 hours apart, so "now" would give
    # one day or two depending on the hour the suite runs (CI failed at 10:xx UTC).
    from datetime import UTC, date, datetime

    from plm.clock import local_day, today

    noon = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    settings.PLM_TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    assert local_day(noon) == date(2026, 3, 2)
    ahead = today()
    settings.PLM_TIME_ZONE = "Pacific/Pago_Pago"  # UTC-11
    assert local_day(noon) == date(2026, 3, 1)
    assert (ahead - today()).days in (1, 2)


def test_orgs_tree(db) -> None:
    assert plm("orgs", "add", "University").code == 0
    assert plm("orgs", "add", "Science", "--parent", "university").code == 0
    assert plm("orgs", "list", "--json").json == [
        {"name": "Science", "parent": "University", "path": "University › Science"},
        {"name": "University", "parent": None, "path": "University"},
    ]
    dup = plm("orgs", "add", "SCIENCE", "--json")
    assert dup.code == 2 and dup.json["error"]["code"] == "org_exists"
    assert (
        plm("orgs", "add", "X", "--parent", "Nowhere", "--json").json["error"]["code"]
        == "org_not_found"
    )
