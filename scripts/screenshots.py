"""Take the docs/screenshots/*.png of the main pages from a running demo server.

Usage: PLM_DEMO_PASSWORD=... plm demo-data; plm serve --port 8011 &
       .venv/bin/python scripts/screenshots.py http://127.0.0.1:8011 "$PLM_DEMO_PASSWORD"
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUT = Path(__file__).parents[1] / "docs" / "screenshots"


def main(base: str, password: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(base + "/login/")
        page.screenshot(path=OUT / "login.png")
        page.get_by_label("User name").fill("admin")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/licensing/")
        page.screenshot(path=OUT / "manage-presenter-licenses.png")
        page.get_by_role("link", name="Import", exact=True).click()
        page.screenshot(path=OUT / "import.png")
        renewal = Path(tempfile.mkdtemp()) / "renewal.csv"
        with open(renewal, "w") as fh:
            fh.write("Username,Action,License ID\n")
            rows = page.context.request.get(base + "/licensing/export/").text().splitlines()[1:40]
            for line in rows:
                fh.write(
                    line.replace(",assign,ID 2024-08-01-000123", ",revoke,ID 2024-08-01-000123")
                    + "\n"
                )
            for line in rows:
                fh.write(line.split(",")[0] + ",assign,ID 2025-01-15-000456\n")
            fh.write("nobody@example.edu,assign,ID 2025-01-15-000456\n")
            fh.write("s0001.smith@students.example.edu,autoassign,\n")
            fh.write("someone,assign,2025-01-15-000456\n")
        page.get_by_label("CSV or Excel file").set_input_files(renewal)
        page.get_by_role("button", name="Import", exact=True).click()
        page.wait_for_selector("[data-status=completed]", timeout=30000)
        page.screenshot(path=OUT / "import-progress.png", full_page=True)
        page.goto(base + "/users/")
        page.screenshot(path=OUT / "users.png")
        page.goto(base + "/imports/")
        page.screenshot(path=OUT / "import-history.png")
        page.goto(base + "/audit/")
        page.screenshot(path=OUT / "audit-log.png")
        page.goto(base + "/licensing/")
        page.get_by_role("link", name="ID 2025-01-15-000456").click()
        page.screenshot(path=OUT / "license-utilization.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "/licensing/")
        page.screenshot(path=OUT / "manage-390px.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
