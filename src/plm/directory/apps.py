from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """Organizations, users and their roles."""

    name = "plm.directory"
    default_auto_field = "django.db.models.BigAutoField"
