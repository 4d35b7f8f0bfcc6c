"""/imports and /users/imports: upload (202), poll, results, error report, cancel."""

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from plm.api.auth import Auth, access_of, username_of
from plm.api.errors import ApiError, csv_response_doc, not_found
from plm.api.paging import PagingQuery, page
from plm.api.schemas import ErrorOut, ImportCreated, ImportOut, ImportPage, RowPage
from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.writer import ERRORS_HEADER
from plm.imports.jobs import submit_import
from plm.imports.models import Import, ImportRow
from plm.imports.records import RESULT_FIELDS, error_report_rows, job_as_dict, job_cancel
from plm.web.csv_response import csv_download
from plm.web.uploads import safe_file_name

router = Router(tags=["imports"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut}


def import_out(job: Import) -> dict[str, object]:
    """The import object of `plm imports show --json`, with `id` for `import_id`."""
    data = job_as_dict(job, results=False)
    data["id"] = data.pop("import_id")
    return data


def _visible(request: HttpRequest):  # type: ignore[no-untyped-def]
    if access_of(request).is_sysadmin:
        return Import.objects.all()
    return Import.objects.filter(as_user=username_of(request))


def _job(request: HttpRequest, import_id: int) -> Import:
    job = _visible(request).filter(pk=import_id).first()
    if job is None:
        raise not_found(request, f"Import {import_id}")
    return job


def _submit(
    request: HttpRequest,
    response: HttpResponse,
    kind: str,
    file: UploadedFile,
    dry_run: bool,
    all_or_nothing: bool,
    sync_percent: int | None,
) -> Status:
    from django.conf import settings

    if file.size is not None and file.size > settings.PLM_MAX_IMPORT_BYTES:
        raise ApiError(413, c.FILE_TOO_LARGE, "The file is larger than the import size limit.")
    name = safe_file_name(file.name or "upload.csv")
    job = submit_import(
        kind=kind,
        data=file.read(),
        file_name=name,
        as_user=username_of(request),
        source="api",
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        sync_percent=sync_percent,
    )
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
    max_revoke_percent: int = Form(10, ge=0, le=100),  # type: ignore[assignment]
) -> Status:
    """Queue a licenses.csv import (multipart field `file`): 202 with its id and a Location.

    Fatal file errors (unreadable_file, missing_column, ...) show later as status `failed`."""
    return _submit(
        request,
        response,
        "licenses",
        file,
        dry_run,
        all_or_nothing,
        max_revoke_percent if sync else None,
    )


@router.post(
    "/users/imports", response={202: ImportCreated, **ERRORS}, auth=Auth("sysadmin", upload=True)
)
def post_users_import(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
) -> Status:
    """Queue a person.csv import (system administrators), like /imports."""
    return _submit(request, response, "users", file, dry_run, False, None)


@router.get("/imports", response={200: ImportPage, **ERRORS}, auth=Auth("view"))
def list_imports(request: HttpRequest, paging: PagingQuery) -> dict[str, object]:
    """Imports visible to the caller (all for system administrators, else their own), newest first."""
    items, count = page(_visible(request).order_by("-pk"), paging)
    return {"items": [import_out(j) for j in items], "count": count}


@router.get("/imports/{import_id}", response={200: ImportOut, **ERRORS}, auth=Auth("view"))
def get_import(request: HttpRequest, import_id: int) -> dict[str, object]:
    """Status and counts; poll until the status is no longer queued or running."""
    return import_out(_job(request, import_id))


@router.post(
    "/imports/{import_id}/cancel",
    response={200: ImportOut, 409: ErrorOut, **ERRORS},
    auth=Auth("change"),
)
def cancel_import(request: HttpRequest, import_id: int) -> dict[str, object]:
    """Cancel a queued import, or stop a running one after its current batch (409 otherwise)."""
    return import_out(job_cancel(_job(request, import_id)))


class RevertIn(Schema):
    dry_run: bool = False


@router.post(
    "/imports/{import_id}/revert", response={200: ImportOut, **ERRORS}, auth=Auth("change")
)
def revert_import(request: HttpRequest, import_id: int, payload: RevertIn) -> dict[str, object]:
    """Undo an import's applied changes (see plm imports revert); answers the revert's own
    import object. Fatal (status failed): import_not_found, not_revertible."""
    from plm.licensing.revert import run_revert

    return import_out(
        run_revert(
            import_id=import_id,
            actor_name=username_of(request),
            source="api",
            dry_run=payload.dry_run,
        )
    )


@router.get("/imports/{import_id}/results", response={200: RowPage, **ERRORS}, auth=Auth("view"))
def import_results(
    request: HttpRequest, import_id: int, paging: PagingQuery, outcome: str | None = None
) -> dict[str, object]:
    """Per-row results, the same objects as `plm import --json`; filter by outcome."""
    job = _job(request, import_id)
    rows = ImportRow.objects.filter(job=job).order_by("seq")
    if outcome:
        if outcome not in ("applied", "unchanged", "rejected"):
            raise PlmError(c.INVALID_ARGUMENT, "outcome must be applied, unchanged or rejected.")
        rows = rows.filter(outcome=outcome)
    items, count = page(rows, paging)
    return {
        "items": [
            dict(zip(RESULT_FIELDS, values, strict=True))
            for values in items.values_list(*RESULT_FIELDS)
        ],
        "count": count,
    }


@router.get(
    "/imports/{import_id}/errors.csv",
    response=ERRORS,
    auth=Auth("view"),
    openapi_extra=csv_response_doc("The rejected rows as CSV"),
)
def import_errors(request: HttpRequest, import_id: int) -> HttpResponse:
    """The rejected rows as CSV (`Username,Action,License ID,Row,Error Code,Error`)."""
    job = _job(request, import_id)
    return csv_download(f"import-{job.pk}-errors.csv", ERRORS_HEADER, error_report_rows(job))
