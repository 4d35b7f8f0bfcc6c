"""Issue 7 in a real browser: a sync refused by its threshold, reverting an import, and the
Replace license action."""

import re

from plm.imports.models import Import
from tests.builders import holders, make_license, plm
from tests.e2e.test_browser import L1, L2, campus, login, upload, wait_done


def test_a_sync_over_the_threshold_is_refused_and_changes_nothing(server, page, tmp_path) -> None:
    campus()
    for who in ("ann", "bob", "cat"):
        plm("assign", who, L2)
    path = tmp_path / "sync.csv"
    path.write_text(f"Username,Action,License ID\nann,assign,{L2}\n")
    login(page, server)
    page.goto(server + "/licensing/import/")
    page.get_by_label("CSV or Excel file").set_input_files(str(path))
    page.locator("#sync").check()
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r".*/imports/\d+/$"))
    wait_done(page, "refused")
    assert "change_threshold_exceeded" in page.content()
    assert holders(L2) == {"ann", "bob", "cat"}


def test_revert_an_import_from_its_page(server, page, tmp_path) -> None:
    campus()
    login(page, server)
    upload(
        page, server, tmp_path, f"Username,Action,License ID\nann,assign,{L2}\nbob,assign,{L2}\n"
    )
    wait_done(page)
    assert holders(L2) == {"ann", "bob"}
    page.get_by_role("button", name="Revert this import").click()
    assert page.get_by_text("undo its 2 applied changes?").is_visible()
    assert holders(L2) == {"ann", "bob"}  # asking changed nothing
    page.get_by_role("button", name="Revert 2 changes").click()
    page.wait_for_url(re.compile(r".*/imports/\d+/(\?.*)?$"))
    wait_done(page)
    assert holders(L2) == set()
    assert Import.objects.filter(source="revert").get().applied == 2


def test_replace_license_from_the_manage_page(server, page) -> None:
    campus()
    make_license("ID 2025-01-01-000009", seats=5)
    plm("assign", "ann", L1)
    plm("assign", "bob", L1)
    login(page, server)
    page.get_by_text("Replace license (renewal").click()
    page.get_by_label("Holders of").select_option(L1)
    page.get_by_label("get instead").select_option("ID 2025-01-01-000009")
    page.get_by_role("button", name="Replace license").click()
    assert page.get_by_text(f"Replace {L1} with ID 2025-01-01-000009 for 2 holders?").is_visible()
    assert holders(L1) == {"ann", "bob"}  # asking changed nothing
    page.get_by_role("button", name="Replace for 2 holders").click()
    page.wait_for_url(re.compile(r".*/imports/\d+/(\?.*)?$"))
    wait_done(page)
    assert holders("ID 2025-01-01-000009") == {"ann", "bob"} and holders(L1) == set()


def test_a_workbook_imports_and_the_license_page_charts_it(server, page, tmp_path) -> None:
    from tests.integration.test_xlsx import as_workbook

    campus()
    path = tmp_path / "renewal.xlsx"
    path.write_bytes(as_workbook(f"Username,Action,License ID\nann,assign,{L2}\nbob,assign,{L2}\n"))
    login(page, server)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(server + "/licensing/import/")
    page.get_by_label("CSV or Excel file").set_input_files(str(path))
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r".*/imports/\d+/$"))
    wait_done(page)
    assert holders(L2) == {"ann", "bob"}
    page.goto(server + "/licensing/")
    page.get_by_role("link", name=L2).click()
    chart = page.get_by_role("img", name=re.compile(r"Assigned seats of .*: 2 of \d+ now"))
    assert chart.is_visible() and chart.bounding_box()["width"] > 300
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename == "utilization-ID-2024-01-01-000002.csv"
    assert not errors, errors  # nothing refused by the Content-Security-Policy
