"""axe-core (vendored in tests/e2e/assets, injected by the test; the production CSP is
untouched: only this browser context bypasses it) on every page and state of the walk-through,
at 1280×800 and 390×844: no serious or critical violation. The same walk checks that every
page shows the navigation and that no page scrolls sideways at 390 px."""

import json

from tests.e2e.walk import (
    DESKTOP,
    PHONE,
    campus,
    has_main_nav,
    login,
    pages,
    sideways,
    start_live_import,
)
from tests.e2e.walk import axe as run_axe

SERIOUS = ("serious", "critical")


def check(page, name: str, found: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    for size, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(50)
        violations = run_axe(page)
        found[f"{name} @ {size}"] = violations
        if size == "390":
            found[f"{name} @ {size} sideways px"] = sideways(page)


def test_axe_finds_no_serious_violation_on_any_page_at_either_width(
    slow_server, browser, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    c = campus(tmp_path)
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    found: dict[str, object] = {}

    page.goto(slow_server + "/login/")
    check(page, "login", found)
    page.goto(slow_server + "/no/such/page/")
    check(page, "404 (signed out)", found)

    login(page, slow_server, "root")
    start_live_import(page, slow_server, tmp_path)
    page.wait_for_selector("#rejected-rows tr")  # a rejected row arrived through the poll
    check(page, "live progress", found)
    assert page.locator("[data-status=running]").count() == 1, "the import ended too soon"
    for name, path in pages(c):
        page.goto(slow_server + path)
        check(page, name, found)
    # The confirmation step and the assign dialog.
    page.goto(slow_server + "/licensing/")
    page.get_by_role("button", name="Revoke ID 2024-01-01-000001 from ann").click()
    check(page, "confirmation", found)
    # Messages (the issue's `list` and `aria-allowed-role` findings were where they show).
    page.goto(slow_server + f"/users/{c.user_pk}/")
    page.get_by_role("button", name="Assign", exact=True).click()
    assert page.locator(".messages li").count() == 1
    check(page, "a user, with a message", found)
    page.goto(slow_server + "/users/")
    page.get_by_role("button", name="Revoke All PCAP Presenter Licenses").click()  # none selected
    assert "Select at least one" in page.locator(".messages").inner_text()
    check(page, "Users, with a message", found)
    page.goto(slow_server + "/licensing/")
    page.get_by_role("button", name="Revoke selected…").first.click()  # none selected
    assert "Select at least one" in page.locator(".messages").inner_text()
    check(page, "Manage, with a message", found)
    page.goto(slow_server + "/users/")
    page.get_by_label("Select bob").check()
    page.get_by_role("button", name="Assign PCAP Presenter License").click()
    check(page, "assign dialog", found)

    viewer = browser.new_context(viewport=DESKTOP, bypass_csp=True).new_page()
    login(viewer, slow_server, "viewer")
    viewer.goto(slow_server + "/licensing/import/")
    check(viewer, "403", found)
    viewer.context.close()
    context.close()

    print(json.dumps(found, indent=1))  # the full results, moderate ones included (pytest -s)
    serious = {
        name: [v for v in violations if v["impact"] in SERIOUS]  # type: ignore[union-attr,index]
        for name, violations in found.items()
        if isinstance(violations, list)
    }
    assert not {k: v for k, v in serious.items() if v}, serious
    assert not {k: v for k, v in found.items() if isinstance(v, int) and v > 0}


def test_every_page_shows_the_navigation_and_none_scrolls_sideways_at_390(
    slow_server, browser, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    c = campus(tmp_path)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, slow_server, "root")
    live = start_live_import(page, slow_server, tmp_path)
    missing, wide = [], {}
    for name, path in [("live progress", f"/imports/{live}/"), *pages(c)]:
        page.goto(slow_server + path)
        if not has_main_nav(page):
            missing.append(name)
        if sideways(page) > 0:
            wide[name] = sideways(page)
        crumbs = page.get_by_role("navigation", name="Breadcrumb")
        assert crumbs.get_by_role("link").count() >= 1, name
    # The assign dialog and a confirmation step (both answers to a POST).
    page.goto(slow_server + "/users/")
    page.get_by_label("Select bob").check()
    page.get_by_role("button", name="Assign PCAP Presenter License").click()
    if not has_main_nav(page) or sideways(page) > 0:
        missing.append("assign dialog")
    page.goto(slow_server + "/licensing/")
    page.get_by_role("button", name="Revoke ID 2024-01-01-000001 from ann").click()
    if not has_main_nav(page) or sideways(page) > 0:
        missing.append("confirmation")
    viewer = browser.new_context(viewport=PHONE).new_page()
    login(viewer, slow_server, "viewer")
    for path in ("/licensing/import/", "/users/import/"):  # 403 pages
        response = viewer.goto(slow_server + path)
        assert response is not None and response.status == 403
        if not has_main_nav(viewer):
            missing.append("403 " + path)
        assert viewer.get_by_role("link", name="Your profile").count() >= 1
    response = viewer.goto(slow_server + "/no/such/page/")
    assert response is not None and response.status == 404
    assert has_main_nav(viewer) and viewer.get_by_role("link", name="Home").count() >= 1
    viewer.context.close()
    context.close()
    assert not missing, f"pages without the main navigation: {missing}"
    assert not wide, f"pages that scroll sideways at 390 px: {wide}"


def test_axe_really_runs_and_reports(page) -> None:  # type: ignore[no-untyped-def]
    """The check above is not vacuous: the same injection reports the violations the issue
    listed on a page that has them."""
    page.set_content(
        "<html><body><ul class=messages><li role=status>saved</li><p>x</p></ul>"
        "<div style='overflow:auto;width:50px'><table><tr><td>"
        + "wide " * 200
        + "</td></tr></table></div></body></html>"
    )
    ids = {v["id"] for v in run_axe(page)}
    assert {"list", "aria-allowed-role", "landmark-one-main", "region"} <= ids, ids
