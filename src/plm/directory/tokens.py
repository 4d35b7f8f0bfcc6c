"""Personal API tokens: creating, revoking and checking them; only a SHA-256 hash is stored."""

import hashlib
import secrets
from datetime import date, timedelta

from django.db import transaction

from plm.audit.services import Event, audit_record
from plm.bulk import write_if_free
from plm.clock import now, today
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.text import plain
from plm.directory.actors import Actor
from plm.directory.models import ApiToken, User

PREFIX = "plm_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(
    *, actor: Actor, user: User, name: str = "", expires: date | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; the raw token is returned once and never stored."""
    plain(name, "Token name", limit=ApiToken._meta.get_field("name").max_length)
    if expires is not None and expires < today():
        raise PlmError(c.INVALID_ARGUMENT, f"Expiry {expires} is in the past.")
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            key_hash=_hash(raw),
            prefix=raw[:12],
            created_at=now(),
            expires=expires,
        )
        audit_record(
            actor=actor.name,
            source=actor.source,
            events=[
                Event("token_create", username=user.username, detail=f"token {token.pk} {name!r}")
            ],
        )
    return token, raw


def token_revoke(*, actor: Actor, token_id: int, owner: User | None = None) -> ApiToken:
    """Revoke a token (only the owner's when `owner` is given)."""
    tokens = ApiToken.objects.all() if owner is None else ApiToken.objects.filter(user=owner)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise PlmError(c.TOKEN_NOT_FOUND, f"Token {token_id} does not exist.")
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor.name,
                source=actor.source,
                events=[
                    Event("token_revoke", username=token.user.username, detail=f"token {token.pk}")
                ],
            )
    return token


def token_user(raw: str) -> User | None:
    """The active user a valid token belongs to, or None (unknown, revoked, expired)."""
    if not raw.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires is not None and token.expires < today():
        return None
    stamp = now()
    # Record use at most once a minute: no write per request; and never wait for the write
    # lock to do it (a read during an import on SQLite would stall for a batch): a stamp
    # skipped is made by a later request.
    if token.last_used_at is None or stamp - token.last_used_at > timedelta(minutes=1):
        write_if_free(lambda: ApiToken.objects.filter(pk=token.pk).update(last_used_at=stamp))
    return token.user


def token_as_dict(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "user": token.user.username,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat().replace("+00:00", "Z"),
        "expires": token.expires.isoformat() if token.expires else None,
        "last_used_at": token.last_used_at.isoformat().replace("+00:00", "Z")
        if token.last_used_at
        else None,
        "revoked": token.revoked_at is not None,
    }
