"""Which PLM user an identity provider's verified claims are (single sign-on, docs/identity.md).

A person signs in when the user-name claim or their e-mail matches a PLM user's user name or
e-mail (ignoring case). Nobody is created from a sign-in unless the installation allows it
(PLM_OIDC_CREATE_USERS=1), and then without any role: what they may do is still decided in PLM.
"""

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Q

from plm.audit.services import Event, audit_record
from plm.core.text import fold
from plm.directory.models import User

SSO_ACTOR = "oidc"


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def user_for_claims(
    claims: dict[str, Any], *, username_claim: str, create: bool = False
) -> tuple[User | None, str]:
    """(the user, "") or (None, why the sign-in is refused)."""
    name = _text(claims, username_claim)
    # Only an e-mail the IdP says it verified (some, like Entra ID, send no such claim, and let
    # users edit the address): an unverified one could name someone else's account.
    verified = claims.get("email_verified") in (True, "true", "True")
    email = _text(claims, "email") if verified else ""
    keys = [fold(k) for k in (name, email) if k]
    if not keys:
        return None, (
            f"The identity provider sent neither the '{username_claim}' claim nor a verified "
            "e-mail, so PLM cannot tell who you are."
        )
    # The user-name claim first (it is the more specific), then the e-mail.
    for key in dict.fromkeys(keys):
        user = (
            User.objects.filter(Q(username_key=key) | Q(email_key=key))
            .order_by("-is_active", "pk")
            .first()
        )
        if user is not None:
            if not user.is_active:
                return None, f"The PLM account '{user.username}' is deactivated."
            return user, ""
    shown = name or email
    if not create:
        return None, (
            f"No PLM user has the user name or e-mail '{shown}'. Ask a PLM administrator to "
            "add you, or your identity provider's administrators to provision you."
        )
    return _create(name or email, email, claims), ""


def _create(username: str, email: str, claims: dict[str, Any]) -> User | None:
    """A new user without roles (PLM_OIDC_CREATE_USERS=1); audited as created by `oidc`."""
    try:
        with transaction.atomic():
            user = User(
                username=username[:150],
                email=email[:254],
                first_name=_text(claims, "given_name")[:150],
                last_name=_text(claims, "family_name")[:150],
                password=make_password(None),
            )
            user.save()
            audit_record(
                actor=SSO_ACTOR,
                source="web",
                events=[
                    Event("user_create", user.username, detail=f"from sign-in; email={email!r}")
                ],
            )
            return user
    except IntegrityError:
        return None
