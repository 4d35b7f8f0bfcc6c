"""Licenses and who holds them."""

from django.conf import settings
from django.db import models


class License(models.Model):
    """A Personal Capture license: `ID yyyy-mm-dd-xxxxxx`, N seats, maybe an expiry date.

    `assigned` mirrors the number of Assignment rows; the check constraint makes the database
    itself refuse an oversubscription, whatever code path writes.
    """

    license_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200, blank=True, default="")
    seats = models.PositiveIntegerField()
    assigned = models.PositiveIntegerField(default=0)
    expires = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["license_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assigned__lte=models.F("seats")),
                name="license_not_oversubscribed",
            ),
        ]

    def __str__(self) -> str:
        return self.license_id


class Assignment(models.Model):
    """A user holds a license: at most once per (user, license)."""

    SOURCES = [("cli", "cli"), ("web", "web"), ("api", "api")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    license = models.ForeignKey(License, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField()
    assigned_by = models.CharField(max_length=150)
    source = models.CharField(max_length=8, choices=SOURCES)
    import_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "license"], name="unique_assignment")
        ]
