"""The SCIM 2.0 face (RFC 7643/7644) under /scim/v2/: translate SCIM requests into the
provisioning use cases (plm.app.provisioning) and their results or errors back into SCIM JSON.
No rule lives here. Every error is the SCIM error shape with its status, never a 500 page."""

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from plm.app import provisioning as uc
from plm.app.actors import Actor
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.scim import discovery as d

log = logging.getLogger(__name__)
CONTENT_TYPE = "application/scim+json"
DEFAULT_COUNT = 100


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def scim_response(data: Any, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    body: dict[str, Any] = {"schemas": [d.ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    response = scim_response(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="PLM SCIM"'
    return response


# PlmError codes -> (status, scimType)
_CONFLICT = {"user_exists", "group_exists", c.EMAIL_CONFLICT}
_NOT_FOUND = {c.USER_NOT_FOUND, "group_not_found", c.NOT_FOUND}


def _from_plm(exc: PlmError) -> ScimError:
    if exc.code in _CONFLICT:
        return ScimError(409, exc.message, "uniqueness")
    if exc.code in _NOT_FOUND:
        return ScimError(404, exc.message)
    if exc.code == c.PERMISSION_DENIED:
        return ScimError(403, exc.message)
    if exc.code == c.VALUE_TOO_LONG:
        return ScimError(400, exc.message, "invalidValue")
    return ScimError(400, exc.message, "invalidValue")


def endpoint(methods: set[str]) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """Authenticate with a SCIM token, check the method, and turn every error into SCIM JSON."""

    def wrap(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def handler(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    response = error_response(405, f"{request.method} is not allowed here.")
                    response["Allow"] = ", ".join(sorted(methods))
                    return response
                actor = _authenticate(request)
                return view(request, actor, **kwargs)  # type: ignore[no-any-return]
            except ScimError as exc:
                return error_response(exc.status, exc.detail, exc.scim_type)
            except PlmError as exc:
                err = _from_plm(exc)
                return error_response(err.status, err.detail, err.scim_type)
            except Exception:
                log.exception("SCIM request failed: %s %s", request.method, request.path)
                return error_response(500, "Internal error; it was logged.")

        return handler

    return wrap


def _authenticate(request: HttpRequest) -> Actor:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    actor = uc.scim_token_actor(raw.strip()) if scheme.lower() == "bearer" else None
    if actor is None:
        raise ScimError(
            401,
            "Send Authorization: Bearer <SCIM token> with a valid, unrevoked SCIM token "
            "(plm scim-tokens create NAME).",
        )
    return actor


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from None
    if not isinstance(data, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return data


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2")


# --- attributes, lookup helpers ----------------------------------------------------------------


def _key(name: str, urn: str) -> str:
    """An attribute path without its schema URN, in lower case."""
    if name.lower().startswith(urn.lower() + ":"):
        name = name[len(urn) + 1 :]
    return name.strip().lower()


def _get(data: dict[str, Any], name: str) -> Any:
    """A top-level attribute ignoring case (attribute names are case-insensitive)."""
    for key, value in data.items():
        if key.lower() == name.lower():
            return value
    return None


def _string(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(400, f"{what} must be a string.", "invalidValue")
    return value


def _boolean(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"  # Entra ID sends "True"/"False"
    raise ScimError(400, f"{what} must be true or false.", "invalidValue")


def _project(resource: dict[str, Any], request: HttpRequest, params: dict[str, Any]) -> Any:
    """Apply `attributes` / `excludedAttributes` (query or search body) to a resource."""
    attributes = _names(params.get("attributes"))
    excluded = _names(params.get("excludedAttributes"))
    if attributes:
        keep: dict[str, Any] = {}
        for key, value in resource.items():
            low = key.lower()
            if low in ("schemas", "id") or low in attributes:
                keep[key] = value
            elif isinstance(value, dict):
                subs = {k: v for k, v in value.items() if f"{low}.{k.lower()}" in attributes}
                if subs:
                    keep[key] = subs
        resource = keep
    if excluded:
        resource = {
            k: v
            for k, v in resource.items()
            if k.lower() in ("schemas", "id") or k.lower() not in excluded
        }
    return resource


def _names(value: Any) -> set[str]:
    if not value:
        return set()
    if not isinstance(value, (str, list)):
        raise ScimError(400, "attributes must be a string or a list of strings.", "invalidValue")
    items = value.split(",") if isinstance(value, str) else value
    names = set()
    for item in items:
        name = str(item).strip()
        for urn in (d.USER, d.GROUP):
            name = name[len(urn) + 1 :] if name.lower().startswith(urn.lower() + ":") else name
        if name:
            names.add(name.lower())
    return names


_FILTER = re.compile(r'^\s*([A-Za-z0-9:._$]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def _filter(text: str | None, allowed: dict[str, str], urn: str) -> dict[str, str]:
    """`attr eq "value"` for the attributes in `allowed` -> {use-case argument: value}."""
    if not text:
        return {}
    if not isinstance(text, str):
        raise ScimError(400, "filter must be a string.", "invalidFilter")
    match = _FILTER.match(text)
    if match is None:
        raise ScimError(
            400,
            f'Filter {text!r} is not supported: use {" or ".join(allowed.values())} eq "value".',
            "invalidFilter",
        )
    name = _key(match.group(1), urn)
    try:
        value = json.loads(f'"{match.group(2)}"')  # the filter's string is a JSON string
    except ValueError:
        raise ScimError(400, f"Filter {text!r} has a malformed string.", "invalidFilter") from None
    arg = {k.lower(): k for k in allowed}.get(name)
    if arg is None:
        raise ScimError(
            400,
            f"Filtering on {match.group(1)!r} is not supported: use one of "
            f"{', '.join(allowed.values())}.",
            "invalidFilter",
        )
    return {allowed[arg]: value}


def _page(params: dict[str, Any]) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        raw = params.get(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ScimError(400, f"{name} must be a number.", "invalidValue") from None

    # Past any real list (and within every database's integer range).
    start = min(max(1, number("startIndex", 1)), 2**31)
    count = min(max(0, number("count", DEFAULT_COUNT)), d.MAX_RESULTS)
    return start, count


def _list_response(
    request: HttpRequest,
    params: dict[str, Any],
    items: Any,
    render: Callable[[list[Any]], list[dict[str, Any]]],
) -> HttpResponse:
    start, count = _page(params)
    total = items.count()
    page = list(items[start - 1 : start - 1 + count]) if count else []
    resources = [_project(r, request, params) for r in render(page)]
    return scim_response(
        {
            "schemas": [d.LIST],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


# --- discovery ---------------------------------------------------------------------------------


@endpoint({"GET"})
def service_provider_config(request: HttpRequest, actor: Actor) -> HttpResponse:
    return scim_response(d.service_provider_config(_base(request)))


def _discovery_list(items: list[dict[str, Any]]) -> HttpResponse:
    return scim_response(
        {
            "schemas": [d.LIST],
            "totalResults": len(items),
            "startIndex": 1,
            "itemsPerPage": len(items),
            "Resources": items,
        }
    )


def _one_of(items: list[dict[str, Any]], ident: str, what: str) -> HttpResponse:
    for item in items:
        if item["id"].lower() == ident.lower():
            return scim_response(item)
    raise ScimError(404, f"No {what} is named {ident!r}.")


@endpoint({"GET"})
def resource_types(request: HttpRequest, actor: Actor, ident: str | None = None) -> HttpResponse:
    items = d.resource_types(_base(request))
    return _discovery_list(items) if ident is None else _one_of(items, ident, "resource type")


@endpoint({"GET"})
def schemas(request: HttpRequest, actor: Actor, ident: str | None = None) -> HttpResponse:
    items = d.schemas(_base(request))
    return _discovery_list(items) if ident is None else _one_of(items, ident, "schema")


@endpoint({"GET", "POST", "PUT", "PATCH", "DELETE"})
def not_found(request: HttpRequest, actor: Actor, rest: str = "") -> HttpResponse:
    raise ScimError(404, f"No SCIM endpoint at {request.path}.")


@endpoint({"POST"})
def root_search(request: HttpRequest, actor: Actor) -> HttpResponse:
    return error_response(
        501, "Searching several resource types at once is not supported: POST /Users/.search."
    )


# --- users -------------------------------------------------------------------------------------

USER_FILTERS = {
    "userName": "user_name",
    "externalId": "external_id",
    "emails.value": "email",
    "emails": "email",
}


def _stamp(value: Any) -> str:
    return str(value.isoformat().replace("+00:00", "Z"))


def _users_json(request: HttpRequest, users: list[Any]) -> list[dict[str, Any]]:
    base = _base(request)
    groups = uc.user_groups(users)
    out = []
    for user in users:
        item: dict[str, Any] = {"schemas": [d.USER], "id": str(user.pk)}
        if user.external_id is not None:
            item["externalId"] = user.external_id
        item["userName"] = user.username
        name = {
            k: v for k, v in (("givenName", user.first_name), ("familyName", user.last_name)) if v
        }
        if name:
            item["name"] = name
        if user.email:
            item["emails"] = [{"value": user.email}]
        item["active"] = user.is_active
        mine = groups.get(user.pk, [])
        if mine:
            item["groups"] = [
                {"value": str(g.pk), "$ref": f"{base}/Groups/{g.pk}", "display": g.display_name}
                for g in mine
            ]
        item["meta"] = {
            "resourceType": "User",
            "created": _stamp(user.created_at),
            "location": f"{base}/Users/{user.pk}",
        }
        out.append(item)
    return out


def _user_json(request: HttpRequest, user: Any) -> dict[str, Any]:
    return _users_json(request, [user])[0]


def _user_data(body: dict[str, Any]) -> uc.UserData:
    """A POST or PUT body -> UserData (attributes PLM does not keep are ignored)."""
    name = _get(body, "name") or {}
    if not isinstance(name, dict):
        raise ScimError(400, "name must be an object.", "invalidValue")
    active = _get(body, "active")
    external = _get(body, "externalId")
    return uc.UserData(
        user_name=_string(_get(body, "userName"), "userName"),
        given_name=_string(_get(name, "givenName"), "name.givenName"),
        family_name=_string(_get(name, "familyName"), "name.familyName"),
        email=_email_of(_get(body, "emails")),
        active=True if active is None else _boolean(active, "active"),
        external_id=None if external is None else _string(external, "externalId"),
    )


def _email_of(emails: Any) -> str:
    """The one e-mail PLM keeps: the primary one, else a work one, else the first."""
    if emails is None:
        return ""
    if isinstance(emails, dict):
        emails = [emails]
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise ScimError(400, "emails must be a list of objects.", "invalidValue")
    if not emails:
        return ""
    chosen = (
        next((e for e in emails if _get(e, "primary") in (True, "true", "True")), None)
        or next((e for e in emails if str(_get(e, "type") or "").lower() == "work"), None)
        or emails[0]
    )
    return _string(_get(chosen, "value"), "emails.value")


def _data_of(user: Any) -> dict[str, Any]:
    return {
        "user_name": user.username,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "email": user.email,
        "active": user.is_active,
        "external_id": user.external_id,
    }


@endpoint({"GET", "POST"})
def users(request: HttpRequest, actor: Actor) -> HttpResponse:
    if request.method == "POST":
        user = uc.user_create(actor=actor, data=_user_data(_body(request)))
        body = _user_json(request, user)
        return scim_response(body, 201, Location=body["meta"]["location"])
    return _users_list(request, actor, request.GET.dict())


def _users_list(request: HttpRequest, actor: Actor, params: dict[str, Any]) -> HttpResponse:
    found = uc.users_list(actor=actor, **_filter(params.get("filter"), USER_FILTERS, d.USER))
    return _list_response(request, params, found, lambda page: _users_json(request, page))


@endpoint({"POST"})
def users_search(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _users_list(request, actor, _body(request))


@endpoint({"GET", "PUT", "PATCH", "DELETE"})
def user(request: HttpRequest, actor: Actor, ident: str) -> HttpResponse:
    if request.method == "DELETE":
        uc.user_delete(actor=actor, pk=ident)
        return HttpResponse(status=204)
    if request.method == "PUT":
        found = uc.user_replace(actor=actor, pk=ident, data=_user_data(_body(request)))
    elif request.method == "PATCH":
        operations = _operations(_body(request))
        current = uc.user_get(actor=actor, pk=ident)
        wanted = _patch_user(_data_of(current), operations)
        found = uc.user_replace(actor=actor, pk=ident, data=uc.UserData(**wanted))
    else:
        found = uc.user_get(actor=actor, pk=ident)
    return scim_response(_project(_user_json(request, found), request, request.GET.dict()))


def _operations(body: dict[str, Any]) -> list[tuple[str, str | None, Any]]:
    ops = _get(body, "Operations")
    if not isinstance(ops, list) or not ops:
        raise ScimError(400, "A PatchOp needs a non-empty Operations list.", "invalidSyntax")
    out = []
    for op in ops:
        if not isinstance(op, dict):
            raise ScimError(400, "Each operation must be an object.", "invalidSyntax")
        kind = str(_get(op, "op") or "").lower()
        if kind not in ("add", "replace", "remove"):
            raise ScimError(400, f"op {kind!r} is not add, replace or remove.", "invalidSyntax")
        path = _get(op, "path")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, "path must be a string.", "invalidPath")
        out.append((kind, path or None, _get(op, "value")))
    return out


_EMAIL_PATH = re.compile(r"^emails(\[[^\]]*\])?(\.value)?$")


def _patch_user(state: dict[str, Any], ops: list[tuple[str, str | None, Any]]) -> dict[str, Any]:
    """Apply PATCH operations (RFC 7644 §3.5.2, and the forms Entra ID and Okta send) to the
    fields PLM keeps; attributes PLM does not keep are ignored."""
    for kind, path, value in ops:
        if path is None:
            if kind == "remove":
                raise ScimError(400, "remove needs a path.", "noTarget")
            if not isinstance(value, dict):
                raise ScimError(
                    400, f"{kind} without a path needs an object value.", "invalidValue"
                )
            for key, item in value.items():
                _set_user(state, kind, _key(key, d.USER), item)
        else:
            _set_user(state, kind, _key(path, d.USER), value)
    return state


def _set_user(state: dict[str, Any], kind: str, path: str, value: Any) -> None:
    remove = kind == "remove"
    if path == "username":
        if remove:
            raise ScimError(400, "userName is required: it cannot be removed.", "mutability")
        state["user_name"] = _string(value, "userName")
    elif path == "name":
        if remove:
            state["given_name"] = state["family_name"] = ""
            return
        if not isinstance(value, dict):
            raise ScimError(400, "name must be an object.", "invalidValue")
        for sub, field in (("givenname", "given_name"), ("familyname", "family_name")):
            for key, item in value.items():
                if key.lower() == sub:
                    state[field] = _string(item, f"name.{key}")
    elif path in ("name.givenname", "name.familyname"):
        field = "given_name" if path.endswith("givenname") else "family_name"
        state[field] = "" if remove else _string(value, path)
    elif _EMAIL_PATH.match(path):
        if remove:
            state["email"] = ""
        elif path.endswith(".value"):
            state["email"] = _string(value, "emails.value")
        else:
            state["email"] = _email_of(value)
    elif path == "active":
        if remove:
            raise ScimError(400, "active is required: it cannot be removed.", "mutability")
        state["active"] = _boolean(value, "active")
    elif path == "externalid":
        state["external_id"] = None if remove else _string(value, "externalId")
    elif path in ("id", "meta", "schemas", "groups") or path.startswith(("meta.", "groups")):
        raise ScimError(400, f"{path} is read-only.", "mutability")
    # Anything else (displayName, title, the enterprise extension...) is not kept by PLM.


# --- groups ------------------------------------------------------------------------------------

GROUP_FILTERS = {"displayName": "display_name", "externalId": "external_id"}


def _groups_json(
    request: HttpRequest, groups: list[Any], members: bool = True
) -> list[dict[str, Any]]:
    base = _base(request)
    out = []
    for group in groups:
        item: dict[str, Any] = {"schemas": [d.GROUP], "id": str(group.pk)}
        if group.external_id is not None:
            item["externalId"] = group.external_id
        item["displayName"] = group.display_name
        if members:
            item["members"] = [
                {"value": str(pk), "$ref": f"{base}/Users/{pk}", "display": name}
                for pk, name in uc.group_members(group).values_list("pk", "username")
            ]
        item["meta"] = {
            "resourceType": "Group",
            "created": _stamp(group.created_at),
            "location": f"{base}/Groups/{group.pk}",
        }
        out.append(item)
    return out


def _member_ids(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise ScimError(400, "members must be a list of objects with a value.", "invalidValue")
    ids = [_get(m, "value") for m in value]
    return [str(i) if isinstance(i, int) else _string(i, "members.value") for i in ids]


def _wants_members(params: dict[str, Any]) -> bool:
    return "members" not in _names(params.get("excludedAttributes"))


@endpoint({"GET", "POST"})
def groups(request: HttpRequest, actor: Actor) -> HttpResponse:
    if request.method == "POST":
        body = _body(request)
        external = _get(body, "externalId")
        group = uc.group_create(
            actor=actor,
            display_name=_string(_get(body, "displayName"), "displayName"),
            external_id=None if external is None else _string(external, "externalId"),
            members=_member_ids(_get(body, "members")),
        )
        item = _groups_json(request, [group])[0]
        return scim_response(item, 201, Location=item["meta"]["location"])
    return _groups_list(request, actor, request.GET.dict())


def _groups_list(request: HttpRequest, actor: Actor, params: dict[str, Any]) -> HttpResponse:
    found = uc.groups_list(actor=actor, **_filter(params.get("filter"), GROUP_FILTERS, d.GROUP))
    members = _wants_members(params)
    return _list_response(request, params, found, lambda page: _groups_json(request, page, members))


@endpoint({"POST"})
def groups_search(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _groups_list(request, actor, _body(request))


_MEMBER_FILTER = re.compile(r'^members\[\s*value\s+eq\s+"([^"]*)"\s*\]$', re.IGNORECASE)


@endpoint({"GET", "PUT", "PATCH", "DELETE"})
def group(request: HttpRequest, actor: Actor, ident: str) -> HttpResponse:
    if request.method == "DELETE":
        uc.group_delete(actor=actor, pk=ident)
        return HttpResponse(status=204)
    if request.method == "PUT":
        body = _body(request)
        external = _get(body, "externalId")
        found = uc.group_update(
            actor=actor,
            pk=ident,
            display_name=_string(_get(body, "displayName"), "displayName") or None,
            external_id=None if external is None else _string(external, "externalId"),
            set_members=_member_ids(_get(body, "members")),
        )
    elif request.method == "PATCH":
        operations = _operations(_body(request))
        with transaction.atomic():  # all the operations or none (RFC 7644 §3.5.2)
            found = uc.group_get(actor=actor, pk=ident)
            for kind, path, value in operations:
                found = _patch_group(actor, ident, kind, path, value)
    else:
        found = uc.group_get(actor=actor, pk=ident)
    params = request.GET.dict()
    item = _groups_json(request, [found], _wants_members(params))[0]
    return scim_response(_project(item, request, params))


def _patch_group(actor: Actor, ident: str, kind: str, path: str | None, value: Any) -> Any:
    if path is None:
        if kind == "remove" or not isinstance(value, dict):
            raise ScimError(400, f"{kind} without a path needs an object value.", "invalidValue")
        found = None
        for key, item in value.items():
            found = _patch_group(actor, ident, kind, key, item)
        return found or uc.group_get(actor=actor, pk=ident)
    name = _key(path, d.GROUP)
    member = _MEMBER_FILTER.match(name)
    if member and kind == "remove":
        return uc.group_update(actor=actor, pk=ident, remove_members=[member.group(1)])
    if name == "members":
        if kind == "add":
            return uc.group_update(actor=actor, pk=ident, add_members=_member_ids(value))
        if kind == "replace":
            return uc.group_update(actor=actor, pk=ident, set_members=_member_ids(value))
        if value is None:
            return uc.group_update(actor=actor, pk=ident, set_members=[])
        return uc.group_update(actor=actor, pk=ident, remove_members=_member_ids(value))
    if name == "displayname":
        if kind == "remove":
            raise ScimError(400, "displayName is required: it cannot be removed.", "mutability")
        return uc.group_update(actor=actor, pk=ident, display_name=_string(value, "displayName"))
    if name == "externalid":
        external = None if kind == "remove" else _string(value, "externalId")
        return uc.group_update(actor=actor, pk=ident, external_id=external)
    if name in ("id", "meta", "schemas"):
        if kind == "replace" and name == "id" and str(value) == ident:
            return uc.group_get(actor=actor, pk=ident)  # Okta repeats the id
        raise ScimError(400, f"{path} is read-only.", "mutability")
    raise ScimError(400, f"Groups have no attribute {path!r} PLM can change.", "invalidPath")
