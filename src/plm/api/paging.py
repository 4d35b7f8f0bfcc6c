"""`limit` (default 100, at most 1000) and `offset` on every list endpoint."""

from typing import Any

from ninja import Query, Schema
from pydantic import Field


class Paging(Schema):
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000_000)


def page(items: Any, paging: Paging) -> tuple[Any, int]:
    """Slice a queryset or list; return (the page, the total count)."""
    count = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    return items[paging.offset : paging.offset + paging.limit], count


PagingQuery = Query[Paging]  # type: ignore[type-arg,misc]
