"""The Import page of either kind: the size is checked before the body is read, nothing is
stored for a bad upload, and the use case queues the rest."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from plm.app import imports as uc
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.http_status import http_status
from plm.web.access import actor_of


def request_too_large(request: HttpRequest) -> bool:
    """True when the declared body is over the limit (checked before Django parses it)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.PLM_MAX_IMPORT_BYTES + 64 * 1024  # room for the form fields


def _upload(request: HttpRequest) -> tuple[str, bytes]:
    """The uploaded file's name and bytes, or PlmError with a message for the page."""
    if request_too_large(request):
        raise uc.too_large()
    upload = request.FILES.get("file")
    if upload is None:
        raise PlmError(c.INVALID_ARGUMENT, "Choose a CSV or Excel (.xlsx) file to import.")
    if upload.size is not None and upload.size > settings.PLM_MAX_IMPORT_BYTES:
        raise uc.too_large()
    # The name is only a label: CSV or workbook is decided by the content (core.reader).
    return upload.name or "upload.csv", upload.read()


def import_page(request: HttpRequest, kind: str) -> HttpResponse:
    """GET shows the form; POST stores and queues the upload. Bad uploads come back to the
    form with their message; nothing is stored for them."""
    error = None
    if request.method == "POST":
        post = request.POST
        try:
            name, data = _upload(request)
            job = uc.import_submit(
                actor=actor_of(request),
                kind=kind,
                data=data,
                file_name=name,
                dry_run=bool(post.get("dry_run")),
                all_or_nothing=bool(post.get("all_or_nothing")),
                sync=bool(post.get("sync")),
                # The threshold field is part of the sync option: sent only with it.
                max_revoke_percent=post.get("max_revoke_percent") if post.get("sync") else None,
                encoding=post.get("encoding") or None,
                sheet=post.get("sheet") or None,
            )
        except PlmError as exc:
            error = exc
        else:
            return redirect("web:import_detail", import_id=job.pk)
    status = http_status(error.code) if error else 200
    context = {
        "error": error,
        "kind": kind,
        "encodings": uc.encoding_choices(),
        "chosen": request.POST.get("encoding", ""),
        "sheet": request.POST.get("sheet", ""),
    }
    return render(request, "web/import_form.html", context, status=status)
