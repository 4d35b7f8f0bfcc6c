"""The audit log page and its CSV download."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from plm.app import audit
from plm.core.writer import AUDIT_HEADER
from plm.downloads import csv_download
from plm.web.access import actor_of, requires

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
    page = Paginator(events.reverse(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "query": request.GET.urlencode()}
    return render(request, "web/audit.html", context)


@requires("view")
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    events, _ = _events(request)
    return csv_download("audit.csv", AUDIT_HEADER, (audit.audit_row(e) for e in events.iterator()))
