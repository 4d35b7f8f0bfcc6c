"""Every API operation × every kind of caller -> the status the permission table implies.

Generated from the API's own route table: an operation without an access level fails."""

from urllib.parse import quote

import pytest
from django.test import Client

from plm.api.auth import Auth
from plm.api.main import api
from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from plm.imports.models import Import
from plm.licensing.models import License, Policy, PolicyLicense
from tests.builders import make_user
from tests.integration.conftest import L2

ROLES = ["anonymous", "student", "staff", "license_manager", "sub_org_manager", "sysadmin"]
PASSES = {
    "anonymous": set(),
    "student": set(),
    "staff": set(),
    "license_manager": {"view"},
    "sub_org_manager": {"view", "change"},
    "sysadmin": {"view", "change", "sysadmin"},
}


def operations() -> list[tuple[str, str, str]]:
    found = []
    for _, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                levels = [a.level for a in op.auth_callbacks if isinstance(a, Auth)]
                found.append((op.methods[0], path, levels[0] if levels else ""))
    return found


def test_every_operation_declares_an_access_level() -> None:
    ops = operations()
    assert len(ops) >= 17
    assert [op for op in ops if not op[2]] == []


@pytest.mark.parametrize("role", ROLES)
def test_api_permission_matrix(campus, role: str) -> None:
    people = {
        "student": campus.student,
        "staff": campus.ann,
        "license_manager": make_user("lm", roles=[(campus.science, "License Manager")]),
        "sub_org_manager": campus.manager,
        "sysadmin": make_user("root", sysadmin=True),
    }
    job = Import.objects.create(
        kind="licenses",
        source="api",
        actor="x",
        as_user="x",
        status="completed",
        created_at="2026-01-01T00:00:00Z",
    )
    # A Science policy: in the scoped roles' scopes (their use cases are allowed, not 403).
    policy = Policy.objects.create(name="Science staff", organization=campus.science)
    PolicyLicense.objects.create(
        policy=policy, license=License.objects.get(license_id=L2), position=0
    )
    headers = {}
    if role != "anonymous":
        _, raw = token_create(actor=system_actor(), user=people[role])
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client()
    failures = []
    for method, path, level in operations():
        url = "/api/v1" + path.format(
            license_id=quote(L2), import_id=job.pk, username="ann", policy_id=policy.pk
        )
        call = getattr(client, method.lower())
        response = (
            call(url, **headers)
            if method in ("GET", "DELETE")
            else call(url, {}, content_type="application/json", **headers)
        )
        status = response.status_code
        if role == "anonymous":
            ok = status == 401
        elif level not in PASSES[role]:
            ok = status == 403
        else:
            ok = status not in (401, 403, 500)
        if not ok:
            failures.append((method, path, status))
        assert response["Content-Type"].startswith(("application/json", "text/csv")), (method, path)
    assert not failures, f"{role}: {failures}"
