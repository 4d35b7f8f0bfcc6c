"""The floor: the same work as `plm import` / `plm users import` / `plm export`, written with the
standard library (csv + sqlite3, or psycopg for PostgreSQL) and nothing wasted: everything
preloaded into dicts, the rules applied in memory in file order, then the net changes, one audit
row per change and one result row per input row written with executemany in one transaction.

The minimal floor (`import-minimal`) does the same work and writes the same information
(assignments; one audit row per change with actor, source, import and row; one result row per
input row with user name, action, License ID, outcome, code and message) into tables of its own
with only the keys that work needs (`minimal-schema` creates them): what the work costs when the
schema costs nothing beyond it.

Usage: python -m benchmarks.floor import|import-minimal|users|export DATABASE_URL FILE
       python -m benchmarks.floor minimal-schema DATABASE_URL
"""

import csv
import re
import sys
from datetime import UTC, date, datetime

_ID = re.compile(r"^(?:id)\s*(\d{4})-(\d{2})-(\d{2})-(\d{6})$", re.IGNORECASE)


def connect(url: str):  # type: ignore[no-untyped-def]
    if url.startswith("sqlite:"):
        import sqlite3

        conn = sqlite3.connect(url.split(":///", 1)[1])
        return conn, "?"
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1)), "%s"


def sql(text: str, mark: str) -> str:
    return text.replace("?", mark)


# The messages PLM writes for each code (the same information in each result row).
MESSAGES = {
    "assigned": "Assigned {lid} to '{u}'.",
    "revoked": "Revoked {lid} from '{u}'.",
    "already_assigned": "'{u}' already holds {lid}.",
    "already_licensed": "'{u}' already holds a license.",
    "not_assigned": "'{u}' does not hold {lid}.",
    "nothing_to_revoke": "'{u}' holds no license.",
    "user_inactive": "User '{u}' is inactive and cannot receive a license.",
    "not_academic_staff": "User '{u}' does not have the Academic Staff role; only Academic Staff "
    "can hold a Personal Capture license.",
    "license_expired": "License {lid} expired.",
    "no_seat_available": "License {lid} has no free seat: revoke a seat or use another license.",
    "no_license_available": "No license has a free seat: add seats or revoke some first.",
    "user_not_found": "No user has the email or user name '{u}': check the Username column "
    "against the Users export (person.csv).",
    "license_not_found": "License {lid} does not exist.",
    "invalid_license_id": "'{lid}' is not a License ID.",
    "invalid_action": "Action '{a}' is not one of assign, autoassign, revoke, revokeall.",
}


def with_messages(results: list[tuple]) -> list[tuple]:  # type: ignore[type-arg]
    fmt = {code: text.format for code, text in MESSAGES.items()}
    return [
        (n, u, a, lid, outcome, code, fmt[code](u=u, lid=lid, a=a))
        for n, u, a, lid, outcome, code, _ in results
    ]


def floor_import(url: str, path: str) -> None:
    """The same-table floor: PLM's own tables and their indexes."""
    conn, m = connect(url)
    cur = conn.cursor()
    now = datetime.now(UTC)
    cur.execute("SELECT user_id, license_id FROM licensing_assignment")
    initial, final, used, audit, results = decide(cur, path, cur.fetchall())
    write_same_tables(conn, cur, m, now, initial, final, used, audit, results)


