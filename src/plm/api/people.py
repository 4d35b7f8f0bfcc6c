"""/users and /assignments."""

from django.http import HttpRequest
from ninja import Query, Router

from plm.api.auth import Auth, actor_of
from plm.api.paging import PagingQuery, page
from plm.api.schemas import AssignmentPage, ErrorOut, RowIn, RowOut, UserOut, UserPage
from plm.app import assignments, users

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
    found = users.users_list(
        actor=actor_of(request), q=q, kind=kind, organization=organization, licensed=licensed
    )
    window = page(found, paging)
    return {"items": users.users_as_dicts(window.items), "count": window.count, "next": window.next}


@router.get("/users/{username}", response={200: UserOut, **ERRORS}, auth=Auth("view"))
def get_user(request: HttpRequest, username: str) -> dict[str, object]:
    """One user (by user name or email) with roles and licenses."""
    user = users.user_show(actor=actor_of(request), username=username)
    return users.users_as_dicts(users.users_list(actor=actor_of(request)).filter(pk=user.pk))[0]


@router.get("/assignments", response={200: AssignmentPage, **ERRORS}, auth=Auth("view"))
def list_assignments(
    request: HttpRequest, paging: PagingQuery, user: str | None = None, license: str | None = None
) -> dict[str, object]:
    """Who holds what; filters: user (name or email), license (License ID)."""
    rows = assignments.assignments_list(actor=actor_of(request), user=user, license_id=license)
    window = page(rows, paging)
    items = [assignments.assignment_dict(a) for a in window.items]
    return {"items": items, "count": window.count, "next": window.next}


@router.post("/assignments", response={200: RowOut, **ERRORS}, auth=Auth("change"))
def post_assignment(request: HttpRequest, payload: RowIn) -> dict[str, object]:
    """Apply one row with exactly the import's rules; a rejected row is a result (200)."""
    return assignments.assignment_apply(
        actor=actor_of(request),
        username=payload.username,
        action=payload.action,
        license_id=payload.license_id,
    ).as_dict()


@router.delete(
    "/assignments/{username}/{license_id}", response={200: RowOut, **ERRORS}, auth=Auth("change")
)
def delete_assignment(request: HttpRequest, username: str, license_id: str) -> dict[str, object]:
    """A `revoke` row for that user and license (URL-encoded)."""
    return assignments.assignment_apply(
        actor=actor_of(request), username=username, action="revoke", license_id=license_id
    ).as_dict()
