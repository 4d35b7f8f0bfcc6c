"""Every web URL × every kind of user -> the status the permission table implies.

The URL list comes from the URL conf: a new view without an access rule fails this test."""

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from plm.imports.models import Import
from plm.licensing.models import License, Policy, PolicyLicense
from plm.web import urls as web_urls
from tests.builders import make_user
from tests.integration.conftest import L1

ROLES = ["anonymous", "student", "staff", "license_manager", "sub_org_manager", "sysadmin"]
# Levels each role passes (see docs/web.md, Permissions).
PASSES = {
    "anonymous": set(),
    "student": {"login"},
    "staff": {"login"},
    "license_manager": {"login", "view"},
    "sub_org_manager": {"login", "view", "change"},
    "sysadmin": {"login", "view", "change", "sysadmin"},
}
PUBLIC = {"login", "logout"}
POST_ONLY = {
    "replace",
    "import_revert",
    "revoke",
    "users_bulk",
    "import_cancel",
    "import_apply",
    "import_resume",
    "user_change",
    "policy_run",
    "policy_delete",
}


@pytest.fixture
def people(campus):  # type: ignore[no-untyped-def]
    sysadmin = make_user("root", sysadmin=True)
    lm = make_user("lm", roles=[(campus.science, "License Manager")])
    return {
        "anonymous": None,
        "student": campus.student,
        "staff": campus.ann,
        "license_manager": lm,
        "sub_org_manager": campus.manager,
        "sysadmin": sysadmin,
    }


def patterns() -> list[URLPattern]:
    return [p for p in web_urls.urlpatterns if isinstance(p, URLPattern)]


def test_every_view_declares_its_access_rule() -> None:
    missing = [
        p.name for p in patterns() if p.name not in PUBLIC and not hasattr(p.callback, "plm_access")
    ]
    assert not missing, f"views without an access rule: {missing}"


def _url(pattern: URLPattern, import_id: int, user_id: int, policy_id: int = 1) -> str:
    kwargs = {}
    if "policy_id" in pattern.pattern.converters:
        kwargs["policy_id"] = policy_id
    if "import_id" in pattern.pattern.converters:
        kwargs["import_id"] = import_id
    if "user_id" in pattern.pattern.converters:
        kwargs["user_id"] = user_id
    if "license_id" in pattern.pattern.converters:
        kwargs["license_id"] = L1
    return reverse(f"web:{pattern.name}", kwargs=kwargs)


def expected(role: str, level: str, name: str) -> set[int]:
    if role == "anonymous":
        return {302}  # to the login page
    if level not in PASSES[role]:
        return {403}
    if name.startswith("import_") and role != "sysadmin":
        return {404}  # imports are visible to who ran them, and to system administrators
    if name in POST_ONLY:
        return {200, 302}
    return {200, 302}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(people, campus, role: str) -> None:
    job = Import.objects.create(
        kind="licenses",
        source="cli",
        actor="system",
        status="completed",
        created_at="2026-01-01T00:00:00Z",
        dry_run=True,
    )
    # A policy of Science: every viewer in the fixture's scopes sees it.
    policy = Policy.objects.create(name="Science staff", organization=campus.science)
    PolicyLicense.objects.create(
        policy=policy, license=License.objects.get(license_id=L1), position=0
    )
    client = Client()
    if people[role] is not None:
        client.force_login(people[role])
    failures = []
    for pattern in patterns():
        if pattern.name in PUBLIC:
            continue
        level = pattern.callback.plm_access
        url = _url(pattern, job.pk, campus.ann.pk, policy.pk)
        response = client.post(url) if pattern.name in POST_ONLY else client.get(url)
        if response.status_code not in expected(role, level, pattern.name):
            failures.append((pattern.name, response.status_code))
        if role == "anonymous":
            assert response["Location"].startswith("/login/"), pattern.name
    assert not failures, f"{role}: {failures}"


def test_post_only_views_refuse_get(people) -> None:
    client = Client()
    client.force_login(people["sysadmin"])
    for name in POST_ONLY:
        pattern = next(p for p in patterns() if p.name == name)
        assert client.get(_url(pattern, 1, 1)).status_code == 405


def test_license_manager_sees_no_import_button(people) -> None:
    client = Client()
    client.force_login(people["license_manager"])
    page = client.get("/licensing/").content.decode()
    assert 'href="/licensing/import/"' not in page and 'href="/licensing/export/"' in page
    client.force_login(people["sub_org_manager"])
    assert 'href="/licensing/import/"' in client.get("/licensing/").content.decode()


def test_forms_carry_csrf_tokens_and_posts_without_them_fail(people) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["sysadmin"])
    assert "csrfmiddlewaretoken" in client.get("/licensing/import/").content.decode()
    assert client.post("/licensing/revoke/", {"one": "ann|x"}).status_code == 403
