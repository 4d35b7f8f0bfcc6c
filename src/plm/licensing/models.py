"""Licenses and who holds them."""

from django.conf import settings
from django.db import models

from plm.core.text import fold


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

    SOURCES = [("cli", "cli"), ("web", "web"), ("api", "api"), ("policy", "policy")]

    # No index of its own: unique_assignment (user, license) starts with the user and serves
    # every look-up by user; a second index only cost a random write per assignment.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,
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


class Policy(models.Model):
    """Who should hold a license, stated instead of uploaded: the Academic Staff of an
    organization and everything below it get a license from an ordered pool (licensing/
    policies.py). Names are unique ignoring case."""

    name = models.CharField(max_length=100)
    name_key = models.CharField(max_length=100, unique=True, editable=False)
    organization = models.ForeignKey(
        "directory.Organization", on_delete=models.PROTECT, related_name="policies"
    )
    revoke_ineligible = models.BooleanField(default=False)
    """Revoke pool licenses from members who stop being eligible (off by default)."""
    max_revoke_percent = models.PositiveSmallIntegerField(default=10)
    """With revoke_ineligible: the most of the pool's holders one run may revoke, in percent."""
    enabled = models.BooleanField(default=True)
    """Paused policies are not reconciled automatically (a preview or apply by hand still runs)."""
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        ordering = ["name_key"]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.name_key = fold(self.name)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class PolicyLicense(models.Model):
    """One license of a policy's pool, at its place in the pool's order (first = used first)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="pool")
    license = models.ForeignKey(License, on_delete=models.PROTECT, related_name="policy_pools")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["policy", "position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "license"], name="unique_pool_license")
        ]


class PolicyMember(models.Model):
    """A user eligible for the policy since an applied run first saw them so (`since`: the
    newest audit event id then).

    This is how a policy tells a manual revoke from a user it never licensed: a member without
    a current license whose latest assign or revoke after `since` is a revoke made by anyone
    but a policy opted out, and is not licensed again until they stop being eligible (the row
    is dropped) and become eligible again (a new row, a new `since`)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "user"], name="unique_policy_member")
        ]