def decide(cur, path: str, holdings: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    """The rules in memory, in file order: (initial, final holdings, seats used, audit rows,
    result rows)."""
    today = date.today()
    users: dict[str, list[int]] = {}
    active: dict[int, bool] = {}
    names: dict[int, str] = {}
    cur.execute("SELECT id, username, username_key, email_key, is_active FROM directory_user")
    for pk, username, ukey, ekey, is_active in cur.fetchall():
        names[pk] = username
        active[pk] = bool(is_active)
        users.setdefault(ukey, []).append(pk)
        if ekey and ekey != ukey:
            users.setdefault(ekey, []).append(pk)
    cur.execute("SELECT DISTINCT user_id FROM directory_rolegrant WHERE role = 'Academic Staff'")
    staff = {row[0] for row in cur.fetchall()}
    cur.execute(
        "SELECT id, license_id, seats, assigned, expires FROM licensing_license ORDER BY license_id"
    )
    licenses = {}
    used = {}
    order = []
    for pk, lid, seats, assigned, expires in cur.fetchall():
        if isinstance(expires, str):
            expires = date.fromisoformat(expires)
        licenses[lid] = (pk, seats, expires)
        used[pk] = assigned
        order.append((lid, pk, seats, expires))
    lid_of = {pk: lid for lid, (pk, _, _) in licenses.items()}
    held: dict[int, set[int]] = {}
    for u, lic in holdings:
        held.setdefault(u, set()).add(lic)
    initial = {(u, lic) for u, ls in held.items() for lic in ls}

    results = []
    audit = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader)
        for n, cells in enumerate(reader, start=2):
            username, action, raw_id = ([*cells, "", "", ""])[:3]
            username, action, raw_id = username.strip(), action.strip().lower(), raw_id.strip()
            lid = ""
            if action in ("assign", "revoke"):
                match = _ID.match(raw_id)
                lid = (
                    f"ID {match.group(1)}-{match.group(2)}-{match.group(3)}-{match.group(4)}"
                    if match
                    else ""
                )
                if not match:
                    results.append(
                        (n, username, action, raw_id, "rejected", "invalid_license_id", "")
                    )
                    continue
            found = users.get(username.casefold(), [])
            if not found:
                results.append((n, username, action, lid, "rejected", "user_not_found", ""))
                continue
            u = found[0]
            mine = held.setdefault(u, set())
            if action == "assign":
                if lid not in licenses:
                    results.append((n, username, action, lid, "rejected", "license_not_found", ""))
                    continue
                pk, seats, expires = licenses[lid]
                if pk in mine:
                    code = ("unchanged", "already_assigned")
                elif not active[u]:
                    code = ("rejected", "user_inactive")
                elif u not in staff:
                    code = ("rejected", "not_academic_staff")
                elif expires is not None and expires < today:
                    code = ("rejected", "license_expired")
                elif used[pk] >= seats:
                    code = ("rejected", "no_seat_available")
                else:
                    mine.add(pk)
                    used[pk] += 1
                    audit.append((n, "assign", names[u], lid))
                    code = ("applied", "assigned")
                results.append((n, username, action, lid, *code, ""))
            elif action == "autoassign":
                if any(
                    lid_of[p]
                    and (licenses[lid_of[p]][2] is None or licenses[lid_of[p]][2] >= today)
                    for p in mine
                ):
                    results.append((n, username, action, "", "unchanged", "already_licensed", ""))
                elif not active[u]:
                    results.append((n, username, action, "", "rejected", "user_inactive", ""))
                elif u not in staff:
                    results.append((n, username, action, "", "rejected", "not_academic_staff", ""))
                else:
                    chosen = next(
                        (o for o in order if (o[3] is None or o[3] >= today) and used[o[1]] < o[2]),
                        None,
                    )
                    if chosen is None:
                        results.append(
                            (n, username, action, "", "rejected", "no_license_available", "")
                        )
                    else:
                        mine.add(chosen[1])
                        used[chosen[1]] += 1
                        audit.append((n, "assign", names[u], chosen[0]))
                        results.append((n, username, action, chosen[0], "applied", "assigned", ""))
            elif action == "revoke":
                if lid not in licenses:
                    results.append((n, username, action, lid, "rejected", "license_not_found", ""))
                    continue
                pk = licenses[lid][0]
                if pk in mine:
                    mine.discard(pk)
                    used[pk] -= 1
                    audit.append((n, "revoke", names[u], lid))
                    results.append((n, username, action, lid, "applied", "revoked", ""))
                else:
                    results.append((n, username, action, lid, "unchanged", "not_assigned", ""))
            elif action == "revokeall":
                if mine:
                    for pk in mine:
                        used[pk] -= 1
                        audit.append((n, "revoke", names[u], lid_of[pk]))
                    mine.clear()
                    results.append((n, username, action, "", "applied", "revoked", ""))
                else:
                    results.append((n, username, action, "", "unchanged", "nothing_to_revoke", ""))
            else:
                results.append((n, username, action, raw_id, "rejected", "invalid_action", ""))

    final = {(u, lic) for u, ls in held.items() for lic in ls}
    return initial, final, used, audit, with_messages(results)


