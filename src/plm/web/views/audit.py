"""The audit log page and its CSV download."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from plm.app import audit
from plm.core.writer import AUDIT_HEADER
from plm.downloads import csv_download
from plm.web.access import actor_of, requires
from plm.web.pager import page_of

PAGE_SIZE = 100
FILTERS = ("user", "license", "actor", "since", "until")


def _events(request: HttpRequest):  # type: ignore[no-untyped-def]
    filters = {k: request.GET.get(k, "").strip() for k in FILTERS}
    events = audit.audit_events(
        actor=actor_of(request),
        user=filters["user"],
        license_id=filters["license"],
        by=filters["actor"],
        since=filters["since"],
        until=filters["until"],
    )
    return events, filters


@requires("view")
def audit_log(request: HttpRequest) -> HttpResponse:
    events, filters = _events(request)
    page = page_of(request, events.reverse(), PAGE_SIZE)
    # The filters alone: the pager adds its own page and cursor, the CSV takes every event.
    query = urlencode({k: v for k, v in filters.items() if v})
    context = {"page": page, "filters": filters, "query": query}
    return render(request, "web/audit.html", context)


@requires("view")
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    events, _ = _events(request)
    return csv_download("audit.csv", AUDIT_HEADER, (audit.audit_row(e) for e in events.iterator()))
