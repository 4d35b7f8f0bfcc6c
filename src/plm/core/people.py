"""person.csv: the users file (User-Name, Email, ..., Organization-Name-N, Organization-Role-Name-N).

Validation and diffing of one user row are pure; looking up organizations and e-mail owners is
the caller's (it passes what it found).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from plm.core import codes as c
from plm.core.codes import Outcome
from plm.core.reader import Layout, Record, header_key
from plm.core.results import RowResult
from plm.core.text import fold

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

# The longest value each field may have: the columns of plm.directory.models.User (the
# casefolded copies that make user name and email unique must fit too).
MAX_LENGTHS = {"User-Name": 150, "Email": 254, "First-Name": 150, "Last-Name": 150}

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


def _role_name(raw: str) -> str | None:
    """The canonical role name for a cell, ignoring case, spaces, `_`, `-`; None if unknown."""
    return _ROLE_BY_KEY.get(header_key(raw))


# Cached: every record repeats a few role names. Wrapped rather than decorated so that
# mutation testing (mutmut skips decorated functions) reaches the body.
role_name = lru_cache(maxsize=256)(_role_name)


class PersonRow(NamedTuple):
    """A user row: None for a field means its column is absent (leave the field as it is)."""

    row: int
    username: str
    email: str | None
    first_name: str | None
    last_name: str | None
    active: bool | None
    roles: tuple[Role, ...] | None


class PersonState(NamedTuple):
    """A user as stored (roles as canonical (organization name, role) pairs)."""

    pk: int | None
    username: str
    email: str
    first_name: str
    last_name: str
    active: bool
    roles: frozenset[Role]


_NO_ROLES: frozenset[Role] = frozenset()


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
    width: int = 0
    """One more than the highest index above: shorter records are padded to it."""

    @classmethod
    def of(cls, layout: Layout) -> "PersonColumns":
        col = layout.columns.get
        pairs = tuple(
            (n, col(f"organizationname{n}"), col(f"organizationrolename{n}"))
            for n in pair_numbers(layout)
        )
        known = [col(k) for k in (USERNAME_KEY, EMAIL_KEY, FIRST_KEY, LAST_KEY, ACTIVE_KEY)]
        known += [i for _, org, role in pairs for i in (org, role)]
        return cls(
            layout.columns[USERNAME_KEY],
            col(EMAIL_KEY),
            col(FIRST_KEY),
            col(LAST_KEY),
            col(ACTIVE_KEY),
            pairs,
            max(i for i in known if i is not None) + 1,
        )


def _cell(cells: tuple[str, ...], index: int | None) -> str:
    return "" if index is None else cells[index]


def parse_person(record: Record, cols: PersonColumns) -> PersonRow | RowResult:
    """Read one person.csv record into a PersonRow, or the first error in it."""
    cells, row = record.cells, record.row
    if len(cells) < cols.width:  # trailing empty cells may be left out: pad once
        cells = cells + ("",) * (cols.width - len(cells))
    username = cells[cols.username]
    if not username:
        return _reject(
            row,
            username,
            c.MISSING_USERNAME,
            "The User-Name cell is empty: every user needs a user name.",
        )
    email = None if cols.email is None else cells[cols.email]
    first_name = None if cols.first_name is None else cells[cols.first_name]
    last_name = None if cols.last_name is None else cells[cols.last_name]
    for column, value in (
        ("User-Name", username),
        ("Email", email),
        ("First-Name", first_name),
        ("Last-Name", last_name),
    ):
        if value and len(value.casefold()) > MAX_LENGTHS[column]:
            return _reject(
                row,
                username,
                c.VALUE_TOO_LONG,
                f"Row {row}: {column} is {len(value)} characters long "
                f"(at most {MAX_LENGTHS[column]}): shorten it.",
            )
    if email and not _EMAIL.match(email):
        return _reject(
            row,
            username,
            c.INVALID_EMAIL,
            f"Email '{email}' is not an e-mail address (name@domain).",
        )
    active: bool | None = None
    if cols.active is not None:
        raw_active = cells[cols.active]
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
        first_name,
        last_name,
        active,
        None if roles is None else tuple(roles),
    )


class PersonDecision(NamedTuple):
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
            stored = org_names.get(fold(org))
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
    if row.email and email_owner is not None and email_owner != fold(row.username):
        return PersonDecision(
            _reject(
                row.row,
                row.username,
                c.EMAIL_CONFLICT,
                f"Email '{row.email}' already belongs to user "
                f"'{email_owner}': each email identifies one user.",
            )
        )
    if current is None:  # absent columns take the defaults of a new user
        wanted = PersonState(
            None,
            row.username,
            row.email or "",
            row.first_name or "",
            row.last_name or "",
            True if row.active is None else row.active,
            _NO_ROLES if roles is None else roles,
        )
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
    wanted = PersonState(
        current.pk,
        current.username,
        current.email if row.email is None else row.email,
        current.first_name if row.first_name is None else row.first_name,
        current.last_name if row.last_name is None else row.last_name,
        current.active if row.active is None else row.active,
        current.roles if roles is None else roles,
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
