"""The pages: what they show and what their forms do, through the same core as the CLI."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plm.audit.models import AuditEvent
from plm.clock import today
from plm.imports.models import Import
from plm.licensing.models import License
from tests.builders import holders, make_license, make_user, plm, run_queued_tasks
from tests.integration.conftest import EXPIRED, L1, L2


@pytest.fixture
def admin(campus) -> Client:
    client = Client()
    client.force_login(make_user("root", "root@example.com", sysadmin=True))
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_login_with_a_password_then_home_goes_to_manage(campus) -> None:
    plm("users", "set-password", "mgr", "--password-stdin", input="s3cret-password\n")
    client = Client()
    assert client.get("/licensing/")["Location"] == "/login/?next=/licensing/"
    response = client.post("/login/", {"username": "mgr", "password": "s3cret-password"})
    assert response.status_code == 302
    assert client.get("/")["Location"] == "/licensing/"
    assert client.post("/login/", {"username": "mgr", "password": "nope"}).status_code == 200


def test_manage_shows_counts_and_expiry_badges(admin, campus) -> None:
    make_license("ID 2030-01-01-000001", seats=3, expires=today() + timedelta(days=10))
    plm("assign", "ann", L1)
    page = text(admin.get("/licensing/"))
    assert "Manage Presenter Licenses" in page and "Revoke Licenses" in page
    assert "expires within 30 days" in page and "expired" in page
    assert "instructor1@example.com" in page  # ann is listed as a presenter
    row = page[page.index(L1) :]
    assert '<td class="num">2</td><td class="num">1</td><td class="num">1</td>' in row.replace(
        "\n", ""
    )


def test_presenter_search_and_pagination(admin, campus) -> None:
    plm("assign", "ann", L2)
    plm("assign", "bob", L2)
    page = text(admin.get("/licensing/?q=bob"))
    assert "bob@example.com" in page and "instructor1@example.com" not in page


def test_revoke_one_row_and_selected_rows(admin, campus) -> None:
    for who in ("ann", "bob", "cat"):
        plm("assign", who, L2)
    asked = text(admin.post("/licensing/revoke/", {"pair": [f"bob|{L2}", f"cat|{L2}"]}))
    assert "Revoke 2 licenses from 2 users?" in asked and 'name="confirmed" value="1"' in asked
    assert holders(L2) == {"ann", "bob", "cat"}  # asking changes nothing
    admin.post("/licensing/revoke/", {"one": f"ann|{L2}", "pair": [f"bob|{L2}"], "confirmed": "1"})
    assert holders(L2) == {"bob", "cat"}  # the row button revokes only its own row
    response = admin.post(
        "/licensing/revoke/", {"pair": [f"bob|{L2}", f"cat|{L2}"], "confirmed": "1"}
    )
    assert holders(L2) == set()
    job = Import.objects.filter(source="web").last()
    assert response["Location"] == f"/imports/{job.pk}/?back=%2Flicensing%2F" and job.applied == 2


def test_web_export_is_byte_identical_to_plm_export(admin, campus, tmp_path) -> None:
    plm("assign", "ann", L1)
    plm("assign", "bob", L2)
    response = admin.get("/licensing/export/")
    assert response["Content-Disposition"] == 'attachment; filename="licenses.csv"'
    out = tmp_path / "licenses.csv"
    plm("export", "-o", str(out))
    assert b"".join(response.streaming_content) == out.read_bytes()


def test_a_scoped_viewer_exports_only_users_in_scope(campus) -> None:
    plm("assign", "ann", L2)
    plm("assign", "bob", L2)
    client = Client()
    client.force_login(campus.manager)
    body = text(client.get("/licensing/export/"))
    assert "instructor1@example.com" in body and "bob@example.com" not in body


def test_users_tabs_search_and_organization_filter(admin, campus) -> None:
    staff = text(admin.get("/users/"))
    assert "Active Staff" in staff and "ann" in staff and "stud@example.com" not in staff
    assert "gone@example.com" not in staff  # inactive
    students = text(admin.get("/users/?tab=students"))
    assert "stud@example.com" in students and "instructor1@example.com" not in students
    arts = text(admin.get(f"/users/?tab=staff&org={campus.arts.pk}"))
    assert "bob@example.com" in arts and "instructor1@example.com" not in arts
    assert "cat@example.com" in text(admin.get("/users/?q=CAT"))


def test_bulk_assign_via_the_dialog_then_revoke_all(admin, campus) -> None:
    selected = [campus.cat.pk, campus.ann.pk, campus.student.pk]
    dialog = text(admin.post("/users/bulk/", {"user": selected, "action": "assign_dialog"}))
    assert "Assign PCAP Presenter License" in dialog and "(2 free seats)" in dialog
    assert EXPIRED not in dialog
    response = admin.post("/users/bulk/", {"user": selected, "action": "assign", "license_id": L1})
    job = Import.objects.get(source="web")
    assert response["Location"] == f"/imports/{job.pk}/?back=%2Fusers%2F"  # Done: back to Users
    assert job.file_name == "Users page: Assign PCAP Presenter License"
    from plm.imports.records import job_as_dict

    results = job_as_dict(job)["results"]
    assert [(r["username"], r["code"]) for r in results] == [
        ("ann", "assigned"),
        ("cat", "assigned"),
        ("stud", "not_academic_staff"),
    ]
    asked = text(admin.post("/users/bulk/", {"user": selected, "action": "revokeall"}))
    assert "Revoke 2 licenses from 2 users?" in asked and holders(L1) == {"ann", "cat"}
    admin.post("/users/bulk/", {"user": selected, "action": "revokeall", "confirmed": "1"})
    assert holders(L1) == set()


def test_user_page_assigns_and_revokes_one_license(admin, campus) -> None:
    admin.post(f"/users/{campus.bob.pk}/change/", {"action": "assign", "license_id": L2})
    assert holders(L2) == {"bob"}
    page = text(admin.get(f"/users/{campus.bob.pk}/"))
    assert L2 in page and "Revoke" in page
    asked = text(
        admin.post(f"/users/{campus.bob.pk}/change/", {"action": "revoke", "license_id": L2})
    )
    assert f"Revoke {L2} from bob?" in asked and holders(L2) == {"bob"}
    admin.post(
        f"/users/{campus.bob.pk}/change/",
        {"action": "revoke", "license_id": L2, "confirmed": "1"},
    )
    assert holders(L2) == set()
    assert list(AuditEvent.objects.filter(source="web").values_list("action", flat=True)) == [
        "assign",
        "revoke",
    ]
    assert Import.objects.count() == 0  # one-by-one changes are audited, not imports


def test_users_import_and_export_on_the_web(admin, campus, tmp_path) -> None:
    data = b"User-Name,Email,Organization-Name-1,Organization-Role-Name-1\nnew1,new1@x.edu,Arts,Academic Staff\n"
    response = admin.post("/users/import/", {"file": SimpleUploadedFile("person.csv", data)})
    job = Import.objects.get(kind="users")
    assert response["Location"] == f"/imports/{job.pk}/"
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.status, job.applied) == ("completed", 1)
    web = b"".join(admin.get("/users/export/").streaming_content)
    out = tmp_path / "person.csv"
    plm("users", "export", "-o", str(out))
    assert web == out.read_bytes()


def test_history_lists_imports_from_every_face_and_results_filter(admin, campus, tmp_path) -> None:
    (tmp_path / "f.csv").write_text(
        f"Username,Action,License ID\nann,assign,{L2}\nzed,assign,{L2}\n"
    )
    plm("import", str(tmp_path / "f.csv"))
    job = Import.objects.get()
    page = text(admin.get("/imports/"))
    assert "f.csv" in page and "cli" in page
    rejected = text(admin.get(f"/imports/{job.pk}/results/?outcome=rejected"))
    assert "zed" in rejected and "user_not_found" in rejected and "assigned</code>" not in rejected


def test_audit_log_filters_and_csv(admin, campus) -> None:
    plm("assign", "ann", L2)
    plm("assign", "bob", L2)
    page = text(admin.get("/audit/?user=bob"))
    assert "bob" in page and "<td>ann</td>" not in page
    body = text(admin.get("/audit/export.csv?user=ann"))
    lines = body.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("At,Actor,Source,Import,Row,Action,Username")
    assert len(lines) == 2 and ",assign,ann," in lines[1]


def test_profile_for_a_user_without_license_rights(campus) -> None:
    client = Client()
    client.force_login(campus.student)
    assert client.get("/")["Location"] == "/profile/"
    assert "License Manager role" in text(client.get("/profile/"))


def test_licenses_counts_update_after_a_web_import(admin, campus) -> None:
    data = f"Username,Action,License ID\nann,assign,{L1}\nbob,assign,{L1}\n".encode()
    admin.post("/licensing/import/", {"file": SimpleUploadedFile("a.csv", data)})
    run_queued_tasks()
    assert License.objects.get(license_id=L1).assigned == 2
    assert "Done" in text(admin.get(f"/imports/{Import.objects.get().pk}/"))


def test_404_and_500_are_the_sites_pages_with_navigation_and_a_way_back(admin, rf) -> None:
    from plm.urls import internal_error

    missing = admin.get("/no/such/page/")
    page = text(missing)
    assert missing.status_code == 404 and 'aria-label="Main"' in page
    assert "Page not found" in page and 'href="/licensing/"' in page and "<main" in page
    assert admin.get("/api/v1/nothing-here")["Content-Type"].startswith("application/json")
    request = rf.get("/licensing/")
    request.user = make_user("someone", "someone@example.com", sysadmin=True)
    failed = internal_error(request)
    assert failed.status_code == 500 and "Something went wrong" in failed.content.decode()
    assert 'aria-label="Main"' in failed.content.decode()


def test_manage_shows_a_summary_and_import_at_the_top(admin, campus) -> None:
    plm("assign", "ann", L1)
    page = text(admin.get("/licensing/"))
    assert page.index('id="import-top"') < page.index("Expiring soon")
    assert page.count('href="/licensing/import/"') == 2  # the seed's button at the bottom stays
    assert 'aria-label="Summary"' in page and "seats used" in page and "Last import" in page


def test_select_all_matching_revokes_every_listed_pair_after_confirmation(admin, campus) -> None:
    for who in ("ann", "bob", "cat"):
        plm("assign", who, L2)
    form = {"all_matching": "1", "q": "", "license": L2}
    asked = text(admin.post("/licensing/revoke/", form))
    assert "Revoke 3 licenses from 3 users?" in asked and holders(L2) == {"ann", "bob", "cat"}
    admin.post("/licensing/revoke/", {**form, "confirmed": "1"})
    assert holders(L2) == set()


def test_users_select_all_matching_revokes_from_every_user_the_filter_shows(admin, campus) -> None:
    for who in ("ann", "bob", "cat"):
        plm("assign", who, L2)
    plm("assign", "cat", L1)
    # The organization filter Science shows the users with a role in it: cat and mgr (not ann,
    # whose role is in Physics, nor bob); "all matching" takes every page of that list.
    org = str(campus.science.pk)
    form = {"all_matching": "1", "q": "", "org": org, "tab": "staff", "action": "revokeall"}
    asked = text(admin.post("/users/bulk/", form))
    assert "Revoke 2 licenses from 1 user?" in asked and "the 2 selected users" in asked
    assert holders(L2) == {"ann", "bob", "cat"} and holders(L1) == {"cat"}
    done = admin.post("/users/bulk/", {**form, "confirmed": "1"})
    assert done.status_code == 302
    run_queued_tasks()
    assert holders(L2) == {"ann", "bob"} and holders(L1) == set()


def test_the_manage_summary_counts_licenses_seats_and_expiring(admin, campus) -> None:
    plm("assign", "ann", L1)
    plm("assign", "bob", L2)
    soon = License.objects.get(license_id=L2)
    soon.expires = today() + timedelta(days=10)
    soon.save()
    page = text(admin.get("/licensing/"))
    summary = page[
        page.index('aria-label="Summary"') : page.index(
            "</section>", page.index('aria-label="Summary"')
        )
    ]
    # L1 2 seats, L2 10, the expired one 5 (its seats count as neither used nor free).
    assert '<span class="big">3</span> licenses (1 expired)' in summary
    assert '<span class="big">2</span> of 12 seats used' in summary
    assert '<span class="big">10</span> free' in summary
    assert '<span class="big warn">1</span> expiring within 30 days' in summary
    assert "Last import:" in summary


def test_a_form_refused_by_the_csrf_check_shows_the_sites_page_and_changes_nothing(campus) -> None:
    plm("assign", "ann", L1)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("boss2", "boss2@example.com", sysadmin=True))
    refused = strict.post(
        "/users/bulk/", {"user": str(campus.ann.pk), "action": "revokeall", "confirmed": "1"}
    )
    page = text(refused)
    assert refused.status_code == 403 and 'aria-label="Main"' in page and "<main" in page
    assert "Nothing was changed" in page and "reload the page" in page
    assert holders(L1) == {"ann"}
    anonymous = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert anonymous.status_code == 403 and "Nothing was changed" in text(anonymous)
