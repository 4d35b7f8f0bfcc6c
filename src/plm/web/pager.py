"""Pages of a long list: numbered, and read by keyset when reached by Next or Previous.

The Next and Previous links carry a cursor (`after` / `before`: the sort key of the row next to
the page), so paging through 100,000 users reads 50 rows a page however deep it goes; the page
number they also carry is only shown. A page asked for by number alone, or with a cursor that
is not one of ours (edited, or its rows since deleted), is found by number as before.
"""

from collections.abc import Callable
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from plm import paging


class _Paginator(Paginator):
    """A paginator whose count may come from a cheaper query than `rows.count()`."""

    def __init__(self, rows: QuerySet[Any], per_page: int, count: Callable[[], int] | None):
        super().__init__(rows, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count() if self._count else super().count


def page_of(
    request: HttpRequest,
    rows: QuerySet[Any],
    per_page: int,
    count: Callable[[], int] | None = None,
) -> Page:
    """The page of `rows` the request asks for, with `next_cursor` / `previous_cursor` set for
    the pager's links (empty where there is no such page)."""
    paginator = _Paginator(rows, per_page, count)
    number = request.GET.get("page")
    found: list[Any] = []
    if (values := paging.decode(request.GET.get("after", ""), rows)) is not None:
        found = list(paging.after(rows, values)[:per_page])
    elif (values := paging.decode(request.GET.get("before", ""), rows)) is not None:
        found = list(paging.before(rows, values)[:per_page])[::-1]
    if found:
        page = Page(found, _number(paginator, number), paginator)
    else:
        page = paginator.get_page(number)
    shown = list(page.object_list)
    page.next_cursor = paging.cursor_of(shown[-1], rows) if shown and page.has_next() else ""  # type: ignore[attr-defined]
    page.previous_cursor = (  # type: ignore[attr-defined]
        paging.cursor_of(shown[0], rows) if shown and page.has_previous() else ""
    )
    return page


def _number(paginator: Paginator, number: str | None) -> int:
    """The page number to show for a page found by cursor: the one asked, within the pages."""
    try:
        return int(paginator.validate_number(number))
    except PageNotAnInteger:
        return 1
    except EmptyPage:  # as Paginator.get_page does
        return paginator.num_pages
