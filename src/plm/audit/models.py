"""The audit log: one event per change, never edited (no interface updates or deletes it)."""

from django.db import models

from plm.fields import LogId


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete audit events through the ORM."""


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AuditLogIsAppendOnly("audit events cannot be changed")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditEvent(models.Model):
    """Who changed what, when, through which face (and which import row).

    Users and licenses are recorded by name, not by key, so the log outlives what it describes.
    """

    id = LogId(primary_key=True)
    at = models.DateTimeField()
    """No index: the log is read in id order (ids follow time), and the date filters compare
    the local day, which no index on `at` serves; one index less is one write less per event."""
    actor = models.CharField(max_length=150)
    source = models.CharField(max_length=8)
    import_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    row = models.IntegerField(null=True, blank=True)
    action = models.CharField(max_length=40)
    username = models.CharField(max_length=150, blank=True, default="", db_index=True)
    license_id = models.CharField(max_length=32, blank=True, default="", db_index=True)
    detail = models.TextField(blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    class Meta:
        ordering = ["id"]
