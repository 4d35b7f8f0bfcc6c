"""/users and /assignments."""

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router

from plm.api.auth import Auth, access_of, username_of
from plm.api.errors import ApiError, not_found
from plm.api.paging import PagingQuery, page
from plm.api.schemas import AssignmentPage, ErrorOut, RowIn, RowOut, UserOut, UserPage
from plm.core import codes as c
from plm.core.license_ids import normalize_license_id
from plm.core.rules import RawRow
from plm.directory.actors import license_actor
from plm.directory.models import User
from plm.directory.users import user_search, users_as_dicts
from plm.imports.license_import import apply_one
from plm.licensing.models import Assignment

router = Router(tags=["users and assignments"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/users", response={200: UserPage, **ERRORS}, auth=Auth("view"))
def list_users(
    request: HttpRequest,
    paging: PagingQuery,
    q: str | None = None,
    organization: str | None = None,
    kind: str | None = Query(None, pattern="^(staff|student)$"),  # type: ignore[assignment]
    licensed: bool | None = None,
) -> dict[str, object]:
    """Users by user name; filters: text, organization name, staff/student, licensed."""
    users = access_of(request).users_in_view(user_search(q=q, kind=kind))
    if organization:
        users = users.filter(roles__organization__name_key=organization.casefold()).distinct()
    if licensed is not None:
        users = users.filter(assignments__isnull=not licensed).distinct()
    items, count = page(users, paging)
    return {"items": users_as_dicts(items), "count": count}


@router.get("/users/{username}", response={200: UserOut, **ERRORS}, auth=Auth("view"))
def get_user(request: HttpRequest, username: str) -> dict[str, object]:
    """One user (by user name or email) with roles and licenses."""
    key = username.casefold()
    users = access_of(request).users_in_view(
        User.objects.filter(Q(username_key=key) | Q(email_key=key))
    )
    found = users_as_dicts(users.order_by("pk")[:1])
    if not found:
        raise not_found(request, f"User {username}")
    return found[0]


@router.get("/assignments", response={200: AssignmentPage, **ERRORS}, auth=Auth("view"))
def list_assignments(
    request: HttpRequest, paging: PagingQuery, user: str | None = None, license: str | None = None
) -> dict[str, object]:
    """Who holds what; filters: user (name or email), license (License ID)."""
    from plm.directory.permissions import scope_filter

    rows = Assignment.objects.filter(scope_filter("user_id", access_of(request).view_orgs))
    if user:
        rows = rows.filter(
            Q(user__username_key=user.casefold()) | Q(user__email_key=user.casefold())
        )
    if license:
        rows = rows.filter(license__license_id=normalize_license_id(license))
    rows = rows.select_related("user", "license").order_by(
        "user__username_key", "license__license_id"
    )
    items, count = page(rows, paging)
    return {
        "items": [
            {
                "username": a.user.username,
                "email": a.user.email,
                "license_id": a.license.license_id,
                "assigned_at": a.assigned_at,
                "assigned_by": a.assigned_by,
                "source": a.source,
            }
            for a in items
        ],
        "count": count,
    }


def _apply(request: HttpRequest, username: str, action: str, license_id: str) -> dict[str, object]:
    actor = license_actor(username_of(request), "api")
    return apply_one(
        raw=RawRow(None, username.strip(), action, license_id.strip()), actor=actor
    ).as_dict()


@router.post("/assignments", response={200: RowOut, **ERRORS}, auth=Auth("change"))
def post_assignment(request: HttpRequest, payload: RowIn) -> dict[str, object]:
    """Apply one row with exactly the import's rules; a rejected row is a result (200)."""
    if not payload.username.strip():
        raise ApiError(422, c.MISSING_USERNAME, "username is required.")
    return _apply(request, payload.username, payload.action, payload.license_id)


@router.delete(
    "/assignments/{username}/{license_id}", response={200: RowOut, **ERRORS}, auth=Auth("change")
)
def delete_assignment(request: HttpRequest, username: str, license_id: str) -> dict[str, object]:
    """A `revoke` row for that user and license (URL-encoded)."""
    return _apply(request, username, "revoke", license_id)
