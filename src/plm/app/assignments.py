"""Assignment use cases: one row without a file, bulk actions as recorded imports, and who
holds what (the Manage page's presenters, the API's /assignments)."""

import io
from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet

from plm.app.imports import bytes_opener, import_run
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.license_ids import normalize_license_id
from plm.core.people import ACADEMIC_STAFF
from plm.core.results import RowResult
from plm.core.rules import RawRow
from plm.core.text import fold, plain
from plm.core.writer import LICENSES_HEADER, write_csv
from plm.directory.actors import CHANGE, VIEW, Actor, require, users_in
from plm.directory.models import RoleGrant, User
from plm.directory.users import user_text_filter
from plm.imports.models import Import
from plm.licensing.decide import apply_one
from plm.licensing.models import Assignment

ONE_ROW_ACTIONS = ("assign", "autoassign", "revoke", "revokeall")


def assignment_apply(
    *, actor: Actor, username: str, action: str, license_id: str = ""
) -> RowResult:
    """Apply one row (assign, autoassign, revoke, revokeall) with exactly the import's rules;
    a rejected row is a result, not an error. Audited, not recorded as an import."""
    require(actor, CHANGE)
    if not username.strip():
        raise PlmError(c.MISSING_USERNAME, "A user name or email is required.")
    plain(username, "The user name or email")  # a file's rows are checked by the reader
    return apply_one(raw=RawRow(None, username.strip(), action, license_id.strip()), actor=actor)


def assignments_bulk(*, actor: Actor, rows: Sequence[tuple[str, str, str]], label: str) -> Import:
    """Apply (username, action, License ID) rows in order now, recorded as an import labelled
    `label` (the web's bulk actions)."""
    if not rows:
        raise PlmError(c.INVALID_ARGUMENT, "Select at least one user or license.")
    buffer = io.StringIO(newline="")
    write_csv(buffer, LICENSES_HEADER, rows)
    data = buffer.getvalue().encode("utf-8")
    return import_run(actor=actor, opener=bytes_opener(data), file_name=label)


def presenters(*, actor: Actor, q: str = "", license_id: str = "") -> QuerySet[User]:
    """Licensed presenters in the actor's view scope, by user name; `q` searches names and
    emails, `license_id` keeps that license's holders."""
    require(actor, VIEW)
    # EXISTS rather than a join with DISTINCT and GROUP BY: a page is read in user-name order
    # from its index, without grouping every assignment first.
    held = Assignment.objects.filter(user_id=OuterRef("pk"))
    if license_id:
        held = held.filter(license__license_id=license_id)
    users = users_in(User.objects.filter(Exists(held)), actor.view_scope)
    if q:
        users = users.filter(user_text_filter(q))
    return users.order_by("username_key")


def presenters_count(*, actor: Actor, q: str = "", license_id: str = "") -> int:
    """How many users `presenters` lists. Without a text search: the distinct holders among the
    assignments in scope, read from the assignments' user index, instead of testing every user
    for an assignment (a scan of the whole users table at every page view)."""
    if q:
        return presenters(actor=actor, q=q, license_id=license_id).count()
    require(actor, VIEW)
    held = users_in(Assignment.objects.all(), actor.view_scope, "user_id")
    if license_id:
        held = held.filter(license__license_id=license_id)
    return held.values("user_id").distinct().count()


def presenter_details(user_pks: list[int]) -> dict[int, dict[str, list[object]]]:
    """For listed presenters: their Academic Staff organizations and their assignments."""
    details: dict[int, dict[str, list[object]]] = {
        pk: {"orgs": [], "assignments": []} for pk in user_pks
    }
    for user_id, org in RoleGrant.objects.filter(
        user_id__in=user_pks, role=ACADEMIC_STAFF
    ).values_list("user_id", "organization__name"):
        details[user_id]["orgs"].append(org)
    for a in (
        Assignment.objects.filter(user_id__in=user_pks)
        .select_related("license")
        .order_by("license__license_id")
    ):
        details[a.user_id]["assignments"].append(a)
    return details


def assignments_list(
    *, actor: Actor, user: str | None = None, license_id: str | None = None
) -> QuerySet[Assignment]:
    """Who holds what in the actor's view scope; filters: user (name or email), License ID."""
    require(actor, VIEW)
    rows = users_in(Assignment.objects.all(), actor.view_scope, "user_id")
    if user:
        key = fold(user)
        rows = rows.filter(Q(user__username_key=key) | Q(user__email_key=key))
    if license_id:
        rows = rows.filter(license__license_id=normalize_license_id(license_id))
    return rows.select_related("user", "license").order_by(
        "user__username_key", "license__license_id"
    )


def assignment_dict(a: Assignment) -> dict[str, object]:
    return {
        "username": a.user.username,
        "email": a.user.email,
        "license_id": a.license.license_id,
        "assigned_at": a.assigned_at,
        "assigned_by": a.assigned_by,
        "source": a.source,
    }
