"""Login, the actor of a request, and how the web shows an error: one place each."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from plm.app.actors import Actor, actor_for_user, require
from plm.core.codes import PERMISSION_DENIED, PlmError
from plm.http_status import http_status

View = Callable[..., HttpResponse]


def requires(level: str) -> Callable[[View], View]:
    """A view for signed-in users whose actor may use `level` ('login', 'view', 'change',
    'sysadmin'); the use cases check again, with scope and visibility."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            actor = actor_for_user(request.user, "web")  # type: ignore[arg-type]
            request.actor = actor  # type: ignore[attr-defined]
            try:
                if level != "login":
                    require(actor, level)
                return view(request, *args, **kwargs)
            except PlmError as error:
                return error_page(request, error)

        wrapper.plm_access = level  # type: ignore[attr-defined]
        return wrapper

    return decorator


def actor_of(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def error_page(request: HttpRequest, error: PlmError) -> HttpResponse:
    """The one rendering of an error for a page: its message, with the status of its code."""
    template = "web/403.html" if error.code == PERMISSION_DENIED else "web/error.html"
    return render(
        request,
        template,
        {"error": error, "reason": error.message, "access": getattr(request, "actor", None)},
        status=http_status(error.code),
    )


def after_action(
    request: HttpRequest,
    error: PlmError,
    to: str,
    *,
    fields: tuple[str, ...] = (),
    **kwargs: Any,
) -> HttpResponse:
    """A form's action failed: back to `to` with the error as a message; the error page when
    the object is not the actor's to see or act on (403, 404), unless its code is about what
    was typed in the form (`fields`: e.g. a License ID that does not exist)."""
    if http_status(error.code) in (403, 404) and error.code not in fields:
        return error_page(request, error)
    messages.error(request, f"{error.message} ({error.code})")
    return redirect(to, **kwargs)
