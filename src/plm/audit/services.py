"""Recording audit events (the only writer of the audit log)."""

from collections.abc import Iterable
from typing import NamedTuple

from plm.audit.models import AuditEvent
from plm.bulk import bulk_insert, db_datetime
from plm.clock import now
from plm.core.text import nfc


class Event(NamedTuple):
    action: str
    username: str = ""
    license_id: str = ""
    detail: str = ""
    row: int | None = None


def audit_record(
    *, actor: str, source: str, events: Iterable[Event], import_id: int | None = None
) -> None:
    """Append events, all stamped with the same time, actor and source."""
    at = db_datetime(now())
    bulk_insert(
        AuditEvent,
        ("at", "actor", "source", "import_id", "row", "action", "username", "license_id", "detail"),
        (
            (at, actor, source, import_id, row, action, username, license_id, detail)
            for action, username, license_id, detail, row in events
        ),
    )


def audit_list(
    *, username: str | None = None, license_id: str | None = None, actor: str | None = None
) -> "Iterable[AuditEvent]":
    """Events oldest first, optionally filtered."""
    events = AuditEvent.objects.all()
    if username:
        events = events.filter(username__iexact=nfc(username))
    if license_id:
        events = events.filter(license_id=license_id)
    if actor:
        events = events.filter(actor__iexact=nfc(actor))
    return events.order_by("id").iterator(chunk_size=2000)


def audit_as_dict(event: AuditEvent) -> dict[str, object]:
    return {
        "id": event.pk,
        "at": event.at.isoformat().replace("+00:00", "Z"),
        "actor": event.actor,
        "source": event.source,
        "import_id": event.import_id,
        "row": event.row,
        "action": event.action,
        "username": event.username,
        "license_id": event.license_id,
        "detail": event.detail,
    }
