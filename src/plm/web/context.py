"""What every page's layout needs: the signed-in actor (`access`), for the navigation."""

from django.http import HttpRequest

from plm.app.actors import Actor, actor_for_user


def actor(request: HttpRequest) -> dict[str, Actor | None]:
    """`access`: the request's actor (set by `requires`), or the signed-in user's on pages
    outside the views (errors); None when nobody is signed in."""
    found = getattr(request, "actor", None)
    if (
        found is None
        and getattr(request, "user", None) is not None
        and request.user.is_authenticated
    ):
        found = actor_for_user(request.user, "web")  # type: ignore[arg-type]
    return {"access": found}
