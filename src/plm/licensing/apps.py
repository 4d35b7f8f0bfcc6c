from django.apps import AppConfig


class LicensingConfig(AppConfig):
    """Licenses and assignments."""

    name = "plm.licensing"
    default_auto_field = "django.db.models.BigAutoField"
