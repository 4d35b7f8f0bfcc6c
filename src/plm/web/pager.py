"""Pages of a long list: numbered, and read by keyset when reached by Next or Previous.

The Next and Previous links carry a cursor (`after` / `before`: the sort key of the row next to
the page), so paging through 100,000 users reads 50 rows a page however deep it goes; the page
number they also carry is only shown. A page asked for by number alone, or with a cursor that
is not one of ours (edited by hand), is found by number as before.
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
    page: Page
    if (values := paging.decode(request.GET.get("after", ""), rows)) is not None:
        found = list(paging.after(rows, values)[: per_page + 1])  # one more: is there a next?
        more = len(found) > per_page
        page = _KeysetPage(found[:per_page], _number(paginator, number), paginator, more, True)
    elif (values := paging.decode(request.GET.get("before", ""), rows)) is not None:
        found = list(paging.before(rows, values)[: per_page + 1])
        more = len(found) > per_page
        if len(found) < per_page:  # rows before it since removed: the list starts here again
            page = paginator.page(1)
        else:
            page = _KeysetPage(
                found[:per_page][::-1], _number(paginator, number), paginator, True, more
            )
    else:
        page = paginator.get_page(number)
    shown = list(page.object_list)
    page.next_cursor = paging.cursor_of(shown[-1], rows) if shown and page.has_next() else ""  # type: ignore[attr-defined]
    page.previous_cursor = (  # type: ignore[attr-defined]
        paging.cursor_of(shown[0], rows) if shown and page.has_previous() else ""
    )
    return page


class _KeysetPage(Page):
    """A page read from a cursor: whether a page follows (or precedes) it is known from the rows
    read, not from its number, which is only shown. A cursor past the end (its rows since
    deleted) gives an empty page with a link back, not the rows of some other page."""

    def __init__(
        self,
        rows: list[Any],
        number: int,
        paginator: Paginator,
        more_after: bool,
        more_before: bool,
    ):
        super().__init__(rows, number, paginator)
        self._more_after = more_after and bool(rows)
        self._more_before = more_before

    def has_next(self) -> bool:
        return self._more_after

    def has_previous(self) -> bool:
        return self._more_before

    def next_page_number(self) -> int:
        return min(self.number + 1, max(self.paginator.num_pages, 1))

    def previous_page_number(self) -> int:
        return max(self.number - 1, 1)


def _number(paginator: Paginator, number: str | None) -> int:
    """The page number to show for a page found by cursor: the one asked, within the pages."""
    try:
        return int(paginator.validate_number(number))
    except PageNotAnInteger:
        return 1
    except EmptyPage:  # as Paginator.get_page does
        return paginator.num_pages
