"""The daily e-mail digest of licenses about to expire, for system administrators."""

from django.conf import settings
from django.core.mail import send_mail

from plm.directory.models import User
from plm.licensing.licenses import licenses_expiring


def notify_expiring(*, days: int = 30) -> tuple[int, int]:
    """Send one digest to every active system administrator with an email, when any license
    expires within `days` days. Returns (licenses listed, recipients)."""
    expiring = licenses_expiring(days=days)
    recipients = sorted(
        User.objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not expiring or not recipients:
        return len(expiring), 0
    lines = [
        f"- {r['license_id']} {r['name'] or ''}: last valid day {r['expires']} "
        f"({r['days_left']} days left), {r['assigned']} of {r['seats']} seats assigned"
        for r in expiring
    ]
    body = (
        f"{len(expiring)} Personal Capture license(s) expire within {days} days:\n\n"
        + "\n".join(lines)
        + "\n\nRenew them, or move their presenters to another license "
        "(Manage Presenter Licenses, or a CSV with revoke and assign rows).\n"
    )
    send_mail(
        f"[PLM] {len(expiring)} license(s) expire within {days} days",
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )
    return len(expiring), len(recipients)
