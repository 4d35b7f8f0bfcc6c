"""/licenses and /export (licenses.csv, person.csv)."""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from plm.api.auth import Auth, actor_of
from plm.api.errors import csv_response_doc
from plm.api.imports import import_out
from plm.api.paging import Paging, PagingQuery, page
from plm.api.schemas import ErrorOut, ImportOut, LicenseIn, LicenseOut, LicensePage, LicensePatch
from plm.app import licenses, users
from plm.core.utilization import UTILIZATION_HEADER
from plm.core.writer import LICENSES_HEADER
from plm.downloads import export_download

router = Router(tags=["licenses"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/licenses", response={200: LicensePage, **ERRORS}, auth=Auth("view"))
def list_licenses(request: HttpRequest, paging: PagingQuery) -> dict[str, object]:
    """Licenses in License ID order, with seats, assigned, available, expiry."""
    items, count, _ = page(licenses.licenses_list(actor=actor_of(request)), paging)
    return {"items": items, "count": count}


@router.get("/licenses/{license_id}", response={200: LicenseOut, **ERRORS}, auth=Auth("view"))
def get_license(request: HttpRequest, license_id: str) -> dict[str, object]:
    """One license; the License ID is URL-encoded (`ID%202024-08-01-000123`)."""
    return licenses.license_show(actor=actor_of(request), license_id=license_id)


@router.post("/licenses", response={201: LicenseOut, **ERRORS}, auth=Auth("sysadmin"))
def add_license(request: HttpRequest, payload: LicenseIn) -> Status:
    """Add a license (system administrators); 409 `license_exists` if the ID is taken."""
    lic = licenses.license_add(
        actor=actor_of(request),
        license_id=payload.license_id,
        seats=payload.seats,
        expires=payload.expires,
        name=payload.name,
    )
    return Status(201, lic)


@router.patch("/licenses/{license_id}", response={200: LicenseOut, **ERRORS}, auth=Auth("sysadmin"))
def update_license(
    request: HttpRequest, license_id: str, payload: LicensePatch
) -> dict[str, object]:
    """Change seats, expiry (null removes it) or name; 409 `seats_below_assigned`."""
    given = payload.model_fields_set
    return licenses.license_update(
        actor=actor_of(request),
        license_id=license_id,
        seats=payload.seats if "seats" in given else None,
        name=payload.name if "name" in given else None,
        expires=payload.expires if "expires" in given else licenses.UNSET,
    )


ExportFormat = Literal["csv", "xlsx"]


@router.get(
    "/export",
    response={401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    auth=Auth("view"),
    tags=["export"],
    openapi_extra=csv_response_doc("licenses.csv (licenses.xlsx with format=xlsx)", xlsx=True),
)
def export(request: HttpRequest, format: ExportFormat = "csv") -> HttpResponse:
    """licenses.csv or .xlsx, exactly as `plm export` (limited to the caller's scope)."""
    rows = licenses.licenses_export(actor=actor_of(request))
    return export_download("licenses", LICENSES_HEADER, rows, format)


@router.get(
    "/export/users",
    response={401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    auth=Auth("view"),
    tags=["export"],
    openapi_extra=csv_response_doc("person.csv (person.xlsx with format=xlsx)", xlsx=True),
)
def export_users(request: HttpRequest, format: ExportFormat = "csv") -> HttpResponse:
    """person.csv or .xlsx, exactly as `plm users export` (limited to the caller's scope)."""
    header, rows = users.users_export(actor=actor_of(request))
    return export_download("person", header, rows, format)


class UsageDay(Schema):
    date: str
    assigned: int
    peak: int
    seats: int


class UtilizationOut(Schema):
    license_id: str
    seats: int
    days: list[UsageDay]


@router.get(
    "/licenses/{license_id}/utilization",
    response={200: UtilizationOut, **ERRORS},
    auth=Auth("view"),
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def utilization(
    request: HttpRequest,
    license_id: str,
    format: Literal["json", "csv"] = "json",
) -> HttpResponse | dict[str, object]:
    """Assigned seats per day from the audit log (as `plm licenses utilization`); `format=csv`
    for Date,Assigned,Peak,Seats."""
    lic, days = licenses.license_utilization(actor=actor_of(request), license_id=license_id)
    if format == "csv":
        rows = (d.as_row() for d in days)
        return export_download(licenses.utilization_file_name(lic), UTILIZATION_HEADER, rows, "csv")
    return licenses.utilization_as_dict(lic, days)


class ReplaceIn(Schema):
    new_license_id: str
    dry_run: bool = False


@router.post(
    "/licenses/{license_id}/replace", response={200: ImportOut, **ERRORS}, auth=Auth("change")
)
def replace_license(request: HttpRequest, license_id: str, payload: ReplaceIn) -> dict[str, object]:
    """One-step renewal: every holder of this license gets `new_license_id` instead, each in one
    atomic step; recorded like an import (the import object; results at /imports/{id}/results).
    Fatal: `same_license`, `license_not_found` (status `failed`)."""
    job = licenses.license_replace(
        actor=actor_of(request), old=license_id, new=payload.new_license_id, dry_run=payload.dry_run
    )
    return import_out(job)


__all__ = ["Paging", "router"]
