"""What the login page needs to offer single sign-on."""

from django.conf import settings
from django.http import HttpRequest


def sso(request: HttpRequest) -> dict[str, object]:
    """`sso_name`: the provider's name for "Sign in with …" (None: single sign-on is off);
    `password_login`: 'all' or 'sysadmins'."""
    return {
        "sso_name": settings.PLM_OIDC_NAME if settings.PLM_OIDC_ISSUER else None,
        "password_login": settings.PLM_PASSWORD_LOGIN,
    }