def write_same_tables(conn, cur, m, now, initial, final, used, audit, results) -> None:  # type: ignore[no-untyped-def]
    cur.execute(
        sql(
            "INSERT INTO imports_import (kind, source, actor, file_name, status, dry_run, "
            "all_or_nothing, rows, processed, applied, unchanged, rejected, error_code, "
            "error_message, created_at, results_purged, cancel_requested, file_sha256, attempt, "
            "lease_owner, encoding, sheet) VALUES ('licenses','cli','floor','floor.csv',"
            "'completed',?,?,?,?,0,0,0,'','',?,?,?,'',1,'','utf-8','')",
            m,
        ),
        (False, False, len(results), len(results), now, False, False),
    )
    cur.execute("SELECT MAX(id) FROM imports_import")
    job = cur.fetchone()[0]
    cur.executemany(
        sql("DELETE FROM licensing_assignment WHERE user_id = ? AND license_id = ?", m),
        sorted(initial - final),
    )
    cur.executemany(
        sql(
            "INSERT INTO licensing_assignment (user_id, license_id, assigned_at, "
            "assigned_by, source, import_id) VALUES (?, ?, ?, 'floor', 'cli', ?)",
            m,
        ),
        [(u, lic, now, job) for u, lic in sorted(final - initial)],
    )
    cur.executemany(
        sql("UPDATE licensing_license SET assigned = ? WHERE id = ?", m),
        [(count, pk) for pk, count in used.items()],
    )
    cur.executemany(
        sql(
            "INSERT INTO audit_auditevent (at, actor, source, import_id, row, action, "
            "username, license_id, detail) VALUES (?, 'floor', 'cli', ?, ?, ?, ?, ?, '')",
            m,
        ),
        [(now, job, n, a, name, lid) for n, a, name, lid in audit],
    )
    cur.executemany(
        sql(
            "INSERT INTO imports_importrow (job_id, seq, row, username, action, "
            "license_id, outcome, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            m,
        ),
        [(job, i, *r) for i, r in enumerate(results)],
    )
    conn.commit()
    conn.close()


# The minimal floor's tables: the same information, only the keys the work needs (an import's
# number; assignments unique per user and license, which the deletes look up). Audit and result
# rows have no index at all.
MINIMAL_SCHEMA = {
    "sqlite": [
        "CREATE TABLE IF NOT EXISTS min_import (id INTEGER PRIMARY KEY, source TEXT, actor TEXT, "
        "file_name TEXT, status TEXT, rows INTEGER, created_at TEXT)",
        "CREATE TABLE IF NOT EXISTS min_assignment (user_id INTEGER, license_id INTEGER, "
        "assigned_at TEXT, assigned_by TEXT, source TEXT, import_id INTEGER, "
        "PRIMARY KEY (user_id, license_id)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS min_audit (at TEXT, actor TEXT, source TEXT, "
        "import_id INTEGER, row INTEGER, action TEXT, username TEXT, license_id TEXT)",
        "CREATE TABLE IF NOT EXISTS min_result (job_id INTEGER, row INTEGER, username TEXT, "
        "action TEXT, license_id TEXT, outcome TEXT, code TEXT, message TEXT)",
    ],
    "postgres": [
        "CREATE TABLE IF NOT EXISTS min_import (id SERIAL PRIMARY KEY, source TEXT, actor TEXT, "
        "file_name TEXT, status TEXT, rows INTEGER, created_at TIMESTAMPTZ)",
        "CREATE TABLE IF NOT EXISTS min_assignment (user_id INTEGER, license_id INTEGER, "
        "assigned_at TIMESTAMPTZ, assigned_by TEXT, source TEXT, import_id INTEGER, "
        "PRIMARY KEY (user_id, license_id))",
        "CREATE TABLE IF NOT EXISTS min_audit (at TIMESTAMPTZ, actor TEXT, source TEXT, "
        "import_id INTEGER, row INTEGER, action TEXT, username TEXT, license_id TEXT)",
        "CREATE TABLE IF NOT EXISTS min_result (job_id INTEGER, row INTEGER, username TEXT, "
        "action TEXT, license_id TEXT, outcome TEXT, code TEXT, message TEXT)",
    ],
}


def minimal_schema(url: str, _path: str = "") -> None:
    """Create the minimal floor's tables (once, in the prepared database)."""
    conn, _m = connect(url)
    for statement in MINIMAL_SCHEMA["sqlite" if url.startswith("sqlite:") else "postgres"]:
        conn.execute(statement)
    conn.commit()
    conn.close()


def floor_minimal(url: str, path: str) -> None:
    """The minimal floor: the same work and information into the tables above; executemany
    on SQLite, COPY on PostgreSQL."""
    conn, m = connect(url)
    cur = conn.cursor()
    now = datetime.now(UTC)
    cur.execute("SELECT user_id, license_id FROM min_assignment")
    initial, final, used, audit, results = decide(cur, path, cur.fetchall())
    cur.execute(
        sql(
            "INSERT INTO min_import (source, actor, file_name, status, rows, created_at) "
            "VALUES ('cli', 'floor', 'floor.csv', 'completed', ?, ?)",
            m,
        ),
        (len(results), now),
    )
    cur.execute("SELECT MAX(id) FROM min_import")
    job = cur.fetchone()[0]
    cur.executemany(
        sql("DELETE FROM min_assignment WHERE user_id = ? AND license_id = ?", m),
        sorted(initial - final),
    )
    cur.executemany(
        sql("UPDATE licensing_license SET assigned = ? WHERE id = ?", m),
        [(count, pk) for pk, count in used.items()],
    )
    assignments = [(u, lic, now, "floor", "cli", job) for u, lic in sorted(final - initial)]
    audit_rows = [(now, "floor", "cli", job, n, a, name, lid) for n, a, name, lid in audit]
    result_rows = [(job, *r) for r in results]
    tables = [
        ("min_assignment", assignments),
        ("min_audit", audit_rows),
        ("min_result", result_rows),
    ]
    for table, rows in tables:
        if m == "?":
            marks = ", ".join("?" * len(rows[0])) if rows else ""
            cur.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        else:
            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    conn.commit()
    conn.close()


