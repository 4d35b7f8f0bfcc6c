"""API token use cases: a user manages their own tokens; system administrators (and the
command line, acting as the system) anyone's."""

from datetime import date

from django.db.models import QuerySet

from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.text import fold
from plm.directory import tokens as store
from plm.directory.actors import Actor
from plm.directory.models import ApiToken, User
from plm.directory.users import user_get


def _owner(actor: Actor, username: str | None) -> User:
    """The user whose tokens are meant: the actor's own unless a sysadmin names another."""
    if username is None:
        if actor.user_pk is None:
            raise PlmError(c.INVALID_ARGUMENT, "Name the user the token is for.")
        return User.objects.get(pk=actor.user_pk)
    if not actor.is_sysadmin and fold(username) != fold(actor.name):
        # Checked before the look-up: whether another user exists is not theirs to learn.
        raise PlmError(c.PERMISSION_DENIED, "You can manage only your own API tokens.")
    return user_get(username)


def token_create(
    *, actor: Actor, username: str | None = None, name: str = "", expires: date | None = None
) -> tuple[ApiToken, str]:
    """A new token; the raw token is returned once and never stored."""
    return store.token_create(actor=actor, user=_owner(actor, username), name=name, expires=expires)


def tokens_list(
    *, actor: Actor, username: str | None = None, every: bool = False
) -> QuerySet[ApiToken]:
    """The actor's tokens (or a named user's); `every`: all tokens (system administrators)."""
    tokens = ApiToken.objects.select_related("user")
    if every:
        if not actor.is_sysadmin:
            raise PlmError(c.PERMISSION_DENIED, "Listing every token needs a system administrator.")
        return tokens.order_by("pk")
    return tokens.filter(user=_owner(actor, username)).order_by("-pk")


def token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token: the actor's own, or any for a system administrator (token_not_found
    otherwise)."""
    owner = None if actor.is_sysadmin else User.objects.filter(pk=actor.user_pk).first()
    if owner is None and not actor.is_sysadmin:
        raise PlmError(c.TOKEN_NOT_FOUND, f"Token {token_id} does not exist.")
    return store.token_revoke(actor=actor, token_id=token_id, owner=owner)


token_as_dict = store.token_as_dict
token_user = store.token_user
