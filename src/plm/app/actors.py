"""How each face obtains its actor (the rules of who may do what live in directory.actors)."""

from plm.directory.actors import (
    CHANGE,
    SYSADMIN,
    VIEW,
    Actor,
    actor_for_user,
    actor_named,
    allowed,
    require,
    system_actor,
)

__all__ = [
    "CHANGE",
    "SYSADMIN",
    "VIEW",
    "Actor",
    "actor_for_user",
    "actor_named",
    "allowed",
    "require",
    "system_actor",
]
