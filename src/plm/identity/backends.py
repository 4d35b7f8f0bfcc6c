"""The password login, which an installation may keep for system administrators only
(PLM_PASSWORD_LOGIN=sysadmins: everyone else signs in with the identity provider)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        allowed = super().user_can_authenticate(user)
        if settings.PLM_PASSWORD_LOGIN == "sysadmins":
            # Break-glass access: only system administrators keep their password login (and a
            # password session of anyone else ends at their next request).
            return allowed and bool(getattr(user, "is_superuser", False))
        return allowed