def floor_users(url: str, path: str) -> None:
    """The users import's floor: the same users and roles, and the same information PLM keeps
    about the run (an import record, one audit event and one result row per user)."""
    conn, m = connect(url)
    cur = conn.cursor()
    now = datetime.now(UTC)
    cur.execute("SELECT name_key, id, name FROM directory_organization")
    orgs = {key: (pk, name) for key, pk, name in cur.fetchall()}
    users = []
    roles = []
    audit = []
    results = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader)
        for n, (username, email, first, last, is_active, org, role) in enumerate(reader, 2):
            active = is_active == "yes"
            users.append(
                (
                    username,
                    username.casefold(),
                    email,
                    email.casefold() or None,
                    first,
                    last,
                    active,
                    "!",
                    False,
                    now,
                )
            )
            org_pk, org_name = orgs[org.casefold()]
            roles.append((username.casefold(), org_pk, role))
            detail = f"email={email!r} active={active} roles=[{role} @ {org_name}]"
            audit.append((n, username, detail))
            results.append((n, username, "applied", "created", f"Created user '{username}'."))
    cur.execute(
        sql(
            "INSERT INTO imports_import (kind, source, actor, file_name, status, dry_run, "
            "all_or_nothing, rows, processed, applied, unchanged, rejected, error_code, "
            "error_message, created_at, results_purged, cancel_requested, file_sha256, attempt, "
            "lease_owner, encoding, sheet) VALUES ('users','cli','floor','person.csv',"
            "'completed',?,?,?,?,0,0,0,'','',?,?,?,'',1,'','utf-8','')",
            m,
        ),
        (False, False, len(results), len(results), now, False, False),
    )
    cur.execute("SELECT MAX(id) FROM imports_import")
    job = cur.fetchone()[0]
    cur.executemany(
        sql(
            "INSERT INTO directory_user (username, username_key, email, email_key, "
            "first_name, last_name, is_active, password, is_superuser, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            m,
        ),
        users,
    )
    cur.execute("SELECT username_key, id FROM directory_user")
    ids = dict(cur.fetchall())
    cur.executemany(
        sql("INSERT INTO directory_rolegrant (user_id, organization_id, role) VALUES (?, ?, ?)", m),
        [(ids[key], org, role) for key, org, role in roles],
    )
    cur.executemany(
        sql(
            "INSERT INTO audit_auditevent (at, actor, source, import_id, row, action, "
            "username, license_id, detail) VALUES (?, 'floor', 'cli', ?, ?, 'user_create', ?, "
            "'', ?)",
            m,
        ),
        [(now, job, n, name, detail) for n, name, detail in audit],
    )
    cur.executemany(
        sql(
            "INSERT INTO imports_importrow (job_id, seq, row, username, action, "
            "license_id, outcome, code, message) VALUES (?, ?, ?, ?, '', '', ?, ?, ?)",
            m,
        ),
        [(job, i, *r) for i, r in enumerate(results)],
    )
    conn.commit()
    conn.close()


def floor_export(url: str, path: str) -> None:
    conn, _m = connect(url)
    cur = conn.cursor()
    cur.execute("SELECT username_key FROM directory_user")
    names = {row[0] for row in cur.fetchall()}
    cur.execute(
        "SELECT u.username, u.email, u.email_key, l.license_id FROM licensing_assignment a "
        "JOIN directory_user u ON u.id = a.user_id JOIN licensing_license l ON l.id = a.license_id"
    )
    rows = [
        (email if email and ekey not in names else username, "assign", lid)
        for username, email, ekey, lid in cur.fetchall()
    ]
    rows.sort(key=lambda r: (r[0].casefold(), r[0], r[2]))
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(["Username", "Action", "License ID"])
        w.writerows(rows)
    conn.close()


if __name__ == "__main__":
    commands = {
        "import": floor_import,
        "import-minimal": floor_minimal,
        "minimal-schema": minimal_schema,
        "users": floor_users,
        "export": floor_export,
    }
    commands[sys.argv[1]](sys.argv[2], *sys.argv[3:])
