"""SCIM provisioning tokens: creating, revoking and checking them; only a SHA-256 hash is stored.

A SCIM token belongs to no user: the identity provider holding it provisions users and groups
as the system, and the audit log records it as `scim:<token name>` with source `scim`
(docs/scim.md)."""

import hashlib
import re
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction

from plm.audit.services import Event, audit_record
from plm.bulk import write_if_free
from plm.clock import now
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.directory.actors import EVERYWHERE, Actor
from plm.directory.models import ScimToken

PREFIX = "plmscim_"
SOURCE = "scim"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}$")


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def scim_token_create(*, actor: Actor, name: str) -> tuple[ScimToken, str]:
    """A new SCIM token named `name` (unique); the raw token is returned once, never stored."""
    name = name.strip()
    if not _NAME.match(name):
        raise PlmError(
            c.INVALID_ARGUMENT,
            "A SCIM token needs a name of 1 to 60 letters, digits, spaces, '.', '_' or '-', "
            "e.g. 'entra-id'.",
        )
    raw = PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ScimToken.objects.create(
                name=name,
                key_hash=_hash(raw),
                prefix=raw[:16],
                created_at=now(),
                created_by=actor.name,
            )
            audit_record(
                actor=actor.name,
                source=actor.source,
                events=[Event("scim_token_create", detail=f"scim token {token.pk} {name!r}")],
            )
    except IntegrityError:
        raise PlmError(
            c.INVALID_ARGUMENT, f"A SCIM token named '{name}' exists: choose another name."
        ) from None
    return token, raw


def scim_token_revoke(*, actor: Actor, token_id: int) -> ScimToken:
    token = ScimToken.objects.filter(pk=token_id).first()
    if token is None:
        raise PlmError(c.TOKEN_NOT_FOUND, f"SCIM token {token_id} does not exist.")
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor.name,
                source=actor.source,
                events=[Event("scim_token_revoke", detail=f"scim token {token.pk} {token.name!r}")],
            )
    return token


def scim_token_actor(raw: str) -> Actor | None:
    """The actor a valid (known, unrevoked) SCIM token acts as, or None."""
    if not raw.startswith(PREFIX):
        return None
    token = ScimToken.objects.filter(key_hash=_hash(raw)).first()
    if token is None or token.revoked_at is not None:
        return None
    stamp = now()
    # At most once a minute, and never waiting for an import's write lock (see token_user).
    if token.last_used_at is None or stamp - token.last_used_at > timedelta(minutes=1):
        write_if_free(lambda: ScimToken.objects.filter(pk=token.pk).update(last_used_at=stamp))
    return scim_actor(token.name)


def scim_actor(token_name: str) -> Actor:
    """Provisioning as the system, recorded as `scim:<token name>` from source `scim`."""
    return Actor(f"scim:{token_name}", SOURCE, EVERYWHERE, None, True, True, True, EVERYWHERE)


def scim_token_as_dict(token: ScimToken) -> dict[str, object]:
    def stamp(value):  # type: ignore[no-untyped-def]
        return value.isoformat().replace("+00:00", "Z") if value else None

    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": stamp(token.created_at),
        "created_by": token.created_by,
        "last_used_at": stamp(token.last_used_at),
        "revoked": token.revoked_at is not None,
    }
