"""Seats per day from audit events: anchored on today's count, one row per day."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from plm.core.utilization import LicenseEvent, daily_usage

D0 = date(2026, 11, 20)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def test_each_day_ends_with_its_count_and_keeps_its_peak():
    events = [
        LicenseEvent(day(0), "license_add", "seats=2 expires=never name=''"),
        LicenseEvent(day(0), "assign"),
        LicenseEvent(day(0), "assign"),
        LicenseEvent(day(2), "revoke"),
        LicenseEvent(day(2), "revoke"),
        LicenseEvent(day(2), "assign"),
        LicenseEvent(day(3), "license_update", "seats=5 expires=2027-01-01 name='x'"),
        LicenseEvent(day(3), "user_update"),  # not about seats: ignored
    ]
    days = daily_usage(events, assigned_now=1, seats_now=5, first_day=day(0), today=day(4))
    assert [(d.day, d.assigned, d.peak, d.seats) for d in days] == [
        (day(0), 2, 2, 2),
        (day(1), 2, 2, 2),
        (day(2), 1, 2, 2),
        (day(3), 1, 1, 5),
        (day(4), 1, 1, 5),
    ]
    assert days[0].as_row() == ("2026-11-20", "2", "2", "2")


def test_a_log_that_starts_late_is_anchored_on_todays_count():
    # 7 seats were held before the log begins; two more assigned since.
    events = [LicenseEvent(day(1), "assign"), LicenseEvent(day(1), "assign")]
    days = daily_usage(events, assigned_now=9, seats_now=10, first_day=day(0), today=day(1))
    assert [(d.assigned, d.peak, d.seats) for d in days] == [(7, 7, 10), (9, 9, 10)]


def test_a_license_without_events_has_one_flat_line():
    days = daily_usage([], assigned_now=0, seats_now=3, first_day=day(0), today=day(2))
    assert [(d.assigned, d.seats) for d in days] == [(0, 3)] * 3


@given(st.lists(st.tuples(st.integers(0, 20), st.booleans()), max_size=60))
def test_series_matches_a_replay_of_the_events(raw):
    """Against a reference that replays the log from zero, event by event."""
    raw.sort(key=lambda item: item[0])
    held, events = 0, []
    for offset, assign in raw:
        if assign or held == 0:
            held += 1
            events.append(LicenseEvent(day(offset), "assign"))
        else:
            held -= 1
            events.append(LicenseEvent(day(offset), "revoke"))
    days = daily_usage(events, assigned_now=held, seats_now=99, first_day=day(0), today=day(20))
    assert len(days) == 21 and days[-1].assigned == held
    for usage in days:
        running, peak = 0, 0
        for event in events:
            if event.day < usage.day:
                running += 1 if event.action == "assign" else -1
        peak = running
        for event in events:
            if event.day == usage.day:
                running += 1 if event.action == "assign" else -1
                peak = max(peak, running)
        assert (usage.assigned, usage.peak) == (running, peak)


def test_a_license_created_after_today_still_has_todays_row() -> None:
    from datetime import date

    from plm.core.utilization import daily_usage

    days = daily_usage(
        [], assigned_now=0, seats_now=5, first_day=date(2027, 1, 2), today=date(2027, 1, 1)
    )
    assert [(d.day, d.assigned, d.seats) for d in days] == [(date(2027, 1, 1), 0, 5)]
