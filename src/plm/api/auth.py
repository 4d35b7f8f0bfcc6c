"""API authentication: `Authorization: Bearer <token>`, or the browser's session (with CSRF
on writes); then the permission table level of the operation, before any body is read."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from plm.api.errors import ApiError
from plm.app.actors import Actor, actor_for_user, require
from plm.app.tokens import token_user
from plm.core import codes as c

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class Auth(HttpBearer):
    """Authenticate, then require `level` ('view', 'change', 'sysadmin'); `upload` also refuses
    a declared body over the import size limit (413) before it is read."""

    def __init__(self, level: str = "view", *, upload: bool = False) -> None:
        super().__init__()
        self.level = level
        self.upload = upload

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header:
            scheme, _, raw = header.partition(" ")
            user = token_user(raw.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                raise ApiError(
                    401,
                    c.UNAUTHORIZED,
                    "The API token is missing, unknown, expired "
                    "or revoked: send Authorization: Bearer <token>.",
                )
        elif request.user.is_authenticated:
            if request.method not in SAFE_METHODS and check_csrf(request) is not None:
                raise ApiError(
                    403,
                    c.PERMISSION_DENIED,
                    "CSRF check failed for this session "
                    "request: send the X-CSRFToken header, or use a token.",
                )
            user = request.user
        else:
            raise ApiError(
                401,
                c.UNAUTHORIZED,
                "Authentication required: send Authorization: "
                "Bearer <token> (create one on your profile page or with plm tokens).",
            )
        actor = actor_for_user(user, "api")  # type: ignore[arg-type]
        require(actor, self.level)  # permission_denied (403) before any body is read
        if self.upload and _declared_length(request) > settings.PLM_MAX_IMPORT_BYTES + 64 * 1024:
            mb = settings.PLM_MAX_IMPORT_BYTES // (1024 * 1024)
            raise ApiError(413, c.FILE_TOO_LARGE, f"The file is larger than the limit of {mb} MB.")
        request.actor = actor  # type: ignore[attr-defined]
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        return None  # __call__ does it all


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def actor_of(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]
