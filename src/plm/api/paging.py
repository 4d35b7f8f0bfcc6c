"""`limit` (default 100, at most 1000), `offset` and `after` on every list endpoint.

`after` is the `next` of the previous page (plm.paging): the following page is read from the
sort key on, so paging through 100,000 users costs the same at every depth; `offset` skips
rows (after the cursor, when both are given) and costs more the deeper it goes.
"""

from typing import Any, NamedTuple

from ninja import Query, Schema
from pydantic import Field

from plm import paging as keyset
from plm.core import codes as c
from plm.core.codes import PlmError


class Paging(Schema):
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000_000)
    after: str | None = Field(default=None, max_length=keyset.MAX_CURSOR)


PagingQuery = Query[Paging]  # type: ignore[type-arg,misc]


class Window(NamedTuple):
    items: Any
    """The page: a queryset in the list's order (or a list, for a list)."""
    count: int
    """Every item of the list, the cursor aside."""
    next: str | None
    """The cursor of the following page (pass it as `after`); None on the last page."""


def page(items: Any, paging: Paging) -> Window:
    """The page of a list or queryset that `paging` asks for.

    For a queryset the sort and the skip run over the keys alone (primary key and sort fields),
    then the page's rows are read by primary key: sorting every joined row to keep 50 took a
    second at 100,000 rows on SQLite."""
    start, stop = paging.offset, paging.offset + paging.limit
    if isinstance(items, list):
        if paging.after:
            raise PlmError(c.INVALID_ARGUMENT, "This list is short and has no cursor: use offset.")
        return Window(items[start:stop], len(items), None)
    rows = items
    if paging.after:
        values = keyset.decode(paging.after, items)
        if values is None:
            raise PlmError(
                c.INVALID_ARGUMENT,
                "after must be the `next` of a page of this same list; "
                "leave it out to start from the first page.",
            )
        rows = keyset.after(items, values)
    fields = [name for name, _ in keyset.ordering(items)]
    keys = list(rows.values_list("pk", *fields)[start : stop + 1])
    more = len(keys) > paging.limit
    keys = keys[: paging.limit]
    found = items.filter(pk__in=[k[0] for k in keys])
    return Window(found, items.count(), keyset.encode(list(keys[-1][1:])) if more else None)
