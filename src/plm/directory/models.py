"""Organizations (a tree), users and per-organization roles."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models

from plm.core.people import ROLES
from plm.core.text import fold, nfc


class Organization(models.Model):
    """A node of the university's organization tree; names are unique ignoring case."""

    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.name = nfc(self.name)
        self.name_key = fold(self.name)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, email: str = "", password: str | None = None, **extra):  # type: ignore[no-untyped-def]
        user = self.model(username=username, email=email, **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save()
        return user

    def create_superuser(
        self, username: str, email: str = "", password: str | None = None, **extra
    ):  # type: ignore[no-untyped-def]
        return self.create_user(username, email, password, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Staff = holds any role; system administrator = is_superuser.

    username_key / email_key are casefolded copies: they make both unique ignoring case and make
    look-ups by either an indexed equality on every database.
    """

    username = models.CharField(max_length=150, unique=True)
    username_key = models.CharField(max_length=150, unique=True, editable=False)
    email = models.CharField(max_length=254, blank=True, default="")
    email_key = models.CharField(max_length=254, null=True, unique=True, editable=False)
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # SCIM provisioning (docs/scim.md): the identity provider's own id for the user, and when a
    # SCIM DELETE took the user out of provisioning (deactivated, licenses and roles kept).
    external_id = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    deprovisioned_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()
    USERNAME_FIELD = "username"

    class Meta:
        indexes = [
            # The few inactive users (about 1 in 100), by number: the Users page's exact count
            # subtracts the inactive ones with a role from the users with a role instead of
            # testing every user (app/users.py: users_count). Tiny, and no cost to an active
            # user's writes.
            models.Index(fields=["id"], condition=models.Q(is_active=False), name="user_inactive"),
        ]

    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def refresh_keys(self) -> None:
        """Recompute the casefolded keys (save() does it; bulk writes must call this)."""
        self.username, self.email = nfc(self.username), nfc(self.email)
        self.first_name, self.last_name = nfc(self.first_name), nfc(self.last_name)
        self.username_key = fold(self.username)
        self.email_key = fold(self.email) or None

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.refresh_keys()
        super().save(*args, **kwargs)

    @property
    def is_staff(self) -> bool:
        """Django admin flag (not our Staff notion): system administrators only."""
        return self.is_superuser

    def __str__(self) -> str:
        return self.username


class RoleGrant(models.Model):
    """A role held by a user in an organization (and, for scope, everything below it)."""

    ROLE_CHOICES = [(role, role) for role in ROLES]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(max_length=40, choices=ROLE_CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="unique_role_grant"
            )
        ]
        indexes = [models.Index(fields=["organization", "role"])]


class ApiToken(models.Model):
    """A token acts with its user's permissions until it expires or is revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, blank=True, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    expires = models.DateField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        # Created by the api app's first migration; the model moved here (tokens are the
        # domain's, the API is one face using them) and kept its table.
        db_table = "api_apitoken"


class ScimToken(models.Model):
    """A SCIM provisioning credential (docs/scim.md): not a user's; it acts as the system for
    provisioning only and is audited as `scim:<name>`. Only a SHA-256 hash is stored."""

    name = models.CharField(max_length=60, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150, blank=True, default="")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class ScimGroup(models.Model):
    """A SCIM group: one (organization, role) pair, named `<Organization>/<Role>`. Its members
    are the users holding that role there (RoleGrant is the one record of roles)."""

    display_name = models.CharField(max_length=300)
    external_id = models.CharField(max_length=255, null=True, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40, choices=RoleGrant.ROLE_CHOICES)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "role"], name="unique_scim_group")
        ]
