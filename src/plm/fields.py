"""Model fields shared by the apps."""

from typing import Any

from django.db import models


class LogId(models.BigAutoField):  # type: ignore[type-arg]
    """The id of a row in a table written a row at a time by the hundred thousand (audit
    events, import result rows): on SQLite an INTEGER PRIMARY KEY without AUTOINCREMENT.

    AUTOINCREMENT makes SQLite read and rewrite the table's sqlite_sequence row at every
    insert; executemany runs the insert once per row, so it cost about 1.1 s of a
    1,000,000-row import (docs/performance.md). Without it a new row takes the largest id + 1,
    which is the same number as long as the largest row is never deleted: audit events are
    never deleted, and result rows go only with their import (nothing refers to a result row
    by id; they are read by (import, seq)). Every other table keeps AUTOINCREMENT; users, role
    grants and assignments must, as bulk.change_count reads their sqlite_sequence marks.
    PostgreSQL is unchanged (identity)."""

    def db_type_suffix(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)
