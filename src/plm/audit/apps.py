from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The append-only audit log of every change."""

    name = "plm.audit"
    default_auto_field = "django.db.models.BigAutoField"
