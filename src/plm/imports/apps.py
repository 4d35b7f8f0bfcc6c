from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Import jobs (license and user files) with their per-row results."""

    name = "plm.imports"
    default_auto_field = "django.db.models.BigAutoField"
