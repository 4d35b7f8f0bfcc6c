"""The one error/outcome vocabulary shared by CLI, web and API (documented in docs/csv-format.md)."""

from enum import StrEnum


class Outcome(StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class Status(StrEnum):
    """The status set shared by imports from every face."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    REFUSED = "refused"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    CANCELLED = "cancelled"


# Applied codes
ASSIGNED = "assigned"
REVOKED = "revoked"
CREATED = "created"
UPDATED = "updated"
REPLACED = "replaced"
REVOKED_BY_SYNC = "revoked_by_sync"
REVOKED_NOT_ELIGIBLE = "revoked_not_eligible"

# Unchanged codes
ALREADY_ASSIGNED = "already_assigned"
ALREADY_LICENSED = "already_licensed"
NOT_ASSIGNED = "not_assigned"
NOTHING_TO_REVOKE = "nothing_to_revoke"
UNCHANGED = "unchanged"

# Row errors (license import), in the order they are checked
MISSING_USERNAME = "missing_username"
INVALID_ACTION = "invalid_action"
MISSING_LICENSE_ID = "missing_license_id"
INVALID_LICENSE_ID = "invalid_license_id"
USER_NOT_FOUND = "user_not_found"
USER_AMBIGUOUS = "user_ambiguous"
LICENSE_NOT_FOUND = "license_not_found"
OUT_OF_SCOPE = "out_of_scope"
USER_INACTIVE = "user_inactive"
NOT_ACADEMIC_STAFF = "not_academic_staff"
LICENSE_EXPIRED = "license_expired"
NO_SEAT_AVAILABLE = "no_seat_available"
NO_LICENSE_AVAILABLE = "no_license_available"

# Row errors (users import)
ORG_NOT_FOUND = "org_not_found"
INVALID_ROLE = "invalid_role"
EMAIL_CONFLICT = "email_conflict"
INVALID_ACTIVE = "invalid_active"
INVALID_EMAIL = "invalid_email"
VALUE_TOO_LONG = "value_too_long"

# Fatal file errors
EMPTY_FILE = "empty_file"
UNREADABLE_FILE = "unreadable_file"
FILE_TOO_LARGE = "file_too_large"
MALFORMED_CSV = "malformed_csv"
MALFORMED_XLSX = "malformed_xlsx"
UNKNOWN_ENCODING = "unknown_encoding"
SHEET_NOT_FOUND = "sheet_not_found"
MISSING_COLUMN = "missing_column"
PERMISSION_DENIED = "permission_denied"

# Command errors (licenses, organizations, users)
LICENSE_EXISTS = "license_exists"
SEATS_BELOW_ASSIGNED = "seats_below_assigned"
LICENSE_IN_USE = "license_in_use"
INVALID_SEATS = "invalid_seats"
ORG_EXISTS = "org_exists"
IMPORT_NOT_FOUND = "import_not_found"
NOT_CANCELLABLE = "not_cancellable"
NOT_RESUMABLE = "not_resumable"
SAME_LICENSE = "same_license"
NOT_REVERTIBLE = "not_revertible"
NOT_A_PREVIEW = "not_a_preview"
CHANGED_SINCE = "changed_since"
NOT_ALLOWED_IN_SYNC = "not_allowed_in_sync"
CHANGE_THRESHOLD_EXCEEDED = "change_threshold_exceeded"
POLICY_NOT_FOUND = "policy_not_found"
POLICY_EXISTS = "policy_exists"
FILE_MISMATCH = "file_mismatch"
TOKEN_NOT_FOUND = "token_not_found"
NOT_FOUND = "not_found"
UNAUTHORIZED = "unauthorized"
INVALID_REQUEST = "invalid_request"
METHOD_NOT_ALLOWED = "method_not_allowed"
SCHEMA_MISSING = "schema_missing"
INVALID_ARGUMENT = "invalid_argument"
INTERNAL_ERROR = "internal_error"


class PlmError(Exception):
    """A fault the user can fix: carries a code from the vocabulary and a message saying what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class FatalFileError(PlmError):
    """The whole file is refused before anything changes (unreadable, missing column, too big...)."""
