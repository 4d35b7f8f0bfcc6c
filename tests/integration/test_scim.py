"""SCIM 2.0 provisioning (/scim/v2/): what Entra ID and Okta send, the group-to-role mapping, and
the users import's rules (licenses kept, every change audited with source `scim`).

Requests go through Django's full request handling (middleware, URL conf, views) on the real
database; tests/e2e/test_scim_compliance.py runs the outside checker over real HTTP."""

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from plm.app import provisioning as uc
from plm.audit.models import AuditEvent
from plm.core.codes import PlmError
from plm.directory.actors import actor_for_user, system_actor
from plm.directory.models import RoleGrant, ScimGroup, User
from plm.directory.provisioning import UserData
from plm.directory.scim_tokens import scim_token_create, scim_token_revoke
from plm.directory.tokens import token_create
from tests.builders import holders, make_org, make_user, plm
from tests.integration.conftest import L1

BASE = "/scim/v2"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """A SCIM client with a bearer token, speaking application/scim+json."""

    def __init__(self, token: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def call(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        kwargs: dict[str, Any] = {"content_type": "application/scim+json"}
        if body is not None:
            kwargs["data"] = json.dumps(body) if not isinstance(body, bytes) else body
        if params:
            query = "&".join(f"{k}={v}" for k, v in params.items())
            path = f"{path}?{query}"
        response = getattr(self.client, method.lower())(BASE + path, **kwargs)
        response.json_body = json.loads(response.content) if response.content else None
        return response

    def get(self, path: str, **params: str) -> Any:
        return self.call("GET", path, **params)

    def post(self, path: str, body: Any) -> Any:
        return self.call("POST", path, body)

    def patch(self, path: str, *operations: dict[str, Any]) -> Any:
        return self.call("PATCH", path, {"schemas": [PATCH], "Operations": list(operations)})


@pytest.fixture
def scim(db) -> Scim:  # type: ignore[no-untyped-def]
    _, raw = scim_token_create(actor=system_actor(), name="entra-id")
    return Scim(raw)


def assert_scim_error(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json_body
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type:
        assert body["scimType"] == scim_type
    return body  # type: ignore[no-any-return]


def entra_user(name: str, object_id: str, active: bool = True) -> dict[str, Any]:
    """A POST /Users body as Entra ID's provisioning service sends it."""
    return {
        "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": object_id,
        "userName": f"{name}@campus.example.edu",
        "active": active,
        "displayName": name.title(),
        "emails": [{"primary": True, "type": "work", "value": f"{name}@campus.example.edu"}],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": f"{name.title()} Doe",
            "familyName": "Doe",
            "givenName": name.title(),
        },
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Physics"},
    }


def test_entra_id_provisioning_sequence_create_patch_group_members_deactivate(campus, scim):
    # Entra first looks the user up by userName, finds nobody, creates them.
    found = scim.get("/Users", filter='userName eq "dana@campus.example.edu"')
    assert found.status_code == 200 and found.json_body["totalResults"] == 0
    created = scim.post("/Users", entra_user("dana", "obj-1"))
    assert created.status_code == 201, created.content
    uid = created.json_body["id"]
    assert created["Location"].endswith(f"/scim/v2/Users/{uid}")
    dana = User.objects.get(pk=uid)
    assert (dana.username, dana.email, dana.first_name, dana.last_name, dana.external_id) == (
        "dana@campus.example.edu",
        "dana@campus.example.edu",
        "Dana",
        "Doe",
        "obj-1",
    )
    assert not dana.has_usable_password()

    # PATCH replace as Entra sends it: capitalized op, string booleans, filtered e-mail paths.
    patched = scim.patch(
        f"/Users/{uid}",
        {"op": "Replace", "path": "name.familyName", "value": "Smith"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "dana.smith@x.edu"},
        {"op": "Replace", "path": "displayName", "value": "Dana Smith"},  # not kept: ignored
        {"op": "Add", "path": "title", "value": "Lecturer"},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json_body["name"] == {"givenName": "Dana", "familyName": "Smith"}
    assert patched.json_body["emails"] == [{"value": "dana.smith@x.edu"}]

    # The group Science/Academic Staff is created, then members added as Entra adds them.
    group = scim.post("/Groups", {"schemas": [GROUP], "displayName": "Science/Academic Staff"})
    assert group.status_code == 201, group.content
    gid = group.json_body["id"]
    added = scim.patch(
        f"/Groups/{gid}", {"op": "Add", "path": "members", "value": [{"value": uid}]}
    )
    assert added.status_code == 200, added.content
    assert RoleGrant.objects.filter(
        user_id=uid, organization=campus.science, role="Academic Staff"
    ).exists()
    user = scim.get(f"/Users/{uid}").json_body
    assert user["groups"][0]["display"] == "Science/Academic Staff"

    # Now Academic Staff, a license is assigned in PLM; then Entra deactivates the user.
    assert plm("assign", "dana.smith@x.edu", L1).code == 0
    off = scim.patch(f"/Users/{uid}", {"op": "Replace", "path": "active", "value": "False"})
    assert off.status_code == 200 and off.json_body["active"] is False
    assert User.objects.get(pk=uid).is_active is False
    assert holders(L1) == {"dana@campus.example.edu"}  # kept until an administrator revokes

    actions = list(
        AuditEvent.objects.filter(source="scim").values_list("actor", "action", "username")
    )
    assert ("scim:entra-id", "user_create", "dana@campus.example.edu") in actions
    assert ("scim:entra-id", "group_create", "") in actions
    assert ("scim:entra-id", "role_add", "dana@campus.example.edu") in actions
    assert [a for _, a, _ in actions].count("user_update") == 2


def test_okta_patch_forms_replace_without_path_and_member_removal(campus, scim):
    uid = scim.post("/Users", entra_user("erin", "00u1"))
    uid = uid.json_body["id"]
    gid = scim.post(
        "/Groups",
        {"displayName": "Physics/Academic Staff", "members": [{"value": uid}], "externalId": "g1"},
    ).json_body["id"]
    # Okta: replace with no path and an object value; active as a real boolean.
    off = scim.patch(f"/Users/{uid}", {"op": "replace", "value": {"active": False}})
    assert off.json_body["active"] is False
    renamed = scim.patch(
        f"/Groups/{gid}",
        {"op": "replace", "value": {"id": gid, "displayName": "physics/academic staff"}},
    )
    assert renamed.status_code == 200, renamed.content
    gone = scim.patch(f"/Groups/{gid}", {"op": "remove", "path": f'members[value eq "{uid}"]'})
    assert gone.status_code == 200
    # Members are everyone holding the role there (ann got it from person.csv), minus erin.
    assert [m["display"] for m in gone.json_body["members"]] == ["ann"]
    assert not RoleGrant.objects.filter(user_id=uid, organization=campus.physics).exists()


def test_group_for_an_unknown_organization_is_refused_400_never_guessed(campus, scim):
    response = scim.post("/Groups", {"displayName": "Chemistry/Academic Staff"})
    body = assert_scim_error(response, 400, "invalidValue")
    assert "Chemistry" in body["detail"]
    assert_scim_error(scim.post("/Groups", {"displayName": "Science/Dean"}), 400, "invalidValue")
    assert not ScimGroup.objects.exists()


def test_a_role_with_a_slash_maps_a_group_named_org_slash_role(campus, scim):
    response = scim.post("/Groups", {"displayName": "Science/A/V Technician"})
    assert response.status_code == 201
    group = ScimGroup.objects.get()
    assert (group.organization, group.role) == (campus.science, "A/V Technician")


def test_removing_a_member_from_academic_staff_keeps_their_licenses(campus, scim):
    assert plm("assign", "instructor1@example.com", L1).code == 0
    gid = scim.post(
        "/Groups", {"displayName": "Physics/Academic Staff", "members": [{"value": campus.ann.pk}]}
    ).json_body["id"]
    response = scim.patch(
        f"/Groups/{gid}",
        {"op": "Remove", "path": "members", "value": [{"value": str(campus.ann.pk)}]},
    )
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(user=campus.ann, role="Academic Staff").exists()
    assert holders(L1) == {"ann"}
    event = AuditEvent.objects.get(action="role_remove")
    assert (event.actor, event.source, event.username) == ("scim:entra-id", "scim", "ann")


def test_delete_deactivates_keeps_licenses_and_roles_and_hides_the_user(campus, scim):
    assert plm("assign", "instructor1@example.com", L1).code == 0
    assert scim.call("DELETE", f"/Users/{campus.ann.pk}").status_code == 204
    ann = User.objects.get(pk=campus.ann.pk)
    assert ann.is_active is False and ann.deprovisioned_at is not None
    assert holders(L1) == {"ann"}
    assert RoleGrant.objects.filter(user=ann, role="Academic Staff").exists()
    assert_scim_error(scim.get(f"/Users/{ann.pk}"), 404)
    assert scim.get("/Users", filter='userName eq "ann"').json_body["totalResults"] == 0
    # Provisioning the same user name again brings the same user back, licenses included.
    back = scim.post("/Users", {"userName": "ann", "active": True})
    assert back.status_code == 201 and back.json_body["id"] == str(ann.pk)
    assert User.objects.get(pk=ann.pk).is_active
    assert AuditEvent.objects.filter(action="user_reprovision", username="ann").exists()


def test_filters_user_name_and_external_id_and_pagination(campus, scim):
    scim.post("/Users", entra_user("finn", "obj-9"))
    by_name = scim.get("/Users", filter='userName eq "FINN@campus.example.edu"').json_body
    assert [r["userName"] for r in by_name["Resources"]] == ["finn@campus.example.edu"]
    by_external = scim.get("/Users", filter='externalId eq "obj-9"').json_body
    assert by_external["totalResults"] == 1
    total = User.objects.count()
    page = scim.get("/Users", startIndex="2", count="3").json_body
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (total, 2, 3)
    ids = [int(r["id"]) for r in page["Resources"]]
    assert ids == sorted(User.objects.values_list("pk", flat=True))[1:4]
    assert scim.get("/Users", count="0").json_body["Resources"] == []


@pytest.mark.parametrize(
    "query",
    [
        'userName co "a"',
        'title eq "x"',
        "userName eq",
        'userName eq "a" and active eq true',
        'userName eq "bad \\x escape"',
    ],
)
def test_an_unsupported_filter_is_400_invalid_filter(campus, scim, query):
    assert_scim_error(scim.get("/Users", filter=query), 400, "invalidFilter")


def test_duplicate_user_name_or_email_is_409_uniqueness(campus, scim):
    assert_scim_error(scim.post("/Users", {"userName": "ANN"}), 409, "uniqueness")
    assert_scim_error(
        scim.post("/Users", {"userName": "new", "emails": [{"value": "bob@example.com"}]}),
        409,
        "uniqueness",
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/Users", b"{not json", 400),
        ("POST", "/Users", b"[1, 2]", 400),
        ("POST", "/Users", {"userName": ""}, 400),
        ("POST", "/Users", {"userName": "x", "active": "maybe"}, 400),
        ("POST", "/Users", {"userName": "x" * 151}, 400),
        ("POST", "/Users", {"userName": "x", "emails": "nope"}, 400),
        ("PATCH", "/Users/{ann}", {"Operations": [{"op": "move"}]}, 400),
        ("PATCH", "/Users/{ann}", {"Operations": []}, 400),
        ("GET", "/Users/not-a-number", None, 404),
        ("GET", "/Users/99999999999999999999999", None, 404),
        ("GET", "/Groups/12", None, 404),
        ("GET", "/Nope", None, 404),
        ("PUT", "/Users", {}, 405),
        (
            "POST",
            "/Groups",
            {"displayName": "Science/Academic Staff", "members": [{"value": "9"}]},
            400,
        ),
    ],
)
def test_bad_requests_answer_the_scim_error_shape_never_a_500(
    campus, scim, method, path, body, status
):
    path = path.replace("{ann}", str(campus.ann.pk))
    assert_scim_error(scim.call(method, path, body), status)


def test_requests_without_a_valid_scim_token_are_401(campus, scim):
    anonymous = Client().get(BASE + "/Users")
    assert anonymous.status_code == 401 and json.loads(anonymous.content)["schemas"] == [ERROR]
    _, api_token = token_create(actor=system_actor(), user=campus.manager)
    other = Scim(api_token)
    response = other.get("/Users")
    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    token, raw = scim_token_create(actor=system_actor(), name="okta")
    assert Scim(raw).get("/Users").status_code == 200
    scim_token_revoke(actor=system_actor(), token_id=token.pk)
    assert_scim_error(Scim(raw).get("/Users"), 401)


def test_a_system_administrator_is_never_deactivated_or_removed_by_provisioning(campus, scim):
    admin = make_user("root", "root@example.com", sysadmin=True)
    off = scim.patch(f"/Users/{admin.pk}", {"op": "replace", "path": "active", "value": False})
    assert_scim_error(off, 403)
    assert_scim_error(scim.call("DELETE", f"/Users/{admin.pk}"), 403)
    assert User.objects.get(pk=admin.pk).is_active


def test_put_replaces_a_group_s_members(campus, scim):
    gid = scim.post(
        "/Groups", {"displayName": "Arts/Academic Staff", "members": [{"value": campus.bob.pk}]}
    ).json_body["id"]
    response = scim.call(
        "PUT",
        f"/Groups/{gid}",
        {"displayName": "Arts/Academic Staff", "members": [{"value": str(campus.cat.pk)}]},
    )
    assert response.status_code == 200
    assert [m["display"] for m in response.json_body["members"]] == ["cat"]
    assert not RoleGrant.objects.filter(user=campus.bob, organization=campus.arts).exists()
    assert (
        scim.get("/Groups", filter='displayName eq "arts/academic staff"').json_body["totalResults"]
        == 1
    )
    assert scim.call("DELETE", f"/Groups/{gid}").status_code == 204
    assert not RoleGrant.objects.filter(user=campus.cat, organization=campus.arts).exists()


def test_discovery_endpoints_describe_users_and_groups(campus, scim):
    config = scim.get("/ServiceProviderConfig").json_body
    assert config["patch"]["supported"] and config["filter"]["supported"]
    assert not config["bulk"]["supported"]
    types = scim.get("/ResourceTypes").json_body
    assert {r["name"] for r in types["Resources"]} == {"User", "Group"}
    schema = scim.get(f"/Schemas/{USER}").json_body
    assert {a["name"] for a in schema["attributes"]} == {
        "userName",
        "name",
        "emails",
        "active",
        "groups",
    }


def test_scim_tokens_on_the_command_line(db):
    created = plm("scim-tokens", "create", "entra-id", "--json")
    assert created.code == 0 and created.json["token"].startswith("plmscim_")
    listed = plm("scim-tokens", "list", "--json").json
    assert [(t["name"], t["revoked"]) for t in listed] == [("entra-id", False)]
    assert created.json["token"] not in json.dumps(listed)
    assert plm("scim-tokens", "create", "entra-id", "--json").code == 2  # names are unique
    assert plm("scim-tokens", "revoke", str(created.json["id"])).code == 0
    assert plm("scim-tokens", "list", "--json").json[0]["revoked"] is True
    assert AuditEvent.objects.filter(action="scim_token_create", source="cli").exists()


def test_every_provisioning_use_case_refuses_an_actor_who_is_not_a_system_administrator(campus):
    """A face added later cannot skip the check: the use cases themselves refuse, before
    anything is read or changed (a scoped administrator of the whole tree included)."""
    top_admin = make_user("topadm", roles=[(campus.top, "Administrator")])
    group = uc.group_create(
        actor=system_actor("scim"), display_name="Arts/Academic Staff", members=[]
    )
    token, _ = scim_token_create(actor=system_actor("cli"), name="existing")
    users_before = list(User.objects.order_by("pk").values_list("pk", "username", "is_active"))
    grants_before = RoleGrant.objects.count()
    target = campus.ann.pk
    calls = {
        "users_list": lambda a: uc.users_list(actor=a),
        "user_get": lambda a: uc.user_get(actor=a, pk=target),
        "user_create": lambda a: uc.user_create(actor=a, data=UserData(user_name="new1")),
        "user_replace": lambda a: uc.user_replace(
            actor=a, pk=target, data=UserData(user_name="ann", active=False)
        ),
        "user_delete": lambda a: uc.user_delete(actor=a, pk=target),
        "groups_list": lambda a: uc.groups_list(actor=a),
        "group_get": lambda a: uc.group_get(actor=a, pk=group.pk),
        "group_create": lambda a: uc.group_create(
            actor=a, display_name="Science/Scheduler", members=[]
        ),
        "group_update": lambda a: uc.group_update(actor=a, pk=group.pk, add_members=[str(target)]),
        "group_delete": lambda a: uc.group_delete(actor=a, pk=group.pk),
        "scim_token_create": lambda a: uc.scim_token_create(actor=a, name="idp"),
        "scim_tokens_list": lambda a: uc.scim_tokens_list(actor=a),
        "scim_token_revoke": lambda a: uc.scim_token_revoke(actor=a, token_id=token.pk),
    }
    for user in (campus.manager, top_admin, campus.ann, campus.student):
        actor = actor_for_user(user, "web")
        for name, call in calls.items():
            with pytest.raises(PlmError) as refused:
                call(actor)
            assert refused.value.code == "permission_denied", (user.username, name)
    after = list(User.objects.order_by("pk").values_list("pk", "username", "is_active"))
    assert after == users_before and RoleGrant.objects.count() == grants_before
    assert ScimGroup.objects.filter(pk=group.pk).exists()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_names_typed_decomposed_match_the_composed_ones_nfc_and_casefold(campus, scim):
    """macOS and some IdPs send `é` as `e` + a combining accent: it is the same name."""
    created = scim.post("/Users", {"userName": "José", "emails": [{"value": "jose@example.edu"}]})
    assert created.status_code == 201, created.content
    decomposed = "JOSE\u0301"
    assert_scim_error(scim.post("/Users", {"userName": decomposed}), 409, "uniqueness")
    found = scim.get("/Users", filter=f'userName eq "{decomposed}"').json_body
    assert [u["userName"] for u in found["Resources"]] == ["José"]
    make_org("Économie", campus.top)
    group = scim.post("/Groups", {"displayName": "E\u0301conomie/Academic Staff", "members": []})
    assert group.status_code == 201, group.content
    assert RoleGrant.objects.filter(organization__name="Économie").count() == 0


def test_text_no_column_can_hold_is_400_invalid_value_never_a_500(campus, scim):
    """A NUL, an unpaired surrogate (both as JSON escapes) or a value longer than its column, in
    a group's displayName or externalId, a user's fields or a filter: PostgreSQL refused them
    with a 500 (DataError) and SQLite stored or ignored them."""
    group = {"displayName": "Science/Academic Staff"}
    bad_bodies = [
        ("/Groups", {"displayName": "Science\u0000/Academic Staff"}),
        ("/Groups", {"displayName": "Science\ud800/Academic Staff"}),
        ("/Groups", {"displayName": "S" * 301 + "/Academic Staff"}),
        ("/Groups", {**group, "externalId": "g\u0000"}),
        ("/Groups", {**group, "externalId": "g" * 256}),
        ("/Users", {"userName": "new\ud800"}),
        ("/Users", {"userName": "new", "name": {"familyName": "\u0000"}}),
        ("/Users", {"userName": "new", "externalId": "e" * 256}),
    ]
    for path, body in bad_bodies:
        response = scim.post(path, body)
        assert_scim_error(response, 400)
        assert response.json_body["scimType"] == "invalidValue", body
    assert not ScimGroup.objects.exists() and not User.objects.filter(username="new").exists()
    created = scim.post("/Groups", group)
    assert created.status_code == 201
    ident = created.json_body["id"]
    for value in ("g\u0000", "g" * 256):
        patched = scim.patch(
            f"/Groups/{ident}", {"op": "replace", "path": "externalId", "value": value}
        )
        assert_scim_error(patched, 400)
    renamed = scim.patch(
        f"/Groups/{ident}", {"op": "replace", "path": "displayName", "value": "\u0000"}
    )
    assert_scim_error(renamed, 400)
    for path, attribute in (
        ("/Users", "userName"),
        ("/Groups", "displayName"),
        ("/Groups", "externalId"),
    ):
        query = quote(f'{attribute} eq "a\\u0000b"')  # a JSON escape: no NUL in the URL itself
        response = scim.call("GET", f"{path}?filter={query}")
        assert_scim_error(response, 400)
        assert attribute in response.json_body["detail"]


def test_a_group_renamed_or_given_a_new_external_id_is_audited_with_old_and_new(campus, scim):
    gid = scim.post("/Groups", {"displayName": "Arts/Academic Staff"}).json_body["id"]
    response = scim.call(
        "PUT", f"/Groups/{gid}", {"displayName": "arts/academic staff", "externalId": "g-7"}
    )
    assert response.status_code == 200
    (event,) = AuditEvent.objects.filter(action="group_update")
    assert event.actor == "scim:entra-id" and event.source == "scim"
    assert event.detail == (
        "displayName 'Arts/Academic Staff' -> 'arts/academic staff'; externalId None -> 'g-7'"
    )
    same = {"displayName": "arts/academic staff", "externalId": "g-7"}
    assert scim.call("PUT", f"/Groups/{gid}", same).status_code == 200
    assert AuditEvent.objects.filter(action="group_update").count() == 1  # nothing changed
