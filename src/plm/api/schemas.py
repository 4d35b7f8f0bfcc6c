"""Request and response shapes (every field typed, so the OpenAPI schema documents them)."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema


class ErrorBody(Schema):
    code: str
    message: str
    details: object | None = None


class ErrorOut(Schema):
    error: ErrorBody


class LicenseOut(Schema):
    license_id: str
    name: str
    seats: int
    assigned: int
    available: int
    expires: date | None
    expired: bool
    badge: Literal["", "expired", "expiring"]


class LicenseIn(Schema):
    license_id: str = Field(examples=["ID 2024-08-01-000123"])
    seats: int = Field(ge=0)
    expires: date | None = None
    name: str = ""


class LicensePatch(Schema):
    seats: int | None = Field(default=None, ge=0)
    expires: date | None = None
    name: str | None = None


class RoleOut(Schema):
    organization: str
    role: str


class UserOut(Schema):
    username: str
    email: str
    first_name: str
    last_name: str
    active: bool
    sysadmin: bool
    kind: Literal["staff", "student"]
    roles: list[RoleOut]
    licenses: list[str]


class AssignmentOut(Schema):
    username: str
    email: str
    license_id: str
    assigned_at: datetime
    assigned_by: str
    source: str


class RowIn(Schema):
    username: str
    action: str = Field(examples=["assign"])
    license_id: str = ""


class RowOut(Schema):
    """One row's result, exactly as in `plm import --json` results."""

    row: int | None
    username: str
    action: str
    license_id: str
    outcome: Literal["applied", "unchanged", "rejected"]
    code: str
    message: str


class ImportCreated(Schema):
    id: int
    status: str


class ImportError_(Schema):
    code: str
    message: str


class ImportOut(Schema):
    id: int
    kind: str
    status: Literal[
        "queued", "running", "completed", "refused", "failed", "interrupted", "cancelled"
    ]
    dry_run: bool
    source: str
    actor: str
    file_name: str
    created_at: datetime
    finished_at: datetime | None
    rows: int
    processed: int
    applied: int
    unchanged: int
    rejected: int
    encoding: str | None = None
    sheet: str | None = None
    policy_id: int | None = None
    error: ImportError_ | None = None


class LicensePage(Schema):
    items: list[LicenseOut]
    count: int
    next: str | None = None


class UserPage(Schema):
    items: list[UserOut]
    count: int
    next: str | None = None


class AssignmentPage(Schema):
    items: list[AssignmentOut]
    count: int
    next: str | None = None


class RowPage(Schema):
    items: list[RowOut]
    count: int
    next: str | None = None


class ImportPage(Schema):
    items: list[ImportOut]
    count: int
    next: str | None = None
