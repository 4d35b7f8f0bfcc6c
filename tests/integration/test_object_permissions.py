"""Object-level authorization, generated from the route tables and the CLI's commands: every
page, API operation and command that takes an import, a user or a license, × six kinds of
actor, × objects inside and outside their scope. Not just "not 403": each actor reaches
exactly the objects the permission table gives them, and every listing shows exactly those.

Scope (docs/web.md): a user is in an actor's scope when they hold Academic Staff in one of
the actor's organizations (or below), or, holding Academic Staff nowhere, any role there.
Imports are visible to who ran them and to system administrators. Licenses are university-wide.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern

from plm.api.auth import Auth
from plm.api.main import api
from plm.directory.actors import system_actor
from plm.directory.models import User
from plm.directory.tokens import token_create
from plm.imports.models import Import
from plm.licensing.models import Assignment
from plm.web import urls as web_urls
from tests.builders import make_license, make_org, make_staff, make_user, plm, write_csv

L1 = "ID 2013-07-05-012345"
ACTORS = ["sysadmin", "scoped_admin", "other_branch_admin", "license_manager", "staff", "student"]
LEVELS = {
    "sysadmin": {"login", "view", "change", "sysadmin"},
    "scoped_admin": {"login", "view", "change"},
    "other_branch_admin": {"login", "view", "change"},
    "license_manager": {"login", "view"},
    "staff": {"login"},
    "student": {"login"},
}
EVERYONE = {"ann", "bob", "cat", "dual", "stud", "root", "mgr", "artmgr", "lm"}
# The users each actor may see (and, with change, act on).
SEES = {
    "sysadmin": EVERYONE,
    # Science and below: ann (Physics), cat (Science), the Science role holders without
    # Academic Staff anywhere. `dual` is Academic Staff in Arts (and Scheduler in Science):
    # Arts' scope, not Science's.
    "scoped_admin": {"ann", "cat", "mgr", "lm"},
    "other_branch_admin": {"bob", "dual", "artmgr"},
    "license_manager": {"ann", "cat", "mgr", "lm"},
}


@pytest.fixture
def world(db, tmp_path):  # type: ignore[no-untyped-def]
    top = make_org("University")
    science, arts = make_org("Science", top), make_org("Arts", top)
    physics = make_org("Physics", science)
    make_staff("ann", physics)
    make_staff("bob", arts)
    make_staff("cat", science)
    make_user("dual", "dual@example.edu", roles=[(arts, "Academic Staff"), (science, "Scheduler")])
    make_user("stud", "stud@example.edu")
    admin = [(science, "Administrator"), (science, "License Manager")]
    people = {
        "sysadmin": make_user("root", "root@example.edu", sysadmin=True),
        "scoped_admin": make_user("mgr", "mgr@example.edu", roles=admin),
        "other_branch_admin": make_user(
            "artmgr",
            "artmgr@example.edu",
            roles=[(arts, "Administrator"), (arts, "License Manager")],
        ),
        "license_manager": make_user("lm", "lm@example.edu", roles=[(science, "License Manager")]),
        "staff": User.objects.get(username="ann"),
        "student": User.objects.get(username="stud"),
    }
    make_license(L1, seats=50)
    body = "Username,Action,License ID\n" + "".join(
        f"{u},assign,{L1}\n" for u in ("ann", "bob", "cat", "dual")
    )
    # One import by the system, and one by each manager of their own (what they may see).
    imports = {"system": plm("import", str(write_csv(tmp_path / "a.csv", body)), "--json").json}
    for who in ("mgr", "artmgr"):
        path = write_csv(tmp_path / f"{who}.csv", f"Username,Action,License ID\nann,assign,{L1}\n")
        imports[who] = plm("import", str(path), "--as", who, "--json").json
    ids = {k: v["import_id"] for k, v in imports.items()}
    return people, ids


def _sees_import(actor: str, owner: str) -> bool:
    return actor == "sysadmin" or (actor, owner) in {
        ("scoped_admin", "mgr"),
        ("other_branch_admin", "artmgr"),
    }


POST_ONLY = {"import_cancel", "import_apply", "import_resume", "import_revert", "user_change"}


def web_object_pages() -> list[tuple[str, str, str, str]]:
    """(name, route, converter, level) of every GET page taking an import, user or license."""
    found = []
    for p in web_urls.urlpatterns:
        if not isinstance(p, URLPattern) or p.name in POST_ONLY:
            continue
        kinds = [k for k in ("import_id", "user_id", "license_id") if k in p.pattern.converters]
        if kinds:
            found.append((p.name, str(p.pattern), kinds[0], p.callback.plm_access))
    return found


def api_object_gets() -> list[tuple[str, str, str]]:
    found = []
    for _, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                if op.methods[0] != "GET":
                    continue
                level = next(a.level for a in op.auth_callbacks if isinstance(a, Auth))
                for kind in ("import_id", "username", "license_id"):
                    if "{" + kind + "}" in path:
                        found.append((path, kind, level))
    return found


def _expect(actor: str, level: str, kind: str, target: str) -> int:
    """The status a page or GET operation must answer: 403 for the level, 404 for an object
    out of reach, else 200."""
    if level not in LEVELS[actor]:
        return 403
    if kind == "import_id" and not _sees_import(actor, target):
        return 404
    if kind in ("user_id", "username") and target not in SEES[actor]:
        return 404
    return 200


@pytest.mark.parametrize("actor", ACTORS)
def test_pages_reach_exactly_the_objects_in_scope(world, actor: str) -> None:
    people, imports = world
    client = Client()
    client.force_login(people[actor])
    failures = []
    pages = web_object_pages()
    assert {p[0] for p in pages} >= {"import_detail", "import_results", "user_detail"}
    for name, route, kind, level in pages:
        targets = (
            imports.items()
            if kind == "import_id"
            else [(u, User.objects.get(username=u).pk) for u in sorted(EVERYONE)]
            if kind == "user_id"
            else [(L1, quote(L1))]
        )
        for target, value in targets:
            url = "/" + route.replace(f"<int:{kind}>", str(value)).replace(
                f"<str:{kind}>", str(value)
            )
            status = client.get(url).status_code
            if status != _expect(actor, level, kind, target):
                failures.append((name, target, status))
    assert not failures, f"{actor}: {failures}"


@pytest.mark.parametrize("actor", ACTORS)
def test_api_reaches_exactly_the_objects_in_scope(world, actor: str) -> None:
    people, imports = world
    _, token = token_create(actor=system_actor(), user=people[actor])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    failures = []
    level_of = {"view": "view", "change": "change", "sysadmin": "sysadmin"}
    for path, kind, level in api_object_gets():
        targets = (
            imports.items()
            if kind == "import_id"
            else [(u, u) for u in sorted(EVERYONE)]
            if kind == "username"
            else [(L1, quote(L1))]
        )
        for target, value in targets:
            url = "/api/v1" + path.replace("{" + kind + "}", str(value))
            status = client.get(url).status_code
            if status != _expect(actor, level_of[level], kind, target):
                failures.append((path, target, status))
    assert not failures, f"{actor}: {failures}"


ACTIONS = [  # every action that takes an import: page, API operation, command
    ("web", "/imports/{id}/cancel/"),
    ("web", "/imports/{id}/revert/"),
    ("web", "/imports/{id}/resume/"),
    ("web", "/imports/{id}/apply/"),
    ("api", "/api/v1/imports/{id}/cancel"),
    ("api", "/api/v1/imports/{id}/revert"),
    ("api", "/api/v1/imports/{id}/resume"),
    ("api", "/api/v1/imports/{id}/apply"),
    ("cli", "imports cancel"),
    ("cli", "imports revert"),
    ("cli", "imports resume"),
    ("cli", "imports show"),
]


@pytest.mark.parametrize("actor", ["scoped_admin", "other_branch_admin"])
def test_actions_on_an_import_out_of_sight_change_nothing(world, actor: str) -> None:
    people, imports = world
    user = people[actor]
    client = Client()
    client.force_login(user)
    _, token = token_create(actor=system_actor(), user=user)
    before = set(Assignment.objects.values_list("user_id", "license_id"))
    count = Import.objects.count()
    for face, target in ACTIONS:
        job = imports["system"]
        if face == "web":
            status = client.post(target.format(id=job), {"confirmed": "1"}).status_code
            assert status == 404, (target, status)
        elif face == "api":
            response = Client().post(
                target.format(id=job),
                {},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == 404, (target, response.status_code)
            assert response.json()["error"]["code"] == "import_not_found"
        else:
            run = plm(*target.split(), str(job), "--as", user.username, "--json")
            assert run.code == 2 and run.json["error"]["code"] == "import_not_found", target
    assert set(Assignment.objects.values_list("user_id", "license_id")) == before
    assert Import.objects.count() == count


def _body(response) -> str:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _usernames(items: list[dict]) -> set[str]:
    return {i["username"] for i in items}


@pytest.mark.parametrize(
    "actor", ["sysadmin", "scoped_admin", "other_branch_admin", "license_manager"]
)
def test_listings_show_exactly_the_users_in_scope(world, actor: str) -> None:
    people, imports = world
    _, token = token_create(actor=system_actor(), user=people[actor])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert _usernames(client.get("/api/v1/users?limit=1000").json()["items"]) == SEES[actor]
    holders = {"ann", "bob", "cat", "dual"} & SEES[actor]
    assert _usernames(client.get("/api/v1/assignments?limit=1000").json()["items"]) == holders
    exported = _body(client.get("/api/v1/export")).splitlines()[1:]
    emails = {line.split(",")[0] for line in exported}
    assert emails == {f"{u}@example.edu" for u in holders}
    person = _body(client.get("/api/v1/export/users")).splitlines()[1:]
    assert {line.split(",")[0] for line in person} == SEES[actor]
    seen = {i["id"] for i in client.get("/api/v1/imports").json()["items"]}
    assert seen == {i for owner, i in imports.items() if _sees_import(actor, owner)}
    web = Client()
    web.force_login(people[actor])
    page = web.get("/licensing/?q=").content.decode()
    for name in {"ann", "bob", "cat", "dual"}:
        assert (f">{name}<" in page) == (name in holders), name
