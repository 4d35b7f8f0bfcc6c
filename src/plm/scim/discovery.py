"""What the SCIM service publishes about itself (RFC 7643 §5-7): the service provider
configuration, the resource types and the schemas of the attributes PLM keeps."""

from typing import Any

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

MAX_RESULTS = 200


def _attr(
    name: str,
    type_: str = "string",
    *,
    required: bool = False,
    multi: bool = False,
    mutability: str = "readWrite",
    returned: str = "default",
    uniqueness: str = "none",
    description: str = "",
    sub: list[dict[str, Any]] | None = None,
    refs: list[str] | None = None,
) -> dict[str, Any]:
    attr: dict[str, Any] = {
        "name": name,
        "type": type_,
        "multiValued": multi,
        "description": description or name,
        "required": required,
        "mutability": mutability,
        "returned": returned,
    }
    if type_ in ("string", "reference"):
        attr["caseExact"] = False
        attr["uniqueness"] = uniqueness
    if sub is not None:
        attr["subAttributes"] = sub
    if refs is not None:
        attr["referenceTypes"] = refs
    return attr


USER_ATTRIBUTES = [
    _attr(
        "userName",
        required=True,
        uniqueness="server",
        description="The PLM user name (unique ignoring case); what people sign in with.",
    ),
    _attr(
        "name",
        "complex",
        description="The user's name.",
        sub=[
            _attr("givenName", description="First name."),
            _attr("familyName", description="Last name."),
        ],
    ),
    _attr(
        "emails",
        "complex",
        multi=True,
        description="PLM keeps one e-mail (unique ignoring case): the primary one sent, else "
        "the first.",
        sub=[_attr("value", description="The e-mail address.")],
    ),
    _attr(
        "active",
        "boolean",
        required=True,
        description="false deactivates the user; their licenses are kept until revoked.",
    ),
    _attr(
        "groups",
        "complex",
        multi=True,
        mutability="readOnly",
        description="The role groups the user is a member of.",
        sub=[
            _attr("value", mutability="readOnly", description="The group's id."),
            _attr("$ref", "reference", mutability="readOnly", refs=["Group"]),
            _attr("display", mutability="readOnly", description="The group's name."),
        ],
    ),
]

GROUP_ATTRIBUTES = [
    _attr(
        "displayName",
        required=True,
        uniqueness="server",
        description="`<Organization>/<Role>`, e.g. `Science/Academic Staff`: members hold that "
        "role in that organization.",
    ),
    _attr(
        "members",
        "complex",
        multi=True,
        description="The users holding the role.",
        sub=[
            _attr("value", mutability="immutable", description="The user's id."),
            _attr("$ref", "reference", mutability="immutable", refs=["User"]),
            _attr("display", mutability="readOnly", description="The user name."),
        ],
    ),
]


def service_provider_config(base: str) -> dict[str, Any]:
    return {
        "schemas": [SPC],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A PLM SCIM token (plm scim-tokens create NAME): "
                "Authorization: Bearer plmscim_…",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": base + "/ServiceProviderConfig",
        },
    }


def resource_types(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [RESOURCE_TYPE],
            "id": name,
            "name": name,
            "endpoint": "/" + name + "s",
            "description": description,
            "schema": urn,
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/{name}"},
        }
        for name, urn, description in (
            ("User", USER, "A PLM user"),
            ("Group", GROUP, "A role in an organization: `<Organization>/<Role>`"),
        )
    ]


def schemas(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [SCHEMA],
            "id": urn,
            "name": name,
            "description": description,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{urn}"},
        }
        for urn, name, description, attributes in (
            (USER, "User", "User Account", USER_ATTRIBUTES),
            (GROUP, "Group", "Group", GROUP_ATTRIBUTES),
        )
    ]
