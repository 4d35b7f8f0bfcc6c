"""The main flows in a real browser (Debian Chromium via Playwright) against `plm serve`."""

import re
from pathlib import Path

from plm.directory.models import User
from plm.imports.models import Import
from tests.builders import holders, make_license, make_org, make_staff, make_user, plm

L1 = "ID 2024-01-01-000001"
L2 = "ID 2024-01-01-000002"
PASSWORD = "browser-pass-123"


def campus() -> None:
    org = make_org("Science")
    for name in ("ann", "bob", "cat"):
        make_staff(name, org)
    make_user("stud", "stud@example.edu")
    make_license(L1, seats=2)
    make_license(L2, seats=10)
    admin = make_user("root", "root@example.edu", sysadmin=True)
    admin.set_password(PASSWORD)
    admin.save()
    viewer = make_user("viewer", "viewer@example.edu", roles=[(org, "License Manager")])
    viewer.set_password(PASSWORD)
    viewer.save()


def login(page, url: str, username: str = "root") -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/licensing/")
    assert "/login/" in page.url
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/(licensing|profile)/$"))


def upload(page, url: str, tmp_path: Path, content: str, *checks: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "licenses.csv"
    path.write_text(content)
    page.goto(url + "/licensing/")
    page.get_by_role("link", name="Import", exact=True).first.click()  # the one at the top
    page.get_by_label("CSV or Excel file").set_input_files(str(path))
    for label in checks:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r".*/imports/\d+/$"))


def wait_done(page, status: str = "completed") -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"[data-status={status}]", timeout=20000)


def test_login_and_logout(server, page) -> None:
    campus()
    login(page, server)
    assert page.get_by_role("heading", name="Manage Presenter Licenses").is_visible()
    page.get_by_role("button", name="Log out").click()
    page.goto(server + "/licensing/")
    assert "/login/" in page.url


def test_full_import_flow_with_live_progress_errors_and_done(server, page, tmp_path) -> None:
    campus()
    login(page, server)
    upload(
        page,
        server,
        tmp_path,
        f"Username,Action,License ID\nann@example.edu,assign,{L1}\n"
        f"nobody,assign,{L1}\nbob,assign,{L1}\ncat,assign,{L1}\nstud,autoassign,\n",
    )
    status = page.locator("[data-status]").get_attribute("data-status")
    assert status in ("queued", "running", "completed")
    wait_done(page)
    table = page.get_by_role("table", name="Rows not processed")
    assert table.locator("tbody tr").count() == 3
    assert "user_not_found" in table.inner_text() and "no_seat_available" in table.inner_text()
    assert page.locator("[data-count=applied]").inner_text() == "2"
    page.get_by_role("link", name="Done").click()
    page.wait_for_url(re.compile(r".*/licensing/$"))
    row = page.get_by_role("table", name="Licenses").locator("tr", has_text=L1)
    assert re.search(r"2\s+2\s+0", row.inner_text())
    assert holders(L1) == {"ann", "bob"}


def test_preview_then_apply(server, page, tmp_path) -> None:
    campus()
    login(page, server)
    upload(
        page,
        server,
        tmp_path,
        f"Username,Action,License ID\nann,assign,{L2}\n",
        "Preview only (dry run: show what would happen, change nothing)",
    )
    wait_done(page)
    assert "This was a preview" in page.content() and holders(L2) == set()
    page.get_by_role("button", name="Apply this file for real").click()
    page.wait_for_url(re.compile(r".*/imports/\d+/$"))
    wait_done(page)
    assert holders(L2) == {"ann"}
    assert Import.objects.filter(dry_run=False, source="web").count() == 1


def test_export_download_is_byte_identical_to_plm_export(server, page, tmp_path) -> None:
    campus()
    plm("assign", "ann", L1)
    plm("assign", "bob", L2)
    login(page, server)
    with page.expect_download() as info:
        page.get_by_role("link", name="Export", exact=True).click()
    download = info.value
    assert download.suggested_filename == "licenses.csv"
    got = tmp_path / "web.csv"
    download.save_as(str(got))
    expected = tmp_path / "cli.csv"
    plm("export", "-o", str(expected))
    assert got.read_bytes() == expected.read_bytes()


def test_bulk_assign_and_revoke_on_the_users_page(server, page) -> None:
    campus()
    login(page, server)
    page.get_by_role("link", name="Configuration › Users").click()
    for name in ("ann", "bob"):
        page.get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Assign PCAP Presenter License").click()
    page.get_by_label("License", exact=True).select_option(L2)
    assert "10 free seats" in page.get_by_label("License", exact=True).inner_text()
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_url(re.compile(r".*/imports/\d+/\?back=.*"))
    assert page.locator("[data-count=applied]").inner_text() == "2"
    assert holders(L2) == {"ann", "bob"}
    page.goto(server + "/users/")
    page.get_by_label("Select ann").check()
    page.get_by_role("button", name="Revoke All PCAP Presenter Licenses").click()
    assert page.get_by_text("Revoke 1 license from 1 user?").is_visible()
    assert holders(L2) == {"ann", "bob"}  # asking changed nothing
    page.get_by_role("button", name="Revoke 1 license").click()
    page.wait_for_url(re.compile(r".*/imports/\d+/\?back=.*"))
    assert holders(L2) == {"bob"}
    page.get_by_role("link", name="Done").click()
    page.wait_for_url(re.compile(r".*/users/$"))  # back where the action started


def test_a_license_manager_sees_no_import_button(server, page) -> None:
    campus()
    login(page, server, "viewer")
    assert page.get_by_role("link", name="Export", exact=True).is_visible()
    assert page.get_by_role("link", name="Import", exact=True).count() == 0
    assert User.objects.get(username="viewer").roles.count() == 1
