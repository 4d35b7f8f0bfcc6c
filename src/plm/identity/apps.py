from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Sign-in glue (no models): OpenID Connect and the password policy."""

    name = "plm.identity"
