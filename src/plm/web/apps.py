from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web face: pages over the same services as the CLI."""

    name = "plm.web"
