"""The first-time administrator's walk-through, shared by the accessibility, navigation and
layout tests: a campus with data, every page and state of the seed workflow, and helpers to
keep an import live (20,000 rows in small batches) and to run axe-core in the page."""

import re
from dataclasses import dataclass
from pathlib import Path

from plm.directory.models import ApiToken, User
from plm.directory.tokens import token_create
from plm.imports.models import Import
from tests.builders import make_license, make_org, make_staff, make_user, plm, write_csv

L1 = "ID 2024-01-01-000001"
L2 = "ID 2024-01-01-000002"
PASSWORD = "walk-through-pass-123"
AXE = Path(__file__).parent / "assets" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LIVE_ROWS = 20_000


@dataclass
class Campus:
    report: int  # a finished import with applied, unchanged and rejected rows
    user_pk: int
    policy_pk: int  # a paused policy (so it licenses no one behind the tests' backs)


def campus(tmp_path: Path) -> Campus:
    science = make_org("Science")
    for name in ("ann", "bob", "cat", "dan"):
        make_staff(name, science)
    make_staff("a.very.long.username.for.testing", science, "a.very.long.email.address@example.edu")
    make_user("stud", "stud@example.edu")
    make_license(L1, seats=3)
    make_license(L2, seats=10)
    root = make_user("root", "root@example.edu", sysadmin=True)
    viewer = make_user("viewer", "viewer@example.edu", roles=[(science, "License Manager")])
    staff = User.objects.get(username="dan")
    for user in (root, viewer, staff):
        user.set_password(PASSWORD)
        user.save()
    plm("assign", "ann", L1)
    path = write_csv(
        tmp_path / "first.csv",
        "Username,Action,License ID\n"
        f"bob,assign,{L1}\nann,assign,{L1}\nnobody,assign,{L1}\n"
        f"cat,assign,ID 2099-13-01-000001\na.very.long.username.for.testing,assign,{L2}\n",
    )
    plm("import", str(path), "--as", "root")
    token_create(actor=_system(), user=root, name="sync-bot")
    report = Import.objects.latest("pk").pk
    policy = plm(
        "policies",
        "add",
        "Science staff",
        "--org",
        "Science",
        "--license",
        L2,
        "--paused",
        "--json",
    )
    return Campus(report=report, user_pk=staff.pk, policy_pk=policy.json["id"])


def _system():  # type: ignore[no-untyped-def]
    from plm.directory.actors import system_actor

    return system_actor()


def login(page, url: str, username: str = "root") -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/(licensing|profile)/$"))


def big_file(tmp_path: Path, rows: int = LIVE_ROWS) -> Path:
    """`rows` rows, one in 40 rejected (an unknown user), the rest revoking what nobody holds
    (unchanged): it never runs out of seats and keeps producing new rejected rows."""
    lines = ["Username,Action,License ID"]
    for i in range(rows):
        lines.append(f"ghost{i},assign,{L2}" if i % 40 == 7 else f"ann,revoke,{L2}")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_live_import(page, url: str, tmp_path: Path) -> int:  # type: ignore[no-untyped-def]
    """Upload the big file through the Import page; return its number once it is running."""
    page.goto(url + "/licensing/import/")
    page.get_by_label("CSV or Excel file").set_input_files(str(big_file(tmp_path)))
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r".*/imports/\d+/$"))
    page.wait_for_selector("[data-status=running]", timeout=30000)
    return int(re.search(r"/imports/(\d+)/", page.url).group(1))  # type: ignore[union-attr]


def pages(c: Campus) -> list[tuple[str, str]]:
    """Every page of the walk-through a signed-in system administrator sees (name, path)."""
    return [
        ("Manage", "/licensing/"),
        ("a license", f"/licensing/{L1}/"),
        ("import form", "/licensing/import/"),
        ("report", f"/imports/{c.report}/"),
        ("results", f"/imports/{c.report}/results/"),
        ("history", "/imports/"),
        ("audit", "/audit/"),
        ("Users", "/users/"),
        ("a user", f"/users/{c.user_pk}/"),
        ("Import users", "/users/import/"),
        ("Policies", "/policies/"),
        ("a policy", f"/policies/{c.policy_pk}/"),
        ("profile", "/profile/"),
        ("SCIM tokens", "/profile/scim-tokens/"),
        ("404", "/no/such/page/"),
    ]


def axe(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """axe-core's violations on the current page (WCAG 2.1 A/AA and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(  # type: ignore[no-any-return]
        """async () => {
          const r = await axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
          return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
            target: v.nodes[0] && v.nodes[0].target.join(' ')}));
        }"""
    )


def sideways(page) -> int:  # type: ignore[no-untyped-def]
    """How many pixels the page itself scrolls sideways (0: it does not)."""
    return page.evaluate(  # type: ignore[no-any-return]
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def has_main_nav(page) -> bool:  # type: ignore[no-untyped-def]
    nav = page.get_by_role("navigation", name="Main")
    return nav.count() == 1 and nav.get_by_role("link", name="Import history").is_visible()


def tokens_left() -> int:
    return ApiToken.objects.filter(revoked_at__isnull=True).count()
