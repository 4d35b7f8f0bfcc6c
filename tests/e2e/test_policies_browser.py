"""The Policies page in a real browser against `plm serve` (whose worker runs the queued
policy runs): add a policy from the page, see its run license the staff and its shortfall
with the seats needed, preview it, and no serious accessibility violation on either page."""

import re

from tests.builders import holders, plm
from tests.e2e.walk import DESKTOP, L1, campus, login
from tests.e2e.walk import axe as run_axe


def test_a_policy_added_on_the_page_licenses_staff_and_shows_its_shortfall(
    server, browser, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    campus(tmp_path)  # Science: ann and bob hold L1 (3 seats), a.very.long... holds L2
    plm("policies", "delete", "Science staff")  # the campus's paused one: start with none
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, server)
    page.get_by_role("link", name="Policies").click()
    page.wait_for_url(re.compile(r".*/policies/$"))
    assert page.get_by_text("No policies yet.").is_visible()
    listing_violations = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    page.get_by_label("Name").fill("Science staff")
    page.get_by_label("Organization", exact=False).select_option("Science")
    page.get_by_label("License pool", exact=False).fill(L1)
    page.get_by_role("button", name="Add policy").click()
    page.wait_for_url(re.compile(r".*/policies/\d+/$"))
    # The embedded worker runs it: cat gets L1's last seat, dan is left without.
    for _ in range(60):
        if page.locator("table[aria-label=Runs] .status-completed").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert "Shortfall: 1 more seat needed." in page.locator("#shortfall").inner_text()
    assert holders(L1) == {"ann", "bob", "cat"}
    assert page.get_by_role("listitem").filter(has_text="dan").count() == 1
    detail_violations = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url(re.compile(r".*/imports/\d+/.*"))
    page.wait_for_selector("[data-status=completed]", timeout=30000)
    assert "no_license_available" in page.content()
    context.close()
    assert not listing_violations and not detail_violations, (
        listing_violations,
        detail_violations,
    )
