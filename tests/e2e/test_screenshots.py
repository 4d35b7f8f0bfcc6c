"""The screenshots of README.md and docs/web.md, taken from the demo data by this test.

It always runs the walk (so a page that breaks fails here too) and writes into a temporary
directory; `PLM_SCREENSHOTS=1 .venv/bin/pytest tests/e2e/test_screenshots.py` writes
docs/screenshots/*.png instead."""

import os
import re
from pathlib import Path

from plm.app.demo import load_demo

DOCS = Path(__file__).parents[2] / "docs" / "screenshots"
PASSWORD = "blue-harbour-lantern-7"


def test_take_the_screenshots(server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = DOCS if os.environ.get("PLM_SCREENSHOTS") == "1" else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    load_demo(password=PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(30000)
    base = server

    page.goto(base + "/login/")
    page.screenshot(path=out / "login.png")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/licensing/")
    page.screenshot(path=out / "manage-presenter-licenses.png")
    page.get_by_role("link", name="Import", exact=True).first.click()
    page.screenshot(path=out / "import.png")

    renewal = tmp_path / "renewal.csv"
    rows = page.context.request.get(base + "/licensing/export/").text().splitlines()[1:40]
    lines = ["Username,Action,License ID"]
    lines += [
        r.replace(",assign,ID 2024-08-01-000123", ",revoke,ID 2024-08-01-000123") for r in rows
    ]
    lines += [r.split(",")[0] + ",assign,ID 2025-01-15-000456" for r in rows]
    lines += [
        "nobody@example.edu,assign,ID 2025-01-15-000456",
        "s0001.smith@students.example.edu,autoassign,",
        "someone,assign,2025-01-15-000456",
    ]
    renewal.write_text("\n".join(lines) + "\n")
    page.get_by_label("CSV or Excel file").set_input_files(str(renewal))
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("[data-status=completed]")
    page.get_by_role("link", name="Done").wait_for()  # reloaded as the report
    page.screenshot(path=out / "import-progress.png", full_page=True)
    report = page.url

    page.get_by_role("button", name="Revert this import…").click()
    page.screenshot(path=out / "confirm-revert.png")
    page.goto(base + "/users/")
    page.get_by_label("All on this page").check()
    page.get_by_role("button", name="Revoke All PCAP Presenter Licenses").click()
    assert re.search(r"Revoke \d+ licenses from \d+ users\?", page.content())
    page.screenshot(path=out / "confirm-revoke-all.png")

    page.goto(base + "/users/")
    page.screenshot(path=out / "users.png")
    page.goto(base + "/imports/")
    page.screenshot(path=out / "import-history.png")
    page.goto(report.split("?")[0] + "results/")
    page.screenshot(path=out / "import-results.png")
    page.goto(base + "/audit/")
    page.screenshot(path=out / "audit-log.png")
    page.goto(base + "/licensing/")
    page.get_by_role("link", name="ID 2025-01-15-000456").click()
    page.screenshot(path=out / "license-utilization.png", full_page=True)
    page.goto(base + "/no/such/page/")
    page.screenshot(path=out / "not-found.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/licensing/")
    page.screenshot(path=out / "manage-390px.png")
    page.goto(report)
    page.screenshot(path=out / "import-report-390px.png")
    context.close()
    assert len(list(out.glob("*.png"))) >= 14


def test_take_the_live_progress_screenshot(slow_server, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.walk import campus, login, start_live_import

    out = DOCS if os.environ.get("PLM_SCREENSHOTS") == "1" else tmp_path
    campus(tmp_path)
    login(page, slow_server)
    page.set_viewport_size({"width": 1280, "height": 860})
    start_live_import(page, slow_server, tmp_path)
    page.wait_for_selector("#rejected-rows tr:nth-child(8)")
    page.get_by_role("button", name="Cancel import").focus()  # focus stays on it while it runs
    page.screenshot(path=out / "import-live.png")
