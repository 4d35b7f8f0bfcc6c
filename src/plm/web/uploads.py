"""Taking an uploaded file safely: size checked before it is read, nothing stored on bad input."""

from django.conf import settings
from django.http import HttpRequest

from plm.core import codes as c
from plm.core.codes import PlmError

_REFUSED_TYPES = (".xlsx", ".xls", ".zip", ".pdf", ".doc", ".docx", ".ods", ".numbers")


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
        raise PlmError(c.INVALID_ARGUMENT, "Choose a CSV file to import.")
    name = upload.name or "upload.csv"
    if name.lower().endswith(_REFUSED_TYPES):
        raise PlmError(
            c.UNREADABLE_FILE,
            f"'{name}' is not a CSV file: save it from your "
            "spreadsheet as CSV (UTF-8) and choose that file.",
        )
    if upload.size is not None and upload.size > settings.PLM_MAX_IMPORT_BYTES:
        raise too_large_error()
    if not upload.size:
        raise PlmError(c.EMPTY_FILE, f"'{name}' is empty: it needs a header row and data rows.")
    # Only the base name is kept, as a label; it is never used as a path.
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255], upload.read()
