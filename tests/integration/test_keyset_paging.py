"""Keyset paging: Next / Previous links and the API's `next` walk every row once, in order,
without skipping rows (no OFFSET), and a cursor that is not ours is never an error page."""

import base64
import json
import re
from html import unescape
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from plm import paging
from plm.app.users import users_list
from plm.audit.models import AuditEvent
from plm.directory.actors import system_actor
from plm.directory.models import User
from plm.imports.models import Import
from tests.builders import make_license, make_user, plm
from tests.integration.conftest import L1, L2
from tests.integration.test_api import Api, bearer

STAFF = 123  # with the campus's 3: 126 active staff, three pages of 50 on the Users page


@pytest.fixture
def many(campus):  # type: ignore[no-untyped-def]
    for i in range(STAFF):
        # Names whose order differs from their creation order, with a shared prefix.
        make_user(
            f"u{(i * 37) % STAFF:03d}",
            f"u{i:03d}@example.com",
            roles=[(campus.arts, "Academic Staff")],
        )
    return campus


@pytest.fixture
def root(campus) -> User:  # type: ignore[no-untyped-def]
    return make_user("root", "root@example.com", sysadmin=True)


@pytest.fixture
def admin(many, root) -> Client:
    client = Client()
    client.force_login(root)
    return client


def _link(page: str, label: str) -> str | None:
    found = re.search(r'<a href="([^"]*)">' + re.escape(label), page)
    return unescape(found.group(1)) if found else None


def _names(page: str) -> list[str]:
    return re.findall(r'href="/users/\d+/">([^<]+)</a>', page)


def _walk(client: Client, path: str, first: str, label: str) -> list[str]:
    """The pages from `first`, following the link named `label` to the end."""
    pages = []
    url: str | None = first
    while url:
        page = client.get(path + url).content.decode()
        pages.append(page)
        url = _link(page, label)
    return pages


def test_next_links_walk_every_user_once_in_order_and_previous_walks_back(admin) -> None:
    forward = _walk(admin, "/users/", "?tab=staff", "Next ›")
    assert len(forward) == 3
    names = [n for page in forward for n in _names(page)]
    staff = users_list(actor=system_actor(), kind="staff", active=True)
    expected = list(staff.values_list("username", flat=True))
    assert names == expected
    assert "after=" in _link(forward[0], "Next ›")  # type: ignore[operator]
    # The same pages by number: what a page shows does not depend on how it was reached.
    assert [_names(admin.get(f"/users/?tab=staff&page={n}").content.decode()) for n in (2, 3)] == [
        _names(forward[1]),
        _names(forward[2]),
    ]
    back = _walk(admin, "/users/", _link(forward[2], "‹ Previous"), "‹ Previous")  # type: ignore[arg-type]
    assert [_names(p) for p in back] == [_names(forward[1]), _names(forward[0])]
    assert (
        f"Page 1 of 3 ({len(expected)})" in back[-1] and f"Page 2 of 3 ({len(expected)})" in back[0]
    )


def test_a_page_reached_by_cursor_reads_from_the_key_not_past_skipped_rows(admin) -> None:
    second = _link(admin.get("/users/?tab=staff").content.decode(), "Next ›")
    with CaptureQueriesContext(connection) as queries:
        assert admin.get("/users/" + second).status_code == 200  # type: ignore[operator]
    pages = [q["sql"] for q in queries if "username_key" in q["sql"] and "LIMIT" in q["sql"]]
    assert pages and not any("OFFSET" in sql for sql in pages)


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "W10", "WyJ4Il0x", "eyJhIjoxfQ", "WzEsMl0", "WyJ4XHUwMDAwIl0", "x" * 5000],
)
def test_a_cursor_that_is_not_ours_shows_the_page_by_number(admin, cursor) -> None:
    by_number = admin.get("/users/?tab=staff&page=2").content.decode()
    response = admin.get(f"/users/?tab=staff&page=2&after={cursor}")
    assert response.status_code == 200
    assert _names(response.content.decode()) == _names(by_number)


def test_audit_and_results_pages_follow_their_own_order(admin, many, tmp_path) -> None:
    make_license("ID 2031-01-01-000001", seats=500)
    rows = "".join(f"u{i:03d}@example.com,assign,ID 2031-01-01-000001\n" for i in range(STAFF))
    path = tmp_path / "licenses.csv"
    path.write_text("Username,Action,License ID\n" + rows)
    assert plm("import", str(path)).code == 0
    job = Import.objects.latest("pk")
    pages = _walk(admin, f"/imports/{job.pk}/results/", "?outcome=", "Next ›")
    rows_shown = [int(r) for p in pages for r in re.findall(r'<td class="num">(\d+)</td>', p)]
    assert rows_shown == list(range(2, STAFF + 2))  # file rows 2..124, once each, in order
    audit = _walk(admin, "/audit/", "?license=ID 2031-01-01-000001", "Next ›")
    assert len(audit) == 2
    shown = [int(r) for p in audit for r in re.findall(r"</a> / (\d+)</td>", p)]
    events = AuditEvent.objects.filter(license_id="ID 2031-01-01-000001").order_by("-id")
    assert shown == list(events.values_list("row", flat=True)) and len(shown) == STAFF
    assert "&page=2&after=" in audit[0] and audit[1].count("page=") == 1  # no pile-up


