"""The floor: the same work as `plm import` / `plm users import` / `plm export`, written with the
standard library (csv + sqlite3, or psycopg for PostgreSQL) and nothing wasted: everything
preloaded into dicts, the rules applied in memory in file order, then the net changes, one audit
row per change and one result row per input row written with executemany in one transaction.

Usage: python -m benchmarks.floor import|users|export DATABASE_URL FILE
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


def floor_import(url: str, path: str) -> None:
    conn, m = connect(url)
    cur = conn.cursor()
    now = datetime.now(UTC)
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
    cur.execute("SELECT user_id, license_id FROM licensing_assignment")
    for u, lic in cur.fetchall():
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
    cur.execute(
        sql(
            "INSERT INTO imports_import (kind, source, actor, file_name, status, dry_run, "
            "all_or_nothing, rows, processed, applied, unchanged, rejected, error_code, "
            "error_message, created_at, results_purged, cancel_requested, file_sha256) VALUES "
            "('licenses','cli','floor','floor.csv','completed',?,?,?,?,0,0,0,'','',?,?,?,'')",
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


def floor_users(url: str, path: str) -> None:
    conn, m = connect(url)
    cur = conn.cursor()
    now = datetime.now(UTC)
    cur.execute("SELECT name_key, id FROM directory_organization")
    orgs = dict(cur.fetchall())
    users = []
    roles = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader)
        for username, email, first, last, is_active, org, role in reader:
            users.append(
                (
                    username,
                    username.casefold(),
                    email,
                    email.casefold() or None,
                    first,
                    last,
                    is_active == "yes",
                    "!",
                    False,
                    now,
                )
            )
            roles.append((username.casefold(), orgs[org.casefold()], role))
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
    {"import": floor_import, "users": floor_users, "export": floor_export}[sys.argv[1]](
        sys.argv[2], sys.argv[3]
    )
