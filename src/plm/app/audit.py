"""The audit log as an actor may read it: system administrators every event, others the events
about users in their view scope."""

from datetime import date, datetime

from django.db.models import QuerySet

from plm.audit.models import AuditEvent
from plm.audit.services import audit_as_dict
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.writer import AUDIT_HEADER
from plm.directory.actors import VIEW, Actor, require, users_in
from plm.directory.models import User

__all__ = ["AUDIT_HEADER", "audit_as_dict"]


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise PlmError(
            c.INVALID_ARGUMENT, f"{name} must be a date YYYY-MM-DD, not {value!r}."
        ) from None


def audit_events(
    *,
    actor: Actor,
    user: str | None = None,
    license_id: str | None = None,
    by: str | None = None,
    since: str | None = None,
    until: str | None = None,
    exact: bool = False,
) -> QuerySet[AuditEvent]:
    """Events visible to `actor`, oldest first; filters match part of the text (`exact`: the
    whole text, ignoring case)."""
    require(actor, VIEW)
    events = AuditEvent.objects.all()
    if actor.view_scope.orgs is not None:
        visible = users_in(User.objects.all(), actor.view_scope).values("username")
        events = events.filter(username__in=visible)
    look = "iexact" if exact else "icontains"
    if user:
        events = events.filter(**{f"username__{look}": user})
    if license_id:
        events = events.filter(**{f"license_id__{look}": license_id})
    if by:
        events = events.filter(**{f"actor__{look}": by})
    first, last = _day(since, "since"), _day(until, "until")
    if first:
        events = events.filter(at__date__gte=first)
    if last:
        events = events.filter(at__date__lte=last)
    return events.order_by("id")


def audit_row(e: AuditEvent) -> list[str]:
    """An event as a row of the audit CSV (AUDIT_HEADER)."""
    return [
        e.at.isoformat().replace("+00:00", "Z"),
        e.actor,
        e.source,
        str(e.import_id or ""),
        str(e.row or ""),
        e.action,
        e.username,
        e.license_id,
        e.detail,
    ]
