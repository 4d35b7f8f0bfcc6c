"""Licenses about to expire: plm licenses expiring, the e-mail digest, the page card."""

from datetime import timedelta

from django.core import mail
from django.test import Client

from plm.clock import today
from tests.builders import make_license, make_user, plm


def test_expiring_lists_unexpired_licenses_within_the_window_soonest_first(campus) -> None:
    on = today()
    make_license("ID 2030-01-01-000003", expires=on + timedelta(days=45))
    make_license("ID 2030-01-01-000002", expires=on)
    make_license("ID 2030-01-01-000004", expires=on + timedelta(days=120))
    rows = plm("licenses", "expiring", "--json").json
    assert [(r["license_id"], r["days_left"]) for r in rows] == [("ID 2030-01-01-000002", 0)]
    rows = plm("licenses", "expiring", "--days", "90", "--json").json
    assert [r["license_id"] for r in rows] == ["ID 2030-01-01-000002", "ID 2030-01-01-000003"]
    assert (
        plm("licenses", "expiring", "--days", "-1", "--json").json["error"]["code"]
        == "invalid_argument"
    )


def test_the_digest_goes_once_to_system_administrators(campus, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_user("root", "root@example.edu", sysadmin=True)
    make_user("root2", "", sysadmin=True)  # no email: skipped
    make_license("ID 2030-01-01-000005", expires=today() + timedelta(days=10))
    assert plm("notify-expiring").code == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["root@example.edu"]
    assert "ID 2030-01-01-000005" in mail.outbox[0].body and "10 days left" in mail.outbox[0].body
    mail.outbox.clear()
    plm("notify-expiring", "--days", "5")
    assert mail.outbox == []  # nothing expires within 5 days: no mail


def test_the_licenses_page_shows_expiring_within_30_60_90_days(campus) -> None:
    on = today()
    make_license("ID 2030-01-01-000006", expires=on + timedelta(days=20))
    make_license("ID 2030-01-01-000007", expires=on + timedelta(days=75))
    client = Client()
    client.force_login(make_user("root", sysadmin=True))
    page = client.get("/licensing/").content.decode()
    assert 'data-expiring="30">1<' in page and 'data-expiring="60">1<' in page
    assert 'data-expiring="90">2<' in page and "20 days left" in page
