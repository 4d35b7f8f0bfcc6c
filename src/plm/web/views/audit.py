"""The audit log page and its CSV download."""

from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from plm.audit.models import AuditEvent
from plm.directory.models import User
from plm.web.access import access_of, require
from plm.web.csv_response import csv_download

PAGE_SIZE = 100
HEADER = ("At", "Actor", "Source", "Import", "Row", "Action", "Username", "License ID", "Detail")


def _events(request: HttpRequest) -> tuple[QuerySet[AuditEvent], dict[str, str]]:
    filters = {
        k: request.GET.get(k, "").strip() for k in ("user", "license", "actor", "since", "until")
    }
    events = AuditEvent.objects.all()
    access = access_of(request)
    if access.view_orgs is not None:
        visible = access.users_in_view(User.objects.all()).values("username")
        events = events.filter(username__in=visible)
    if filters["user"]:
        events = events.filter(username__icontains=filters["user"])
    if filters["license"]:
        events = events.filter(license_id__icontains=filters["license"])
    if filters["actor"]:
        events = events.filter(actor__icontains=filters["actor"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        try:
            if filters[key]:
                events = events.filter(
                    **{lookup: datetime.strptime(filters[key], "%Y-%m-%d").date()}
                )
        except ValueError:
            filters[key] = ""
    return events, filters


@require("view")
def audit_log(request: HttpRequest) -> HttpResponse:
    events, filters = _events(request)
    page = Paginator(events.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/audit.html",
        {"page": page, "filters": filters, "query": request.GET.urlencode()},
    )


@require("view")
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    events, _ = _events(request)
    rows = (
        [
            e.at.isoformat().replace("+00:00", "Z"),
            e.actor,
            e.source,
            str(e.import_id or ""),
            str(e.row or ""),
            e.action,
            e.username,
            e.license_id,
            e.detail,
        ]
        for e in events.order_by("id").iterator()
    )
    return csv_download("audit.csv", HEADER, rows)
