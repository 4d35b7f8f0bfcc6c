"""A license's utilization (seats per day from the audit log): CLI, web page and API agree."""

import csv
import io
from datetime import timedelta

from django.db import connection
from django.test import Client

from plm.audit.models import AuditEvent
from plm.clock import today
from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from tests.builders import make_user, plm, write_csv

LIC = "ID 2026-01-01-000777"


def backdate(days: int) -> None:
    """As if every event so far about LIC had happened `days` days earlier (history to chart)."""
    table = AuditEvent._meta.db_table
    ids = list(AuditEvent.objects.filter(license_id=LIC).values_list("id", flat=True))
    with connection.cursor() as cursor:
        for pk, at in AuditEvent.objects.filter(id__in=ids).values_list("id", "at"):
            cursor.execute(f"UPDATE {table} SET at = %s WHERE id = %s", [at - timedelta(days), pk])


def run_file(tmp_path, body: str) -> None:
    path = write_csv(tmp_path / "f.csv", "Username,Action,License ID\n" + body)
    assert plm("import", str(path)).code in (0, 3)


def test_cli_web_and_api_give_the_same_days(campus, tmp_path) -> None:
    assert plm("licenses", "add", LIC, "--seats", "2").code == 0
    run_file(tmp_path, f"ann,assign,{LIC}\nbob,assign,{LIC}\n")
    backdate(1)  # now two days ago: created, ann and bob
    run_file(tmp_path, f"bob,revoke,{LIC}\n")
    backdate(1)  # yesterday: bob revoked
    run_file(tmp_path, f"cat,assign,{LIC}\n")
    assert plm("licenses", "update", LIC, "--seats", "5").code == 0
    d = today()
    expected = [
        ["Date", "Assigned", "Peak", "Seats"],
        [(d - timedelta(2)).isoformat(), "2", "2", "2"],
        [(d - timedelta(1)).isoformat(), "1", "2", "2"],
        [d.isoformat(), "2", "2", "5"],
    ]

    cli = plm("licenses", "utilization", LIC)
    assert cli.code == 0
    assert list(csv.reader(io.StringIO(cli.stdout.lstrip("\ufeff")))) == expected
    cli_json = plm("licenses", "utilization", LIC, "--json").json
    assert cli_json["days"][-1] == {"date": d.isoformat(), "assigned": 2, "peak": 2, "seats": 5}

    root = make_user("root", "root@example.com", sysadmin=True)
    web = Client()
    web.force_login(root)
    page = web.get(f"/licensing/{LIC}/").content.decode()
    assert "<svg" in page and "2 of 5 now, at most 2" in page
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    web_csv = web.get(f"/licensing/{LIC}/utilization.csv")
    assert web_csv["Content-Type"].startswith("text/csv")
    web_bytes = b"".join(web_csv.streaming_content)
    assert list(csv.reader(io.StringIO(web_bytes.decode("utf-8-sig")))) == expected

    _, token = token_create(actor=system_actor(), user=root)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api = Client().get(f"/api/v1/licenses/{LIC}/utilization", **auth).json()
    assert api == cli_json
    api_csv = Client().get(f"/api/v1/licenses/{LIC}/utilization?format=csv", **auth)
    assert b"".join(api_csv.streaming_content) == web_bytes


def test_a_license_id_added_again_starts_a_new_history(campus, tmp_path) -> None:
    plm("licenses", "add", LIC, "--seats", "3")
    run_file(tmp_path, f"ann,assign,{LIC}\nbob,assign,{LIC}\n")
    run_file(tmp_path, f"ann,revoke,{LIC}\nbob,revoke,{LIC}\n")
    assert plm("licenses", "delete", LIC).code == 0
    plm("licenses", "add", LIC, "--seats", "1")
    days = plm("licenses", "utilization", LIC, "--json").json["days"]
    assert [(x["assigned"], x["peak"], x["seats"]) for x in days] == [(0, 0, 1)]


def test_an_unknown_license_is_license_not_found_on_every_face(campus) -> None:
    run = plm("licenses", "utilization", "ID 1999-01-01-000000", "--json")
    assert run.code == 2 and run.json["error"]["code"] == "license_not_found"
    root = make_user("root", "root@example.com", sysadmin=True)
    web = Client()
    web.force_login(root)
    assert web.get("/licensing/ID 1999-01-01-000000/").status_code == 404
    _, token = token_create(actor=system_actor(), user=root)
    api = Client().get(
        "/api/v1/licenses/ID 1999-01-01-000000/utilization",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert api.status_code == 404 and api.json()["error"]["code"] == "license_not_found"


def test_the_manage_page_links_each_license_to_its_page(campus) -> None:
    root = make_user("root", "root@example.com", sysadmin=True)
    web = Client()
    web.force_login(root)
    page = web.get("/licensing/").content.decode()
    assert 'href="/licensing/ID%202013-07-05-012345/"' in page
    holders = web.get("/licensing/", {"license": "ID 2013-07-05-012346"}).content.decode()
    assert "Holders of <strong>ID 2013-07-05-012346</strong> only" in holders
