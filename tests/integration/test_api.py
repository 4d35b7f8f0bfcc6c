"""The REST API: auth, every resource, every error shape, and the import job pattern."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plm.clock import today
from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.imports.models import Import
from plm.licensing.models import License
from tests.builders import holders, make_user, plm, run_queued_tasks
from tests.integration.conftest import EXPIRED, L1, L2


def bearer(user, **kw) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _, raw = token_create(actor=system_actor(), user=user, **kw)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def root(campus):  # type: ignore[no-untyped-def]
    return make_user("root", "root@example.com", sysadmin=True)


@pytest.fixture
def api(root) -> "Api":
    return Api(bearer(root))


class Api:
    def __init__(self, headers: dict[str, str]) -> None:
        self.client = Client()
        self.headers = headers

    def get(self, path: str, **params):  # type: ignore[no-untyped-def]
        return self.client.get("/api/v1" + path, params, **self.headers)

    def post(self, path: str, body=None):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/api/v1" + path, body or {}, content_type="application/json", **self.headers
        )

    def patch(self, path: str, body):  # type: ignore[no-untyped-def]
        return self.client.patch(
            "/api/v1" + path, body, content_type="application/json", **self.headers
        )

    def delete(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.delete("/api/v1" + path, **self.headers)

    def upload(self, path: str, content: bytes, **fields: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/api/v1" + path,
            {"file": SimpleUploadedFile("f.csv", content), **fields},
            **self.headers,
        )


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    return response.json()["error"]["code"]


def test_no_token_bad_token_expired_and_revoked_tokens_are_401(campus, root) -> None:
    assert Client().get("/api/v1/licenses").status_code == 401
    assert error_code(Client().get("/api/v1/licenses")) == "unauthorized"
    assert Api({"HTTP_AUTHORIZATION": "Bearer plm_nope"}).get("/licenses").status_code == 401
    assert Api({"HTTP_AUTHORIZATION": "Basic abc"}).get("/licenses").status_code == 401
    token, raw = token_create(actor=system_actor(), user=root, expires=today())
    assert Api({"HTTP_AUTHORIZATION": f"Bearer {raw}"}).get("/licenses").status_code == 200
    token.expires = today() - timedelta(days=1)
    token.save()
    assert Api({"HTTP_AUTHORIZATION": f"Bearer {raw}"}).get("/licenses").status_code == 401
    assert plm("tokens", "revoke", str(token.pk)).code == 0


def test_tokens_store_only_a_hash(root) -> None:
    from plm.directory.models import ApiToken

    _, raw = token_create(actor=system_actor(), user=root)
    stored = ApiToken.objects.get()
    assert raw not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64


def test_licenses_list_get_add_patch(api) -> None:
    listed = api.get("/licenses").json()
    assert listed["count"] == 3 and [i["license_id"] for i in listed["items"]] == sorted(
        [L1, L2, EXPIRED]
    )
    assert listed["items"] == plm("licenses", "list", "--json").json
    one = api.get("/licenses/" + quote(L1))
    assert one.status_code == 200 and one.json()["seats"] == 2
    assert api.get("/licenses/" + quote("ID 2099-01-01-000001")).status_code == 404
    created = api.post(
        "/licenses", {"license_id": "id 2030-01-01-000001", "seats": 4, "expires": "2031-01-01"}
    )
    assert created.status_code == 201 and created.json()["license_id"] == "ID 2030-01-01-000001"
    dup = api.post("/licenses", {"license_id": "ID 2030-01-01-000001", "seats": 4})
    assert dup.status_code == 409 and error_code(dup) == "license_exists"
    bad = api.post("/licenses", {"license_id": "2030-01-01-000001", "seats": 4})
    assert bad.status_code == 422 and error_code(bad) == "invalid_license_id"
    patched = api.patch(
        "/licenses/" + quote("ID 2030-01-01-000001"), {"expires": None, "name": "X"}
    )
    assert (
        patched.json()["expires"] is None
        and patched.json()["name"] == "X"
        and patched.json()["seats"] == 4
    )
    plm("assign", "ann", L1)
    below = api.patch("/licenses/" + quote(L1), {"seats": 0})
    assert below.status_code == 409 and error_code(below) == "seats_below_assigned"


def test_paging_and_validation_errors(api) -> None:
    page = api.get("/licenses", limit=1, offset=1).json()
    assert page["count"] == 3 and len(page["items"]) == 1 and page["items"][0]["license_id"] == L1
    too_many = api.get("/licenses", limit=1001)
    assert too_many.status_code == 422 and error_code(too_many) == "invalid_request"
    assert "details" in too_many.json()["error"]
    body = api.post("/licenses", {"seats": "many"})
    assert body.status_code == 422 and error_code(body) == "invalid_request"


def test_users_and_filters(api, campus) -> None:
    plm("assign", "ann", L2)
    users = api.get("/users", kind="staff").json()
    assert {u["username"] for u in users["items"]} == {"ann", "bob", "cat", "gone", "mgr"}
    assert [u["username"] for u in api.get("/users", licensed="true").json()["items"]] == ["ann"]
    assert [u["username"] for u in api.get("/users", organization="arts").json()["items"]] == [
        "bob",
        "gone",
    ]
    assert [u["username"] for u in api.get("/users", q="stud").json()["items"]] == ["stud"]
    ann = api.get("/users/instructor1@example.com").json()
    assert ann["username"] == "ann" and ann["licenses"] == [L2]
    assert ann["roles"] == [{"organization": "Physics", "role": "Academic Staff"}]
    assert api.get("/users/nobody").status_code == 404
    assert api.get("/users", kind="teacher").status_code == 422


def test_assignments_apply_rows_with_the_import_rules(api, campus) -> None:
    ok = api.post("/assignments", {"username": "ann", "action": "assign", "license_id": L1})
    assert ok.status_code == 200 and ok.json() == {
        "row": None,
        "username": "ann",
        "action": "assign",
        "license_id": L1,
        "outcome": "applied",
        "code": "assigned",
        "message": f"Assigned {L1} to 'ann'.",
    }
    rejected = api.post("/assignments", {"username": "stud", "action": "autoassign"})
    assert rejected.status_code == 200 and rejected.json()["code"] == "not_academic_staff"
    listed = api.get("/assignments", license=L1).json()
    assert listed["count"] == 1 and listed["items"][0]["username"] == "ann"
    assert listed["items"][0]["source"] == "api"
    revoked = api.delete(f"/assignments/ann/{quote(L1)}")
    assert revoked.status_code == 200 and revoked.json()["code"] == "revoked"
    assert holders(L1) == set()


def test_import_job_pattern(api) -> None:
    body = f"Username,Action,License ID\nann,assign,{L1}\nnobody,assign,{L1}\n".encode()
    created = api.upload("/imports", body, dry_run="false")
    assert created.status_code == 202
    job_id = created.json()["id"]
    assert (
        created.json()["status"] == "queued" and created["Location"] == f"/api/v1/imports/{job_id}"
    )
    run_queued_tasks()
    job = api.get(f"/imports/{job_id}").json()
    assert (job["status"], job["rows"], job["processed"], job["applied"], job["rejected"]) == (
        "completed",
        2,
        2,
        1,
        1,
    )
    results = api.get(f"/imports/{job_id}/results", outcome="rejected").json()
    assert results["count"] == 1 and results["items"][0]["code"] == "user_not_found"
    assert results["items"][0] == plm("imports", "show", str(job_id), "--json").json["results"][1]
    csv = b"".join(
        api.client.get(f"/api/v1/imports/{job_id}/errors.csv", **api.headers).streaming_content
    )
    assert csv.startswith(b"\xef\xbb\xbfUsername,Action,License ID,Row,Error Code,Error\r\nnobody,")
    assert api.post(f"/imports/{job_id}/cancel").status_code == 409


def test_fatal_file_errors_come_as_202_then_failed(api) -> None:
    created = api.upload("/imports", b"Who,What\nann,assign\n")
    assert created.status_code == 202
    run_queued_tasks()
    job = api.get(f"/imports/{created.json()['id']}").json()
    assert job["status"] == "failed" and job["error"]["code"] == "missing_column"


def test_permission_is_checked_before_the_upload_is_read(campus) -> None:
    lm = make_user("lm", roles=[(campus.science, "License Manager")])
    api = Api(bearer(lm))
    denied = api.upload("/imports", b"Username,Action\nann,revokeall\n")
    assert denied.status_code == 403 and error_code(denied) == "permission_denied"
    assert Import.objects.count() == 0
    assert api.get("/licenses").status_code == 200  # viewing is allowed
    assert api.post("/assignments", {"username": "ann", "action": "autoassign"}).status_code == 403


def test_a_too_large_upload_is_refused_with_413(api, settings) -> None:
    settings.PLM_MAX_IMPORT_BYTES = 10
    response = api.upload("/imports", b"Username,Action\n" + b"ann,revokeall\n" * 10000)
    assert response.status_code == 413 and error_code(response) == "file_too_large"
    assert Import.objects.count() == 0


def test_users_import_through_the_api(api) -> None:
    created = api.upload("/users/imports", b"User-Name,Email\nnew1,new1@x.edu\n")
    assert created.status_code == 202
    run_queued_tasks()
    assert api.get(f"/imports/{created.json()['id']}").json()["applied"] == 1


def test_export_is_plm_export(api, tmp_path) -> None:
    plm("assign", "ann", L1)
    body = b"".join(api.client.get("/api/v1/export", **api.headers).streaming_content)
    out = tmp_path / "x.csv"
    plm("export", "-o", str(out))
    assert body == out.read_bytes()


def test_a_scoped_manager_gets_out_of_scope_results(campus) -> None:
    api = Api(bearer(campus.manager))
    assert (
        api.post("/assignments", {"username": "bob", "action": "assign", "license_id": L2}).json()[
            "code"
        ]
        == "out_of_scope"
    )
    assert (
        api.post("/assignments", {"username": "ann", "action": "assign", "license_id": L2}).json()[
            "code"
        ]
        == "assigned"
    )
    assert [u["username"] for u in api.get("/users").json()["items"]] == ["ann", "cat", "mgr"]


def test_session_login_works_for_the_browser_and_writes_need_csrf(root) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(root)
    assert client.get("/api/v1/licenses").status_code == 200
    response = client.post(
        "/api/v1/assignments",
        {"username": "ann", "action": "autoassign"},
        content_type="application/json",
    )
    assert response.status_code == 403 and error_code(response) == "permission_denied"


def test_never_html_from_the_api(api) -> None:
    for response in (api.get("/nope"), Client().get("/api/v1/nope"), api.get("/imports/99999")):
        assert response.status_code in (401, 404)
        assert response["Content-Type"].startswith("application/json")


def test_openapi_schema_and_vendored_docs(api) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert (
        "/api/v1/imports" in schema["paths"] and "/api/v1/licenses/{license_id}" in schema["paths"]
    )
    docs = api.client.get("/api/v1/docs", **api.headers)
    html = docs.content.decode()
    assert docs.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    bundle = Client().get("/static/ninja/swagger-ui-bundle.js")
    assert bundle.status_code == 200  # served from the installed django-ninja, not a CDN


def test_tokens_cli_create_list_revoke(root) -> None:
    created = plm("tokens", "create", "root", "--name", "sync", "--json").json
    assert set(created) == {"id", "token"} and created["token"].startswith("plm_")
    listed = plm("tokens", "list", "--json").json
    assert listed[0]["name"] == "sync" and created["token"] not in str(listed)
    assert (
        Api({"HTTP_AUTHORIZATION": f"Bearer {created['token']}"}).get("/licenses").status_code
        == 200
    )
    plm("tokens", "revoke", str(created["id"]))
    assert (
        Api({"HTTP_AUTHORIZATION": f"Bearer {created['token']}"}).get("/licenses").status_code
        == 401
    )
    assert License.objects.count() == 3


def test_profile_page_creates_and_revokes_own_tokens(campus) -> None:
    from plm.directory.models import ApiToken

    client = Client()
    client.force_login(campus.student)
    page = client.post("/profile/", {"name": "mine"}).content.decode()
    token = ApiToken.objects.get(user=campus.student)
    assert 'id="new-token">plm_' in page
    asked = client.post("/profile/", {"revoke": token.pk}).content.decode()  # asks first
    token.refresh_from_db()
    assert "Revoke token #" in asked and token.revoked_at is None
    client.post("/profile/", {"revoke": token.pk, "confirmed": "1"})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_wrong_method_is_a_json_405(api) -> None:
    response = api.client.put("/api/v1/licenses", **api.headers)
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


def test_nul_bytes_are_refused_not_a_server_error(api) -> None:
    in_url = api.client.get("/api/v1/users?q=a%00b", **api.headers)
    assert (in_url.status_code, error_code(in_url)) == (422, "invalid_request")  # as documented
    assert Client().get("/users/?q=a%00b").status_code == 400  # the web: a plain 400
    # In a JSON body, with a License ID, so that the user name reaches a query (PostgreSQL
    # refuses a NUL even in a WHERE clause: it was a 500 there).
    response = api.post(
        "/assignments", {"username": "a\x00b", "action": "assign", "license_id": L1}
    )
    assert (response.status_code, error_code(response)) == (422, "invalid_argument")
    assert "user name or email 'a\\x00b'" in response.json()["error"]["message"]
    named = api.post(
        "/licenses", {"license_id": "ID 2024-08-01-000123", "seats": 1, "name": "\x00"}
    )
    assert (named.status_code, error_code(named)) == (422, "invalid_argument")
    odd = api.upload("/imports", b"Username,Action\nann,revokeall\n")
    assert odd.status_code == 202
