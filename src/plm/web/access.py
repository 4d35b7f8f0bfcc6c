"""Login and the permission table for views: one decorator per column of the table."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from plm.directory.permissions import Access, access_for

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "web/403.html", {"reason": reason}, status=403)


def require(level: str) -> Callable[[View], View]:
    """level: 'login' (any signed-in user), 'view', 'change' or 'sysadmin'."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            access = access_for(request.user)  # type: ignore[arg-type]
            request.access = access  # type: ignore[attr-defined]
            allowed = {
                "login": True,
                "view": access.can_view,
                "change": access.can_change,
                "sysadmin": access.is_sysadmin,
            }[level]
            if not allowed:
                return forbidden(request, _REASONS[level])
            return view(request, *args, **kwargs)

        wrapper.plm_access = level  # type: ignore[attr-defined]
        return wrapper

    return decorator


_REASONS = {
    "view": "This page needs the License Manager role (or system administrator).",
    "change": "Changing licenses needs both the Administrator and the License Manager role in "
    "the same organization (or system administrator).",
    "sysadmin": "This needs a system administrator.",
}


def access_of(request: HttpRequest) -> Access:
    return request.access  # type: ignore[attr-defined,no-any-return]
