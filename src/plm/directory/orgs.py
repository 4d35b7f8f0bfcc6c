"""The organization tree."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from plm.audit.services import Event, audit_record
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.text import fold, nfc, plain
from plm.directory.models import Organization

if TYPE_CHECKING:  # actors imports this module (org_subtree)
    from plm.directory.actors import Actor

_NAME_LENGTH = Organization._meta.get_field("name").max_length


def org_add(*, actor: "Actor", name: str, parent: str | None = None) -> Organization:
    """Add an organization, under `parent` when given (names unique ignoring case); audited."""
    name = " ".join(name.split())  # tabs and line breaks become spaces
    if not name:
        raise PlmError(c.INVALID_ARGUMENT, "An organization needs a name.")
    plain(nfc(name), "Organization name", limit=_NAME_LENGTH, folded=True)
    parent_org = None
    if parent is not None:
        plain(parent, "Parent organization")
        parent_org = Organization.objects.filter(name_key=fold(parent.strip())).first()
        if parent_org is None:
            raise PlmError(c.ORG_NOT_FOUND, f"Parent organization '{parent}' does not exist.")
    try:
        with transaction.atomic():
            org = Organization.objects.create(name=name, parent=parent_org)
            where = f"under {parent_org.name!r}" if parent_org else "at the top"
            audit_record(
                actor=actor.name,
                source=actor.source,
                events=[Event("org_add", detail=f"{org.name!r} {where}")],
            )
            return org
    except IntegrityError:
        raise PlmError(c.ORG_EXISTS, f"Organization '{name}' already exists.") from None


def org_list() -> list[dict[str, object]]:
    """Every organization with its parent's name and its path from the top, sorted by name."""
    orgs = {o.pk: o for o in Organization.objects.all()}
    rows = []
    for org in orgs.values():
        path, node = [], org
        while node is not None:
            path.append(node.name)
            node = orgs.get(node.parent_id) if node.parent_id else None
        parent = orgs[org.parent_id].name if org.parent_id else None
        rows.append({"name": org.name, "parent": parent, "path": " › ".join(reversed(path))})
    return sorted(rows, key=lambda r: (str(r["name"]).casefold(), str(r["name"])))


def org_subtree(roots: Iterable[int]) -> set[int]:
    """The given organizations and everything below them."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Organization.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), list(roots)
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found
