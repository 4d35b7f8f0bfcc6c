"""License policies through the API and after SCIM changes: the same use cases, queued runs
polled as imports, the same codes as the CLI."""

from plm.directory.actors import system_actor
from plm.directory.scim_tokens import scim_token_create
from tests.builders import holders, make_user, plm, run_queued_tasks
from tests.integration.conftest import L1, L2
from tests.integration.test_api import Api, bearer
from tests.integration.test_scim import GROUP, Scim

BODY = {"name": "Arts staff", "organization": "Arts", "licenses": [L2]}


def test_the_api_adds_a_policy_and_its_queued_run_licenses_the_staff(campus) -> None:
    api = Api(bearer(make_user("root", sysadmin=True)))
    created = api.post("/policies", BODY)
    assert created.status_code == 201, created.content
    policy = created.json()
    assert (policy["licenses"], policy["enabled"], policy["standing"]["waiting"]) == ([L2], True, 1)
    assert holders(L2) == set()  # queued for the workers
    run_queued_tasks()
    assert holders(L2) == {"bob"}
    shown = api.get(f"/policies/{policy['id']}").json()
    assert shown["last_run"]["applied"] == 1
    job = api.get(f"/imports/{shown['last_run']['import_id']}").json()
    assert (job["source"], job["policy_id"], job["status"]) == ("policy", policy["id"], "completed")
    assert [p["name"] for p in api.get("/policies").json()] == ["Arts staff"]


def test_the_api_previews_applies_updates_and_deletes(campus) -> None:
    api = Api(bearer(make_user("root", sysadmin=True)))
    pid = api.post("/policies", {**BODY, "enabled": False}).json()["id"]
    preview = api.post(f"/policies/{pid}/preview")
    assert (
        preview.status_code == 202
        and preview["Location"] == f"/api/v1/imports/{preview.json()['id']}"
    )
    run_queued_tasks()
    rows = api.get(f"/imports/{preview.json()['id']}/results").json()["items"]
    assert [(r["username"], r["code"]) for r in rows] == [("bob", "assigned")]
    assert holders(L2) == set()
    assert api.post(f"/policies/{pid}/apply").status_code == 202
    run_queued_tasks()
    assert holders(L2) == {"bob"}
    patched = api.patch(f"/policies/{pid}", {"licenses": [L1, L2], "max_revoke_percent": 20})
    assert patched.status_code == 200 and patched.json()["licenses"] == [L1, L2]
    assert patched.json()["max_revoke_percent"] == 20 and patched.json()["enabled"] is False
    bad = api.patch(f"/policies/{pid}", {"organization": "Nowhere"})
    assert bad.status_code == 404 and bad.json()["error"]["code"] == "org_not_found"
    assert api.post("/policies", BODY).json()["error"]["code"] == "policy_exists"
    assert api.delete(f"/policies/{pid}").status_code == 204
    missing = api.get(f"/policies/{pid}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "policy_not_found"


def test_the_api_keeps_a_scoped_manager_to_their_organizations(campus) -> None:
    mgr = Api(bearer(campus.manager))
    denied = mgr.post("/policies", BODY)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    root = Api(bearer(make_user("root", sysadmin=True)))
    pid = root.post("/policies", BODY).json()["id"]
    assert mgr.get(f"/policies/{pid}").status_code == 404
    assert mgr.post(f"/policies/{pid}/apply").status_code == 404
    assert mgr.get("/policies").json() == []
    mine = mgr.post("/policies", {**BODY, "name": "Physics", "organization": "Physics"})
    assert mine.status_code == 201
    run_queued_tasks()
    assert holders(L2) == {"bob", "ann"}
    # The manager sees their policy's run, not the Arts one.
    assert [j["file_name"] for j in mgr.get("/imports").json()["items"]] == ["policy Physics"]


def test_a_scim_group_change_is_followed_by_the_policies(campus) -> None:
    plm("policies", "add", "Science staff", "--org", "Science", "--license", L2)
    assert holders(L2) == {"ann", "cat"}
    _, raw = scim_token_create(actor=system_actor(), name="entra-id")
    scim = Scim(raw)
    dana = make_user("dana", "dana@example.com")
    group = scim.post("/Groups", {"schemas": [GROUP], "displayName": "Physics/Academic Staff"})
    gid = group.json_body["id"]
    added = scim.patch(
        f"/Groups/{gid}", {"op": "Add", "path": "members", "value": [{"value": str(dana.pk)}]}
    )
    assert added.status_code == 200, added.content
    assert "dana" not in holders(L2)  # queued for the workers
    run_queued_tasks()
    assert holders(L2) == {"ann", "cat", "dana"}
