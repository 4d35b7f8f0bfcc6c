"""The dialect corpus through the web upload and the API: the same exact results, or the same
documented fatal code, as `plm import` gives (tests/integration/test_dialects_cli.py), with the
encoding read recorded on the import and shown."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plm.directory.actors import system_actor
from plm.directory.models import Organization, RoleGrant, User
from plm.directory.tokens import token_create
from plm.imports.models import Import
from plm.licensing.models import Assignment
from tests.builders import make_license, make_org, make_user, run_queued_tasks
from tests.data.dialects import CASES, LICENSE_ID, ROLE, Case
from tests.integration.test_dialects_cli import snapshot

LICENSE_CASES = [c for c in CASES if c.kind == "licenses"]
USER_CASES = [c for c in CASES if c.kind == "users"]


def _send(face: str, case: Case, path: str) -> Import:
    root = make_user("root", "root@example.edu", sysadmin=True)
    upload = {"file": SimpleUploadedFile(case.path.name, case.path.read_bytes())}
    if face == "web":
        client = Client()
        client.force_login(root)
        web_path = "/users/import/" if case.kind == "users" else "/licensing/import/"
        assert client.post(web_path, upload).status_code == 302
    else:
        _, token = token_create(actor=system_actor(), user=root)
        response = Client().post(path, upload, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 202, response.content
    run_queued_tasks()
    return Import.objects.get()


@pytest.mark.parametrize("face", ["web", "api"])
@pytest.mark.parametrize("case", LICENSE_CASES, ids=[c.file for c in LICENSE_CASES])
def test_licenses_file_in_each_dialect_on_the_web_and_the_api(db, case: Case, face: str) -> None:
    org = make_org(case.names.org)
    for person in case.names.people:
        make_user(person.username, person.email, roles=[(org, ROLE)])
    make_license(LICENSE_ID, seats=10)
    job = _send(face, case, "/api/v1/imports")
    if case.fatal:
        assert (job.status, job.error_code) == ("failed", case.fatal)
        assert Assignment.objects.count() == 0
        return
    assert job.status == "completed", job.error_message
    assert same_codec(job.encoding, case.encoding)
    results = list(job.results.order_by("seq").values_list("username", "code"))
    assert results == [(name, "assigned") for name in case.expected_usernames()]


def same_codec(recorded: str, expected: str) -> bool:
    """The import records a codec name (cp1250), the corpus may say a label (windows-1250)."""
    return codecs.lookup(recorded).name == codecs.lookup(expected).name


@pytest.mark.parametrize("face", ["web", "api"])
@pytest.mark.parametrize("case", USER_CASES, ids=[c.file for c in USER_CASES])
def test_person_file_in_each_dialect_on_the_web_and_the_api(db, case: Case, face: str) -> None:
    make_org(case.names.org)
    before = snapshot()
    job = _send(face, case, "/api/v1/users/imports")
    if case.fatal:
        assert (job.status, job.error_code) == ("failed", case.fatal)
        assert job.results.count() == 0
        after = snapshot()
        after["users"] = [u for u in after["users"] if u[0] != "root"]
        assert after == before  # a refused file changes nothing
        return
    assert job.status == "completed", job.error_message
    assert same_codec(job.encoding, case.encoding)
    assert list(job.results.values_list("code", flat=True)) == ["created"] * len(case.names.people)
    people = case.names.people
    assert sorted(
        User.objects.exclude(username="root").values_list(
            "username", "email", "first_name", "last_name"
        )
    ) == sorted((p.username, p.email, p.first, p.last) for p in people)
    assert sorted(
        RoleGrant.objects.values_list("user__username", "organization__name", "role")
    ) == sorted((p.username, case.names.org, ROLE) for p in people)
    assert Organization.objects.count() == 1


def test_the_encoding_read_is_shown_on_the_import_page(db) -> None:
    case = next(c for c in LICENSE_CASES if not c.fatal and c.encoding not in ("utf-8", "utf-16"))
    org = make_org(case.names.org)
    for person in case.names.people:
        make_user(person.username, person.email, roles=[(org, ROLE)])
    make_license(LICENSE_ID, seats=10)
    job = _send("web", case, "")
    client = Client()
    client.force_login(job_user())
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "read as" in page and job.encoding
    api = Client()
    _, token = token_create(actor=system_actor(), user=job_user())
    data = api.get(f"/api/v1/imports/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert data["encoding"] == job.encoding


def job_user():  # type: ignore[no-untyped-def]
    from plm.directory.models import User

    return User.objects.get(username="root")


def test_a_chosen_encoding_on_the_web_form_and_the_api_is_used(db) -> None:
    make_license(LICENSE_ID, seats=10)
    org = make_org("Science")
    make_user("Zoë", "zoe@example.edu", roles=[(org, ROLE)])
    data = f"Username;Action;License ID\r\nZOË;assign;{LICENSE_ID}\r\n".encode("cp1252")
    root = make_user("root", "root@example.edu", sysadmin=True)
    client = Client()
    client.force_login(root)
    client.post(
        "/licensing/import/",
        {"file": SimpleUploadedFile("z.csv", data), "encoding": "windows-1252"},
    )
    run_queued_tasks()
    job = Import.objects.get()
    assert (job.encoding, job.results.get().code) == ("cp1252", "assigned")
    bad = client.post(
        "/licensing/import/", {"file": SimpleUploadedFile("z.csv", data), "encoding": "klingon"}
    )
    assert bad.status_code == 422 and "invalid_argument" in bad.content.decode()
    _, token = token_create(actor=system_actor(), user=root)
    api = Client().post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("z.csv", data), "encoding": "klingon"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert api.status_code == 422 and api.json()["error"]["code"] == "invalid_argument"
    assert Import.objects.count() == 1