def test_api_next_walks_every_user_once_and_ends_with_null(many, root) -> None:
    api = Api(bearer(root))
    seen, after = [], None
    while True:
        body = api.get("/users", limit=40, **({"after": after} if after else {})).json()
        seen += [u["username"] for u in body["items"]]
        assert body["count"] == User.objects.count()
        after = body["next"]
        if after is None:
            break
    assert seen == list(User.objects.order_by("username_key").values_list("username", flat=True))
    # offset applies after the cursor
    first = api.get("/users", limit=10).json()
    skipped = api.get("/users", limit=5, offset=5, after=first["next"]).json()
    assert [u["username"] for u in skipped["items"]] == seen[15:20]


def test_api_assignment_cursor_keeps_a_users_licenses_across_the_page_edge(campus, root) -> None:
    for name, license_id in (("ann", L1), ("ann", L2), ("bob", L1), ("bob", L2), ("cat", L2)):
        assert plm("assign", name, license_id).code == 0
    api = Api(bearer(root))
    everything = api.get("/assignments", limit=1000).json()["items"]
    walked, after = [], None
    while True:
        body = api.get("/assignments", limit=1, **({"after": after} if after else {})).json()
        walked += body["items"]
        if (after := body["next"]) is None:
            break
    assert walked == everything and len(walked) == 5


@pytest.mark.parametrize(
    ("cursor", "code"),
    [
        ("nonsense", "invalid_argument"),
        ("W10", "invalid_argument"),  # []
        ("WzEsMl0", "invalid_argument"),  # [1,2]: not this list's key
        ("x" * 3000, "invalid_request"),  # over the parameter's length
    ],
)
def test_api_a_bad_cursor_is_refused_with_its_code(campus, root, cursor, code) -> None:
    response = Api(bearer(root)).get("/users", after=cursor)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_api_a_short_list_has_no_cursor(campus, root) -> None:
    api = Api(bearer(root))
    assert api.get("/licenses").json()["next"] is None
    response = api.get("/licenses", after="W10")
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_argument"


def _cursor(values: list[object]) -> str:
    """A cursor as a client could forge it (JSON with \\u escapes, so a lone surrogate too)."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


BAD_KEYS = [
    ["abc"],  # text for a number column
    [10**30],  # beyond 64 bits
    ["\ud800"],  # an unpaired surrogate
    [1.5],
    [True],
    [None],
    [[1]],
]


@pytest.mark.parametrize("values", BAD_KEYS)
def test_a_cursor_a_column_cannot_take_is_never_a_server_error(admin, values) -> None:
    cursor = _cursor(values)
    for path in ("/audit/", "/imports/"):
        response = admin.get(f"{path}?page=2&after={cursor}")
        assert response.status_code == 200
        assert admin.get(f"{path}?page=2&before={cursor}").status_code == 200


@pytest.mark.parametrize("values", BAD_KEYS)
def test_api_a_cursor_a_column_cannot_take_is_invalid_argument(campus, root, values) -> None:
    response = Api(bearer(root)).get("/imports", after=_cursor(values))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_argument"


def test_a_cursor_nested_too_deep_is_not_ours(admin, campus, root) -> None:
    """json.loads gives up on 1,400 nested brackets with RecursionError, not ValueError."""
    cursor = base64.urlsafe_b64encode(b"[" * 1400).decode().rstrip("=")
    assert len(cursor) <= paging.MAX_CURSOR  # it is the decoder that refuses it, not the limit
    assert admin.get(f"/audit/?page=2&after={cursor}").status_code == 200
    response = Api(bearer(root)).get("/imports", after=cursor)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_argument"


def test_a_page_read_from_a_cursor_knows_if_another_follows(admin) -> None:
    """Next is shown from the rows read, not from the page number (which a user can edit)."""
    staff = list(users_list(actor=system_actor(), kind="staff", active=True))
    last_but_one = paging.cursor_of(staff[-2], users_list(actor=system_actor(), kind="staff"))
    page = admin.get(f"/users/?tab=staff&page=1&after={last_but_one}").content.decode()
    assert _names(page) == [staff[-1].username]
    assert _link(page, "Next ›") is None and _link(page, "‹ Previous") is not None
    past_the_end = paging.cursor_of(staff[-1], users_list(actor=system_actor(), kind="staff"))
    page = admin.get(f"/users/?tab=staff&page=3&after={past_the_end}").content.decode()
    assert _names(page) == [] and _link(page, "Next ›") is None


def test_the_pager_keeps_a_search_with_an_ampersand_as_typed(admin) -> None:
    response = admin.get("/users/", {"tab": "staff", "q": "a&b #c", "org": ""})
    assert parse_qs(response.context["keep"]) == {"tab": ["staff"], "q": ["a&b #c"]}


def test_previous_when_the_rows_before_are_gone_shows_the_first_page(admin) -> None:
    staff = list(users_list(actor=system_actor(), kind="staff", active=True))
    cursor = paging.cursor_of(staff[50], users_list(actor=system_actor(), kind="staff"))
    User.objects.filter(pk__in=[u.pk for u in staff[:50]]).update(is_active=False)
    page = admin.get(f"/users/?tab=staff&page=1&before={cursor}").content.decode()
    assert _names(page) == [u.username for u in staff[50:100]]
    assert _link(page, "Next ›") is not None
