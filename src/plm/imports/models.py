"""Import jobs and their per-row results (the import history)."""

from django.db import models

from plm.fields import LogId


class Import(models.Model):
    """One run of a license or users file from any face; dry runs and fatal runs included."""

    KINDS = [("licenses", "licenses"), ("users", "users")]

    kind = models.CharField(max_length=10, choices=KINDS, default="licenses")
    source = models.CharField(max_length=8)
    actor = models.CharField(max_length=150)
    as_user = models.CharField(max_length=150, null=True, blank=True)
    """User name whose permissions the run uses; None = the system (CLI without --as)."""
    file_name = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=12, db_index=True)
    dry_run = models.BooleanField(default=False)
    all_or_nothing = models.BooleanField(default=False)
    sync_max_revoke_percent = models.IntegerField(null=True, blank=True)
    """Set for a sync import (--sync): the most holders it may revoke, in percent."""
    rows = models.IntegerField(default=0)
    processed = models.IntegerField(default=0)
    applied = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    results_purged = models.BooleanField(default=False)
    cancel_requested = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    """Refreshed every few seconds by the process running the import (see recovery.py)."""
    file_sha256 = models.CharField(max_length=64, blank=True, default="")
    """Of the imported file: a resume must be given the same file."""
    attempt = models.IntegerField(default=0)
    """The lease: raised by every claim (a worker taking it, a resume). A run writes only while
    the record still carries its attempt, so an older run is fenced out (jobs/runner.py)."""
    lease_owner = models.CharField(max_length=100, blank=True, default="")
    """host-pid of the process holding the current attempt (for people reading the record)."""
    encoding = models.CharField(max_length=40, blank=True, default="")
    """How the file was read: utf-8, utf-16, cp1250, ..., or xlsx."""
    sheet = models.CharField(max_length=255, blank=True, default="")
    """The worksheet read, for a workbook."""
    policy_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    """For a policy's run (source `policy`): the policy (licensing.Policy; no foreign key, as
    imports sit beside licensing, and the record outlives a deleted policy)."""

    class Meta:
        ordering = ["id"]


class ImportRow(models.Model):
    """The result of one input row (the same fields as `plm import --json` results)."""

    id = LogId(primary_key=True)
    # No index of its own: the unique (job, seq) index serves every look-up by job, and one
    # index less is one write less per result row.
    job = models.ForeignKey(
        Import, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    seq = models.IntegerField()
    row = models.IntegerField(null=True)
    username = models.TextField(blank=True, default="")
    action = models.CharField(max_length=40, blank=True, default="")
    license_id = models.TextField(blank=True, default="")
    outcome = models.CharField(max_length=10)
    code = models.CharField(max_length=40)
    message = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["job", "seq"]
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="unique_import_row")]


class ImportFile(models.Model):
    """The uploaded bytes of a queued import, in the database so any worker host can read it."""

    job = models.OneToOneField(Import, on_delete=models.CASCADE, related_name="upload")
    data = models.BinaryField()
    size = models.BigIntegerField()
