"""Taking an uploaded file safely: size checked before it is read, nothing stored on bad input."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from plm.core import codes as c
from plm.core.codes import PlmError


def request_too_large(request: HttpRequest) -> bool:
    """True when the declared body is over the limit (checked before Django parses it)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.PLM_MAX_IMPORT_BYTES + 64 * 1024  # room for the form fields


def too_large_error() -> PlmError:
    mb = settings.PLM_MAX_IMPORT_BYTES // (1024 * 1024)
    return PlmError(
        c.FILE_TOO_LARGE,
        f"The file is larger than the limit of {mb} MB: split it into smaller files.",
    )


def read_upload(request: HttpRequest, field: str = "file") -> tuple[str, bytes]:
    """The uploaded file's name and bytes, or PlmError with a message for the page."""
    upload = request.FILES.get(field)
    if upload is None:
        raise PlmError(c.INVALID_ARGUMENT, "Choose a CSV or Excel (.xlsx) file to import.")
    # The name is only a label: CSV or workbook is decided by the content (core.reader).
    name = upload.name or "upload.csv"
    if upload.size is not None and upload.size > settings.PLM_MAX_IMPORT_BYTES:
        raise too_large_error()
    if not upload.size:
        raise PlmError(c.EMPTY_FILE, f"'{name}' is empty: it needs a header row and data rows.")
    # Only the base name is kept, as a label; it is never used as a path.
    return safe_file_name(name), upload.read()


def import_page(request: HttpRequest, kind: str) -> HttpResponse:
    """The Import page of either kind: GET shows the form; POST stores and queues the upload.

    Bad uploads come back to the form with their message; nothing is stored for them.
    """
    from plm.imports.jobs import submit_import

    error = None
    if request.method == "POST":
        try:
            if request_too_large(request):
                raise too_large_error()
            name, data = read_upload(request)
        except PlmError as exc:
            error = exc
        else:
            job = submit_import(
                kind=kind,
                data=data,
                file_name=name,
                as_user=request.user.get_username(),
                source="web",
                dry_run=bool(request.POST.get("dry_run")),
                all_or_nothing=kind == "licenses" and bool(request.POST.get("all_or_nothing")),
                sync_percent=_sync_percent(request) if kind == "licenses" else None,
            )
            return redirect("web:import_detail", import_id=job.pk)
    status = 413 if error and error.code == c.FILE_TOO_LARGE else 400 if error else 200
    return render(request, "web/import_form.html", {"error": error, "kind": kind}, status=status)


def _sync_percent(request: HttpRequest) -> int | None:
    """The sync threshold from the form (None when the import is not a sync)."""
    if not request.POST.get("sync"):
        return None
    try:
        return max(0, min(100, int(request.POST.get("max_revoke_percent") or 10)))
    except ValueError:
        return 10


def safe_file_name(name: str) -> str:
    """The base name of an upload, without control characters: a label, never a path."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch >= " " and ch != "\x7f")[:255] or "upload.csv"
