"""SCIM tokens on the web (system administrators): created on the page and shown once, usable
at /scim/v2/ at once, revoked only after the confirmation step."""

import re

from django.test import Client

from plm.directory.models import ScimToken
from tests.builders import make_user


def test_a_system_administrator_creates_uses_and_revokes_a_scim_token(campus) -> None:
    client = Client()
    client.force_login(make_user("root", sysadmin=True))
    assert "SCIM tokens" in client.get("/profile/").content.decode()
    created = client.post("/profile/scim-tokens/", {"name": "entra-id"})
    assert created["Cache-Control"] == "no-store"
    raw = re.search(r'id="new-scim-token">([^<]+)<', created.content.decode()).group(1)
    scim = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert scim.get("/scim/v2/Users").status_code == 200

    token = ScimToken.objects.get()
    asked = client.post("/profile/scim-tokens/", {"revoke": str(token.pk)})
    assert "Revoke SCIM token" in asked.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # nothing changed before the confirmation
    client.post("/profile/scim-tokens/", {"revoke": str(token.pk), "confirmed": "1"})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert scim.get("/scim/v2/Users").status_code == 401


def test_only_system_administrators_reach_scim_tokens(campus) -> None:
    client = Client()
    client.force_login(campus.manager)
    assert client.get("/profile/scim-tokens/").status_code == 403
    assert client.post("/profile/scim-tokens/", {"name": "x"}).status_code == 403
    assert not ScimToken.objects.exists()
