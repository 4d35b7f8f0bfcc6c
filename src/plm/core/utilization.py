"""A license's seats over time, day by day, from its audit events.

The series is anchored on the present: counting back from the seats assigned now, so the last
day is always right even when the log does not reach back to the license's first assignment
(older events purged by an earlier version, or a restore of a partial backup).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

UTILIZATION_HEADER = ("Date", "Assigned", "Peak", "Seats")

_SEATS = re.compile(r"\bseats=(\d+)\b")


@dataclass(frozen=True)
class LicenseEvent:
    """One audit event about the license, on its (local) day, in log order."""

    day: date
    action: str
    detail: str = ""


@dataclass(frozen=True)
class DayUsage:
    day: date
    assigned: int
    """Seats assigned at the end of the day."""
    peak: int
    """The most seats assigned at any moment of the day."""
    seats: int
    """The license's seats at the end of the day."""

    def as_row(self) -> tuple[str, str, str, str]:
        return (self.day.isoformat(), str(self.assigned), str(self.peak), str(self.seats))

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "assigned": self.assigned,
            "peak": self.peak,
            "seats": self.seats,
        }


def _step(action: str) -> int:
    return {"assign": 1, "revoke": -1}.get(action, 0)


def _seats_in(event: LicenseEvent) -> int | None:
    if event.action not in ("license_add", "license_update"):
        return None
    found = _SEATS.search(event.detail)
    return int(found.group(1)) if found else None


def daily_usage(
    events: Iterable[LicenseEvent],
    *,
    assigned_now: int,
    seats_now: int,
    first_day: date,
    today: date,
) -> list[DayUsage]:
    """One DayUsage per day from `first_day` to `today`, both included (at least one day)."""
    ordered = list(events)
    assigned = assigned_now - sum(_step(e.action) for e in ordered)
    # Seats before the first recorded seat change: the first one recorded, else today's.
    seats = next((s for e in ordered if (s := _seats_in(e)) is not None), seats_now)
    # Never after today (a clock ahead, a restored license): at least today's row.
    start = min([first_day, today, *(e.day for e in ordered)])
    days: list[DayUsage] = []
    index = 0
    day = start
    while day <= today:
        peak = assigned
        while index < len(ordered) and ordered[index].day <= day:
            event = ordered[index]
            assigned += _step(event.action)
            peak = max(peak, assigned)
            seats = s if (s := _seats_in(event)) is not None else seats
            index += 1
        days.append(DayUsage(day, assigned, peak, seats))
        day += timedelta(days=1)
    return days
