"""The confirmation step of every destructive action, and where "Done" goes afterwards.

An action's POST without `confirmed=1` changes nothing: it renders web/confirm.html, which
says what will happen in numbers and repeats the same fields with `confirmed=1` (and the CSRF
token), so it works without JavaScript and a one-click POST cannot act."""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

CONFIRMED = "confirmed"


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    action: str,
    button: str,
    fields: Iterable[tuple[str, str]] = (),
    details: Iterable[str] = (),
    names: Iterable[str] = (),
    more: int = 0,
    back: str = "",
) -> HttpResponse:
    """The confirmation page: `question` with its numbers, then a form posting `fields` and
    `confirmed=1` to `action`; Cancel goes `back`."""
    context = {
        "title": title,
        "question": question,
        "action": action,
        "button": button,
        "fields": list(fields),
        "details": list(details),
        "names": list(names),
        "more": more,
        "back": back,
    }
    return render(request, "web/confirm.html", context)


def safe_back(request: HttpRequest) -> str:
    """`back` from the form or the query when it is a path on this site, else ""."""
    back = request.POST.get("back") or request.GET.get("back") or ""
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return back
    return ""


def back_of(request: HttpRequest, default: str) -> str:
    """The page an action started from (`back`), or `default` (a URL name)."""
    return safe_back(request) or resolve_url(default)


def report_url(import_id: int, back: str) -> str:
    """An import's page, remembering where its Done goes."""
    url = reverse("web:import_detail", args=[import_id])
    return f"{url}?{urlencode({'back': back})}" if back else url
