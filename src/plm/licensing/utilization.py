"""A license's utilization: its assigned seats per day, read from the audit log."""

from plm.audit.models import AuditEvent
from plm.clock import local_day, today
from plm.core.utilization import DayUsage, LicenseEvent, daily_usage
from plm.licensing.licenses import license_get
from plm.licensing.models import License

_ACTIONS = ("assign", "revoke", "license_add", "license_update")


def license_utilization(license_id: str) -> tuple[License, list[DayUsage]]:
    """The license (`license_not_found` if none) and one DayUsage per day of its life."""
    lic = license_get(license_id)
    log = AuditEvent.objects.filter(license_id=lic.license_id)
    # A License ID deleted and added again: only the current license's events count.
    latest_add = log.filter(action="license_add").order_by("-id").values_list("id", flat=True)
    since = latest_add.first()
    if since is not None:
        log = log.filter(id__gte=since)
    events = (
        LicenseEvent(local_day(at), action, detail)
        for at, action, detail in log.filter(action__in=_ACTIONS)
        .order_by("id")
        .values_list("at", "action", "detail")
        .iterator(chunk_size=5000)
    )
    days = daily_usage(
        events,
        assigned_now=lic.assigned,
        seats_now=lic.seats,
        first_day=local_day(lic.created_at),
        today=today(),
    )
    return lic, days


def utilization_as_dict(lic: License, days: list[DayUsage]) -> dict[str, object]:
    """The JSON of `plm licenses utilization --json` and GET /licenses/{id}/utilization."""
    return {"license_id": lic.license_id, "seats": lic.seats, "days": [d.as_dict() for d in days]}


def utilization_file_name(lic: License) -> str:
    """The download's base name (the License ID without spaces): utilization-ID-2024-...."""
    return "utilization-" + lic.license_id.replace(" ", "-")
