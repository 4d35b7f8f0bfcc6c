"""Attacks on the identity faces that once worked: provisioning renaming a system administrator
(then signing in as them through single sign-on), an unverified e-mail claim naming someone
else's account, and SCIM inputs that answered 500."""

import pytest

from plm.directory.actors import system_actor
from plm.directory.models import User
from plm.directory.scim_tokens import scim_token_create
from plm.directory.sso import user_for_claims
from tests.builders import make_user
from tests.integration.test_scim import USER, Scim, assert_scim_error


@pytest.fixture
def scim(db) -> Scim:  # type: ignore[no-untyped-def]
    _, raw = scim_token_create(actor=system_actor(), name="idp")
    return Scim(raw)


def test_provisioning_never_renames_a_system_administrator_or_changes_their_email(
    campus, scim
) -> None:  # type: ignore[no-untyped-def]
    root = make_user("root", "root@example.edu", sysadmin=True)
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"userName": "evil"}}],
    }
    assert_scim_error(scim.call("PATCH", f"/Users/{root.pk}", patch), 403)
    email = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "emails", "value": [{"value": "x@idp.example"}]}],
    }
    assert_scim_error(scim.call("PATCH", f"/Users/{root.pk}", email), 403)
    root.refresh_from_db()
    assert (root.username, root.email) == ("root", "root@example.edu")


def test_an_email_claim_signs_in_only_when_the_idp_says_it_is_verified(db) -> None:
    make_user("boss", "boss@example.edu", sysadmin=True)
    for verified in (None, False, "false"):
        claims = {"sub": "1", "preferred_username": "mallory", "email": "boss@example.edu"}
        if verified is not None:
            claims["email_verified"] = verified
        user, why = user_for_claims(claims, username_claim="preferred_username")
        assert user is None and why, verified
    claims = {
        "sub": "1",
        "preferred_username": "x",
        "email": "boss@example.edu",
        "email_verified": True,
    }
    user, _ = user_for_claims(claims, username_claim="preferred_username")
    assert user is not None and user.username == "boss"


def test_scim_inputs_of_the_wrong_type_or_size_are_400_or_answered(campus, scim) -> None:  # type: ignore[no-untyped-def]
    search = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}
    assert_scim_error(scim.call("POST", "/Users/.search", {**search, "filter": 5}), 400)
    assert_scim_error(scim.call("POST", "/Users/.search", {**search, "attributes": 5}), 400)
    assert_scim_error(
        scim.call("POST", "/Groups/.search", {**search, "excludedAttributes": 7}), 400
    )
    far = scim.get("/Users", startIndex="99999999999999999999")
    assert far.status_code == 200 and far.json_body["Resources"] == []
    before = User.objects.count()
    nul = scim.call("POST", "/Users", {"schemas": [USER], "userName": "a\u0000b"})
    assert_scim_error(nul, 400)
    assert User.objects.count() == before
