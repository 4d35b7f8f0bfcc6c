"""`limit` (default 100, at most 1000) and `offset` on every list endpoint."""

from typing import Any

from django.db.models import QuerySet
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


def page_of_rows(rows: QuerySet[Any], paging: Paging) -> tuple[list[Any], int]:
    """`page` for a queryset of wide rows (select_related) in an order that needs a sort: the
    sort and the offset run over the keys alone, then only the page's rows are read whole.
    Sorting every joined row to keep 50 took a second at 100,000 rows on SQLite."""
    keys = list(rows.values_list("pk", flat=True)[paging.offset : paging.offset + paging.limit])
    found = rows.model._default_manager.filter(pk__in=keys)
    if rows.query.select_related:
        found = found.select_related(*_related(rows))
    by_key = {row.pk: row for row in found}
    return [by_key[k] for k in keys if k in by_key], rows.count()


def _related(rows: QuerySet[Any]) -> list[str]:
    related = rows.query.select_related
    return list(related) if isinstance(related, dict) else []
