"""The Policies pages: add, the shortfall, preview and apply (asked first), change, delete,
and scope; the same use cases as the CLI and API."""

from django.test import Client

from plm.licensing.models import License, Policy
from tests.builders import holders, make_user, plm, run_queued_tasks
from tests.integration.conftest import L1, L2


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


FORM = {
    "name": "Everyone",
    "organization": "University",
    "licenses": f"{L1}\r\n",
    "max_revoke_percent": "10",
    "enabled": "1",
}


def test_adding_a_policy_on_the_web_queues_its_run_and_its_page_shows_the_shortfall(
    campus,
) -> None:
    License.objects.filter(license_id=L1).update(seats=1)
    admin = signed_in(make_user("root", sysadmin=True))
    assert "No policies yet." in admin.get("/policies/").content.decode()
    added = admin.post("/policies/", FORM)
    policy = Policy.objects.get()
    assert added["Location"] == f"/policies/{policy.pk}/"
    run_queued_tasks()
    assert holders(L1) == {"ann"}
    page = admin.get(f"/policies/{policy.pk}/").content.decode()
    assert "Shortfall: 2 more seats needed." in page
    assert "Left without a license by the last run" in page and "bob" in page and "cat" in page
    listing = admin.get("/policies/").content.decode()
    assert "Everyone" in listing and "2 without a license" in listing


def test_apply_asks_first_and_preview_changes_nothing(campus) -> None:
    admin = signed_in(make_user("root", sysadmin=True))
    admin.post("/policies/", {**FORM, "enabled": ""})  # paused
    policy = Policy.objects.get()
    asked = admin.post(f"/policies/{policy.pk}/run/")
    assert asked.status_code == 200 and "Nothing has changed yet." in asked.content.decode()
    assert "3 users without a license would get one" in asked.content.decode()
    preview = admin.post(f"/policies/{policy.pk}/run/", {"dry_run": "1"})
    assert preview.status_code == 302
    run_queued_tasks()
    assert holders(L1) == set()
    done = admin.post(f"/policies/{policy.pk}/run/", {"confirmed": "1"})
    assert done["Location"].startswith("/imports/")
    run_queued_tasks()
    assert holders(L1) == {"ann", "bob"}  # two seats


def test_changing_and_deleting_a_policy(campus) -> None:
    admin = signed_in(make_user("root", sysadmin=True))
    admin.post("/policies/", FORM)
    policy = Policy.objects.get()
    form = {**FORM, "licenses": f"{L2}\n{L1}", "revoke_ineligible": "1", "max_revoke_percent": "0"}
    asked = admin.post(f"/policies/{policy.pk}/", form)  # it can revoke: asked first
    assert "Save policy Everyone and run it?" in asked.content.decode()
    policy.refresh_from_db()
    assert not policy.revoke_ineligible
    saved = admin.post(f"/policies/{policy.pk}/", {**form, "confirmed": "1"})
    assert saved.status_code == 302
    policy.refresh_from_db()
    assert (policy.revoke_ineligible, policy.max_revoke_percent) == (True, 0)
    assert [p.license.license_id for p in policy.pool.order_by("position")] == [L2, L1]
    bad = admin.post(f"/policies/{policy.pk}/", {**FORM, "licenses": "nonsense"}, follow=True)
    assert "invalid_license_id" in bad.content.decode()
    # A License ID or organization that does not exist is a form error, not a 404 page.
    unknown = {**FORM, "licenses": "ID 2099-01-01-999999"}
    missing = admin.post(f"/policies/{policy.pk}/", unknown, follow=True)
    assert missing.status_code == 200 and "license_not_found" in missing.content.decode()
    nowhere = admin.post(
        "/policies/", {**FORM, "name": "X", "organization": "Nowhere"}, follow=True
    )
    assert nowhere.status_code == 200 and "org_not_found" in nowhere.content.decode()
    asked = admin.post(f"/policies/{policy.pk}/delete/")
    question = asked.content.decode()
    assert "Delete policy Everyone, which covers 3 eligible users?" in question, question
    assert "No covered user holds a license now;" in question and Policy.objects.exists()
    admin.post(f"/policies/{policy.pk}/delete/", {"confirmed": "1"})
    assert not Policy.objects.exists()


def test_a_scoped_manager_neither_sees_nor_changes_other_organizations_policies(campus) -> None:
    plm("policies", "add", "Arts staff", "--org", "Arts", "--license", L2)
    policy = Policy.objects.get()
    mgr = signed_in(campus.manager)
    assert "Arts staff" not in mgr.get("/policies/").content.decode()
    assert mgr.get(f"/policies/{policy.pk}/").status_code == 404
    assert mgr.post(f"/policies/{policy.pk}/run/", {"confirmed": "1"}).status_code == 404
    denied = mgr.post("/policies/", {**FORM, "name": "Arts 2", "organization": "Arts"})
    assert denied.status_code == 403
    assert Policy.objects.count() == 1
