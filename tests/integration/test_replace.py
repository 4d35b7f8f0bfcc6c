"""One-step renewal (plm licenses replace, the Manage page action, the API)."""

from urllib.parse import quote

from django.test import Client

from plm.audit.models import AuditEvent
from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.licensing.models import License
from tests.builders import holders, make_license, make_user, plm
from tests.integration.conftest import EXPIRED, L1, L2

NEW = "ID 2026-01-01-000001"


def setup_holders(campus) -> None:  # type: ignore[no-untyped-def]
    for who in ("ann", "bob"):
        plm("assign", who, L1)
    make_license(NEW, seats=1)
    plm("assign", "cat", L2)


def test_replace_moves_every_holder_it_can_and_keeps_the_rest(campus) -> None:
    setup_holders(campus)
    plm("assign", "bob", NEW)  # bob already holds NEW: replaced, only L1 revoked
    dry = plm("licenses", "replace", L1, NEW, "--dry-run", "--json")
    assert License.objects.get(license_id=L1).assigned == 2
    run = plm("licenses", "replace", L1, NEW, "--json")
    assert run.code == 3
    results = [
        (r["row"], r["username"], r["action"], r["license_id"], r["code"])
        for r in run.json["results"]
    ]
    assert results == [
        (1, "ann", "replace", NEW, "no_seat_available"),
        (2, "bob", "replace", NEW, "replaced"),
    ]
    assert dry.json["results"] == run.json["results"]
    assert holders(L1) == {"ann"} and holders(NEW) == {"bob"}
    events = list(
        AuditEvent.objects.filter(import_id=run.json["import_id"]).values_list(
            "row", "action", "username", "license_id"
        )
    )
    assert events == [(2, "revoke", "bob", L1)]


def test_replace_fatal_errors(campus) -> None:
    assert (
        plm("licenses", "replace", L1, L1.lower(), "--json").json["error"]["code"] == "same_license"
    )
    missing = plm("licenses", "replace", L1, "ID 2099-01-01-000001", "--json")
    assert missing.code == 2 and missing.json["error"]["code"] == "license_not_found"


def test_replace_into_an_expired_license_keeps_everyone(campus) -> None:
    setup_holders(campus)
    run = plm("licenses", "replace", L1, EXPIRED, "--json")
    assert {r["code"] for r in run.json["results"]} == {"license_expired"}
    assert holders(L1) == {"ann", "bob"}


def test_replace_on_the_web_and_through_the_api(campus) -> None:
    setup_holders(campus)
    License.objects.filter(license_id=NEW).update(seats=5)
    root = make_user("root", sysadmin=True)
    client = Client()
    client.force_login(root)
    assert "Replace license" in client.get("/licensing/").content.decode()
    asked = client.post("/licensing/replace/", {"old": L1, "new": NEW})  # the confirmation step
    assert asked.status_code == 200 and holders(NEW) == set()
    assert f"Replace {L1} with {NEW} for 2 holders?" in asked.content.decode()
    response = client.post("/licensing/replace/", {"old": L1, "new": NEW, "confirmed": "1"})
    assert response.status_code == 302 and holders(NEW) == {"ann", "bob"}
    _, token = token_create(actor=system_actor(), user=root)
    api = client.post(
        f"/api/v1/licenses/{quote(NEW)}/replace",
        {"new_license_id": L2},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert (
        api.status_code == 200
        and api.json()["applied"] == 2
        and api.json()["status"] == "completed"
    )
    assert holders(L2) == {"ann", "bob", "cat"} and holders(NEW) == set()
