"""/imports and /users/imports: upload (202), poll, results, error report, cancel, resume,
revert, apply a preview."""

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from plm.api.auth import Auth, actor_of
from plm.api.errors import csv_response_doc
from plm.api.paging import PagingQuery, page
from plm.api.schemas import ErrorOut, ImportCreated, ImportOut, ImportPage, RowPage
from plm.app import imports as uc
from plm.app.imports import Import
from plm.core.writer import ERRORS_HEADER
from plm.downloads import csv_download

router = Router(tags=["imports"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


def import_out(job: Import) -> dict[str, object]:
    """The import object of `plm imports show --json`, with `id` for `import_id`."""
    data = uc.import_as_dict(job, results=False)
    data["id"] = data.pop("import_id")
    return data


def _queued(response: HttpResponse, job: Import) -> Status:
    response["Location"] = f"/api/v1/imports/{job.pk}"
    return Status(202, {"id": job.pk, "status": job.status})


@router.post("/imports", response={202: ImportCreated, **ERRORS}, auth=Auth("change", upload=True))
def post_import(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    all_or_nothing: Form[bool] = False,
    sync: Form[bool] = False,
    max_revoke_percent: Form[int | None] = None,
    encoding: Form[str | None] = None,
    sheet: Form[str | None] = None,
) -> Status:
    """Queue a licenses.csv import (multipart field `file`): 202 with its id and a Location.

    `max_revoke_percent` (0-100, default 10) goes with `sync`. `encoding` reads a CSV in that
    encoding instead of detecting it (utf-8, cp1250, mac-roman, ...: docs/csv-format.md);
    `sheet` names the workbook sheet to read. Request errors (empty_file,
    invalid_argument) answer 422 and queue nothing; errors of the file's content
    (unreadable_file, missing_column, ...) show later as status `failed`."""
    job = uc.import_submit(
        actor=actor_of(request),
        data=file.read(),
        file_name=file.name or "upload.csv",
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        sync=sync,
        max_revoke_percent=max_revoke_percent,
        encoding=encoding,
        sheet=sheet,
    )
    return _queued(response, job)


@router.post(
    "/users/imports", response={202: ImportCreated, **ERRORS}, auth=Auth("sysadmin", upload=True)
)
def post_users_import(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    encoding: Form[str | None] = None,
    sheet: Form[str | None] = None,
) -> Status:
    """Queue a person.csv import (system administrators), like /imports."""
    job = uc.import_submit(
        actor=actor_of(request),
        kind="users",
        data=file.read(),
        file_name=file.name or "person.csv",
        dry_run=dry_run,
        encoding=encoding,
        sheet=sheet,
    )
    return _queued(response, job)


@router.get("/imports", response={200: ImportPage, **ERRORS}, auth=Auth("view"))
def list_imports(request: HttpRequest, paging: PagingQuery) -> dict[str, object]:
    """Imports visible to the caller (all for system administrators, else their own), newest first."""
    window = page(uc.imports_visible_to(actor_of(request)).order_by("-pk"), paging)
    return {
        "items": [import_out(j) for j in window.items],
        "count": window.count,
        "next": window.next,
    }


@router.get("/imports/{import_id}", response={200: ImportOut, **ERRORS}, auth=Auth("view"))
def get_import(request: HttpRequest, import_id: int) -> dict[str, object]:
    """Status and counts; poll until the status is no longer queued or running."""
    return import_out(uc.import_get(actor=actor_of(request), import_id=import_id))


@router.post(
    "/imports/{import_id}/cancel", response={200: ImportOut, **ERRORS}, auth=Auth("change")
)
def cancel_import(request: HttpRequest, import_id: int) -> dict[str, object]:
    """Cancel a queued import, or stop a running one after its current batch (409 otherwise)."""
    return import_out(uc.import_cancel(actor=actor_of(request), import_id=import_id))


@router.post(
    "/imports/{import_id}/resume", response={200: ImportOut, **ERRORS}, auth=Auth("change")
)
def resume_import(request: HttpRequest, import_id: int) -> dict[str, object]:
    """Queue an interrupted import again; it continues after its last committed row."""
    return import_out(uc.import_resume_queued(actor=actor_of(request), import_id=import_id))


@router.post(
    "/imports/{import_id}/apply", response={202: ImportCreated, **ERRORS}, auth=Auth("change")
)
def apply_preview(request: HttpRequest, response: HttpResponse, import_id: int) -> Status:
    """Queue a finished preview's stored file again as a real run, with the same options."""
    return _queued(response, uc.import_apply_preview(actor=actor_of(request), import_id=import_id))


class RevertIn(Schema):
    dry_run: bool = False


@router.post(
    "/imports/{import_id}/revert", response={200: ImportOut, **ERRORS}, auth=Auth("change")
)
def revert_import(request: HttpRequest, import_id: int, payload: RevertIn) -> dict[str, object]:
    """Undo a visible import's applied changes (see plm imports revert); answers the revert's
    own import object. 404 import_not_found, 409 not_revertible."""
    job = uc.import_revert(actor=actor_of(request), import_id=import_id, dry_run=payload.dry_run)
    return import_out(job)


@router.get("/imports/{import_id}/results", response={200: RowPage, **ERRORS}, auth=Auth("view"))
def import_results(
    request: HttpRequest, import_id: int, paging: PagingQuery, outcome: str | None = None
) -> dict[str, object]:
    """Per-row results, the same objects as `plm import --json`; filter by outcome."""
    _, rows = uc.import_results(actor=actor_of(request), import_id=import_id, outcome=outcome)
    window = page(rows, paging)
    return {
        "items": list(uc.result_dicts(window.items)),
        "count": window.count,
        "next": window.next,
    }


@router.get(
    "/imports/{import_id}/errors.csv",
    response=ERRORS,
    auth=Auth("view"),
    openapi_extra=csv_response_doc("The rejected rows as CSV"),
)
def import_errors(request: HttpRequest, import_id: int) -> HttpResponse:
    """The rejected rows as CSV (`Username,Action,License ID,Row,Error Code,Error`)."""
    job, rows = uc.import_error_report(actor=actor_of(request), import_id=import_id)
    return csv_download(f"import-{job.pk}-errors.csv", ERRORS_HEADER, rows)
