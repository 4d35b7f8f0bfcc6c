"""One table of bad requests, sent to every face: the CLI (its JSON and exit code), the web (the
page's status and message, nothing queued) and the API (status and JSON) all answer the same
code, from the one application layer and the one HTTP status table.

Each row is a case; each case says how each face sends it and which code comes back.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.imports.models import Import, ImportFile
from plm.licensing.models import Assignment
from tests.builders import make_user, plm, write_csv
from tests.integration.conftest import L1

MISSING = "ID 2099-01-01-000001"
GOOD = f"Username,Action,License ID\r\nann,assign,{L1}\r\n"


@dataclass
class World:
    """What every case needs: clients signed in as the case's actor, and a fixture import."""

    tmp: Any
    web: Client
    token: str
    system_import: int
    bob: int

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        call = getattr(Client(), method)
        return call("/api/v1" + path, HTTP_AUTHORIZATION=f"Bearer {self.token}", **kwargs)

    def file(self, text: str) -> str:
        return str(write_csv(self.tmp / "f.csv", text))


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    actor: str  # "root" (system administrator) or "mgr" (Science manager)
    cli: Callable[[World], list[str]]
    web: Callable[[World], Any] | None  # None: the web cannot send it (see the case)
    api: Callable[[World], Any]
    status: int  # the HTTP status of both web and API
    row_level: bool = False  # a row result (the request itself succeeds), not a request error


def upload(text: str, **fields: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("f.csv", text.encode()), **fields}


CASES = [
    Case(
        "an empty file",
        "empty_file",
        "root",
        lambda w: ["import", w.file("")],
        lambda w: w.web.post("/licensing/import/", upload("")),
        lambda w: w.api("post", "/imports", data=upload("")),
        422,
    ),
    Case(
        "an unknown license",
        "license_not_found",
        "root",
        lambda w: ["licenses", "utilization", MISSING],
        lambda w: w.web.get(f"/licensing/{quote(MISSING)}/"),
        lambda w: w.api("get", f"/licenses/{quote(MISSING)}"),
        404,
    ),
    Case(
        "an unknown license's utilization",
        "license_not_found",
        "root",
        lambda w: ["licenses", "utilization", MISSING],
        lambda w: w.web.get(f"/licensing/{quote(MISSING)}/utilization.csv"),
        lambda w: w.api("get", f"/licenses/{quote(MISSING)}/utilization"),
        404,
    ),
    Case(
        "an invalid outcome filter",
        "invalid_argument",
        "root",
        lambda w: ["imports", "show", str(w.system_import), "--outcome", "bogus"],
        lambda w: w.web.get(f"/imports/{w.system_import}/results/?outcome=bogus"),
        lambda w: w.api("get", f"/imports/{w.system_import}/results?outcome=bogus"),
        422,
    ),
    Case(
        "a sync percent out of range",
        "invalid_argument",
        "root",
        lambda w: ["import", w.file(GOOD), "--sync", "--max-revoke-percent", "150"],
        lambda w: w.web.post(
            "/licensing/import/", upload(GOOD, sync="on", max_revoke_percent="150")
        ),
        lambda w: w.api(
            "post", "/imports", data=upload(GOOD, sync="true", max_revoke_percent="150")
        ),
        422,
    ),
    Case(
        "a percent without sync",
        "invalid_argument",
        "root",
        lambda w: ["import", w.file(GOOD), "--max-revoke-percent", "20"],
        None,  # the web form's threshold field is part of its sync option
        lambda w: w.api("post", "/imports", data=upload(GOOD, max_revoke_percent="20")),
        422,
    ),
    Case(
        "an import the actor may not see: revert",
        "import_not_found",
        "mgr",
        lambda w: ["imports", "revert", str(w.system_import), "--as", "mgr"],
        lambda w: w.web.post(f"/imports/{w.system_import}/revert/", {"confirmed": "1"}),
        lambda w: w.api(
            "post", f"/imports/{w.system_import}/revert", data={}, content_type="application/json"
        ),
        404,
    ),
    Case(
        "an import the actor may not see: results",
        "import_not_found",
        "mgr",
        lambda w: ["imports", "show", str(w.system_import), "--as", "mgr"],
        lambda w: w.web.get(f"/imports/{w.system_import}/results/"),
        lambda w: w.api("get", f"/imports/{w.system_import}/results"),
        404,
    ),
    Case(
        "an import the actor may not see: cancel",
        "import_not_found",
        "mgr",
        lambda w: ["imports", "cancel", str(w.system_import), "--as", "mgr"],
        lambda w: w.web.post(f"/imports/{w.system_import}/cancel/", {"confirmed": "1"}),
        lambda w: w.api("post", f"/imports/{w.system_import}/cancel"),
        404,
    ),
    Case(
        "a target outside the actor's scope",
        "out_of_scope",
        "mgr",
        lambda w: ["revoke", "bob", L1, "--as", "mgr"],
        lambda w: w.web.post("/licensing/revoke/", {"one": f"bob|{L1}", "confirmed": "1"}),
        lambda w: w.api("delete", f"/assignments/bob/{quote(L1)}"),
        200,
        row_level=True,
    ),
]


@pytest.fixture
def world(campus, tmp_path) -> World:  # type: ignore[no-untyped-def]
    make_user("root", "root@example.com", sysadmin=True)
    bob = campus.bob
    assert plm("assign", "bob", L1).code == 0
    ran = plm("import", str(write_csv(tmp_path / "sys.csv", GOOD)), "--json").json
    return World(tmp_path, Client(), "", ran["import_id"], bob.pk)


def _as(world: World, who: str) -> World:
    from plm.directory.models import User

    user = User.objects.get(username=who)
    world.web.force_login(user)
    _, world.token = token_create(actor=system_actor(), user=user)
    return world


def _row_code(data: dict[str, Any]) -> str:
    return data["code"] if "code" in data else data["results"][-1]["code"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_face_answers_the_same_code(world, case: Case) -> None:
    w = _as(world, case.actor)
    imports_before = Import.objects.count()

    cli = plm(*case.cli(w), "--json")
    if case.row_level:
        assert cli.code == 3 and _row_code(cli.json) == case.code
    else:
        assert cli.code == 2, cli.stdout + cli.stderr
        assert cli.json["error"]["code"] == case.code

    queued = ImportFile.objects.count()
    web = case.web(w) if case.web else None
    if web is None:
        pass
    elif case.row_level:
        job = Import.objects.latest("pk")
        assert job.results.get().code == case.code
    else:
        assert web.status_code == case.status and case.code in web.content.decode()
        assert ImportFile.objects.count() == queued  # nothing queued

    api = case.api(w)
    assert api.status_code == case.status, api.content
    if case.row_level:
        assert api.json()["code"] == case.code
    else:
        assert api.json()["error"]["code"] == case.code
    assert ImportFile.objects.count() == queued
    assert Import.objects.count() >= imports_before
    # The out-of-scope holder still holds: nothing a refused request touched changed.
    assert Assignment.objects.filter(user_id=w.bob).count() == 1
