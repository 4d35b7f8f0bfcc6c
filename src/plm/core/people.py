"""person.csv: the users file (User-Name, Email, ..., Organization-Name-N, Organization-Role-Name-N).

Validation and diffing of one user row are pure; looking up organizations and e-mail owners is
the caller's (it passes what it found).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from plm.core import codes as c
from plm.core.codes import Outcome
from plm.core.reader import Layout, Record, header_key
from plm.core.results import RowResult

ROLES = ("Administrator", "License Manager", "Scheduler", "A/V Technician", "Academic Staff")
ACADEMIC_STAFF = "Academic Staff"
ADMINISTRATOR = "Administrator"
LICENSE_MANAGER = "License Manager"
_ROLE_BY_KEY = {header_key(role): role for role in ROLES}

USERNAME_KEY = header_key("User-Name")
EMAIL_KEY = header_key("Email")
FIRST_KEY = header_key("First-Name")
LAST_KEY = header_key("Last-Name")
ACTIVE_KEY = header_key("Active")
_PAIR = re.compile(r"^organization(role)?name(\d+)$")
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

Role = tuple[str, str]
"""(organization name, role name) as written in the file."""


def person_header(pairs: int) -> list[str]:
    header = ["User-Name", "Email", "First-Name", "Last-Name", "Active"]
    for n in range(1, pairs + 1):
        header += [f"Organization-Name-{n}", f"Organization-Role-Name-{n}"]
    return header


def pair_numbers(layout: Layout) -> list[int]:
    """The N of every Organization-Name-N / Organization-Role-Name-N column present, sorted."""
    numbers = set()
    for key in layout.columns:
        match = _PAIR.match(key)
        if match:
            numbers.add(int(match.group(2)))
    return sorted(numbers)


@lru_cache(maxsize=256)
def role_name(raw: str) -> str | None:
    """The canonical role name for a cell, ignoring case, spaces, `_`, `-`; None if unknown."""
    return _ROLE_BY_KEY.get(header_key(raw))


@dataclass(frozen=True)
class PersonRow:
    """A user row: None for a field means its column is absent (leave the field as it is)."""

    row: int
    username: str
    email: str | None
    first_name: str | None
    last_name: str | None
    active: bool | None
    roles: tuple[Role, ...] | None


@dataclass(frozen=True)
class PersonState:
    """A user as stored (roles as canonical (organization name, role) pairs)."""

    pk: int | None
    username: str
    email: str
    first_name: str
    last_name: str
    active: bool
    roles: frozenset[Role]


def _reject(row: int, username: str, code: str, message: str) -> RowResult:
    return RowResult(row, username, "", "", Outcome.REJECTED, code, message)


@dataclass(frozen=True)
class PersonColumns:
    """Where each person.csv field is in a file (None: the column is absent), found once."""

    username: int
    email: int | None
    first_name: int | None
    last_name: int | None
    active: int | None
    pairs: tuple[tuple[int, int | None, int | None], ...]
    """(N, Organization-Name-N index, Organization-Role-Name-N index)."""

    @classmethod
    def of(cls, layout: Layout) -> "PersonColumns":
        col = layout.columns.get
        return cls(
            layout.columns[USERNAME_KEY],
            col(EMAIL_KEY),
            col(FIRST_KEY),
            col(LAST_KEY),
            col(ACTIVE_KEY),
            tuple(
                (n, col(f"organizationname{n}"), col(f"organizationrolename{n}"))
                for n in pair_numbers(layout)
            ),
        )


def _cell(cells: tuple[str, ...], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def parse_person(record: Record, cols: PersonColumns) -> PersonRow | RowResult:
    """Read one person.csv record into a PersonRow, or the first error in it."""
    cells, row = record.cells, record.row
    username = _cell(cells, cols.username)
    if not username:
        return _reject(
            row,
            username,
            c.MISSING_USERNAME,
            "The User-Name cell is empty: every user needs a user name.",
        )
    email = None if cols.email is None else _cell(cells, cols.email)
    if email and not _EMAIL.match(email):
        return _reject(
            row,
            username,
            c.INVALID_EMAIL,
            f"Email '{email}' is not an e-mail address (name@domain).",
        )
    active: bool | None = None
    if cols.active is not None:
        raw_active = _cell(cells, cols.active)
        text = raw_active.casefold()
        if text in _TRUE or text == "":
            active = True
        elif text in _FALSE:
            active = False
        else:
            return _reject(
                row,
                username,
                c.INVALID_ACTIVE,
                f"Active '{raw_active}' is not valid: use yes or no.",
            )
    roles: list[Role] | None = None
    if cols.pairs:
        roles = []
        for n, org_index, role_index in cols.pairs:
            org, role = _cell(cells, org_index), _cell(cells, role_index)
            if not org and not role:
                continue
            if not role:
                return _reject(
                    row,
                    username,
                    c.INVALID_ROLE,
                    f"Organization-Name-{n} '{org}' has no role in "
                    f"Organization-Role-Name-{n}: add one of {', '.join(ROLES)}.",
                )
            if not org:
                return _reject(
                    row,
                    username,
                    c.ORG_NOT_FOUND,
                    f"Organization-Role-Name-{n} '{role}' has no organization in "
                    f"Organization-Name-{n}.",
                )
            canonical = role_name(role)
            if canonical is None:
                return _reject(
                    row,
                    username,
                    c.INVALID_ROLE,
                    f"Organization-Role-Name-{n} '{role}' is not a role: use one of "
                    f"{', '.join(ROLES)}.",
                )
            roles.append((org, canonical))
    return PersonRow(
        row,
        username,
        email,
        None if cols.first_name is None else _cell(cells, cols.first_name),
        None if cols.last_name is None else _cell(cells, cols.last_name),
        active,
        None if roles is None else tuple(roles),
    )


@dataclass(frozen=True)
class PersonDecision:
    result: RowResult
    state: PersonState | None = None
    """The user as it should be stored (None when rejected or unchanged)."""


def decide_person(
    row: PersonRow,
    current: PersonState | None,
    org_names: Mapping[str, str],
    email_owner: str | None,
) -> PersonDecision:
    """Diff a row against the stored user.

    `org_names` maps casefolded organization names to their stored spelling; `email_owner` is the
    casefolded user name of the user who already has this row's email, if any.
    """
    roles: frozenset[Role] | None = None
    if row.roles is not None:
        resolved = []
        for org, role in row.roles:
            stored = org_names.get(org.casefold())
            if stored is None:
                return PersonDecision(
                    _reject(
                        row.row,
                        row.username,
                        c.ORG_NOT_FOUND,
                        f"Organization '{org}' does not exist: add it first "
                        "(plm orgs add) or fix the name.",
                    )
                )
            resolved.append((stored, role))
        roles = frozenset(resolved)
    if row.email and email_owner is not None and email_owner != row.username.casefold():
        return PersonDecision(
            _reject(
                row.row,
                row.username,
                c.EMAIL_CONFLICT,
                f"Email '{row.email}' already belongs to user "
                f"'{email_owner}': each email identifies one user.",
            )
        )
    base = current or PersonState(None, row.username, "", "", "", True, frozenset())
    wanted = PersonState(
        base.pk,
        base.username if current else row.username,
        base.email if row.email is None else row.email,
        base.first_name if row.first_name is None else row.first_name,
        base.last_name if row.last_name is None else row.last_name,
        base.active if row.active is None else row.active,
        base.roles if roles is None else roles,
    )
    if current is None:
        return PersonDecision(
            RowResult(
                row.row,
                row.username,
                "",
                "",
                Outcome.APPLIED,
                c.CREATED,
                f"Created user '{row.username}'.",
            ),
            wanted,
        )
    if wanted == current:
        return PersonDecision(
            RowResult(
                row.row,
                row.username,
                "",
                "",
                Outcome.UNCHANGED,
                c.UNCHANGED,
                f"User '{current.username}' is unchanged.",
            )
        )
    return PersonDecision(
        RowResult(
            row.row,
            row.username,
            "",
            "",
            Outcome.APPLIED,
            c.UPDATED,
            f"Updated user '{current.username}'.",
        ),
        wanted,
    )
