"""'Now' and 'today' as the product understands them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    """The date in PLM_TIME_ZONE: a license is valid through its expiry date inclusive."""
    return timezone.now().astimezone(ZoneInfo(settings.PLM_TIME_ZONE)).date()


def local_day(at: datetime) -> date:
    """The day (in PLM_TIME_ZONE) of a stored moment, as `today()` counts days."""
    return at.astimezone(ZoneInfo(settings.PLM_TIME_ZONE)).date()
