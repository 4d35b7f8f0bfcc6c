from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API face (django-ninja) and its personal tokens."""

    name = "plm.api"
    default_auto_field = "django.db.models.BigAutoField"
