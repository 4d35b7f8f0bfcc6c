"""Numbers no database column holds (20 digits) are refused with a code, never a 500, the same
on SQLite and PostgreSQL (hardening issue, finding 7)."""

from django.test import Client

from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.licensing.models import License
from tests.builders import make_user, plm

BIG = "99999999999999999999"


def test_twenty_digit_numbers_get_an_answer_not_a_500(campus) -> None:
    root = make_user("root", sysadmin=True)
    _, token = token_create(actor=system_actor(), user=root)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    added = api.post(
        "/api/v1/licenses",
        {"license_id": "ID 2030-01-01-000001", "seats": int(BIG)},
        content_type="application/json",
    )
    assert added.status_code == 422 and added.json()["error"]["code"] in (
        "invalid_seats",
        "invalid_request",
    )
    assert api.get(f"/api/v1/imports/{BIG}").status_code == 404
    cli = plm("licenses", "add", "ID 2030-01-01-000002", "--seats", BIG, "--json")
    assert cli.code == 2 and cli.json["error"]["code"] == "invalid_seats"
    assert not License.objects.filter(license_id__startswith="ID 2030").exists()

    web = Client()
    web.force_login(root)
    assert web.get(f"/users/?org={BIG}").status_code == 200
    assert web.get(f"/users/{BIG}/").status_code == 404
    assert web.get(f"/imports/{BIG}/").status_code == 404
    bulk = web.post("/users/bulk/", {"user": [BIG], "action": "revokeall"})
    assert bulk.status_code in (200, 302)  # "select at least one user", nothing done
