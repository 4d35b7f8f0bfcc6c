"""Fast inserts for the hot tables of an import: prepared tuples, one executemany per chunk.

`Model.objects.bulk_create` builds a model instance and compiles every value of every row;
at 100,000 rows that is most of an import's time. Here the caller gives plain values in the
order of `fields`; datetimes must already be adapted with `db_datetime`.
"""

import gc
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import OperationalError, connection, models, transaction

CHUNK = 2000


def db_datetime(value: datetime) -> Any:
    """A timezone-aware datetime as this database stores it."""
    return connection.ops.adapt_datetimefield_value(value)


def bulk_insert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """INSERT rows (values in `fields` order) into the model's table; returns the count.

    PostgreSQL: COPY (one stream, no per-row statement); elsewhere executemany per chunk.
    """
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in fields)
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in iterator:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        while chunk := list(islice(iterator, CHUNK)):
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Fewer cyclic-GC passes while an import runs.

    An import keeps ~100,000 small tuples alive (users, states, results); with Python's default
    thresholds the collector rescans them over and over, about 15% of a users import. A batch
    allocates up to ~150,000 objects and frees them when it ends: with the young generation
    collected every 200,000 net allocations, a batch rarely triggers a pass at all (at 50,000,
    a 1,000,000-row import spent 1.8 s in 61 passes; at 200,000, 0.1 s, same peak memory).
    Cycles are still collected, just in larger, rarer passes. Nested and concurrent uses
    (worker threads) share one setting, restored when the last one ends.
    """
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(200_000, 10, 1_000)
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)


# SQLite, for the connection running an import: a 32 MB page cache instead of 2 MB, and a
# checkpoint every ~160 MB of WAL instead of every 4 MB. With 1,000,000 rows the indexes outgrow
# the small cache (a read syscall for most index pages), and every few batches' checkpoint
# wrote the same hot index pages back again: 1,000,000 rows 35.3 -> 32.7 s against ~40 MB.
# The WAL file keeps its largest size on disk until the last connection closes.
_IMPORT_PRAGMAS = {"cache_size": -32768, "wal_autocheckpoint": 40000}


@contextmanager
def import_connection() -> Iterator[None]:
    """This connection tuned for a long run of batches (SQLite), restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        saved = {}
        for name, value in _IMPORT_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}")
            saved[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in saved.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")


STAMP_PATIENCE_MS = 100  # a batch frees the lock for a moment between batches (writers_turn)


def write_if_free(write: Callable[[], object]) -> bool:
    """Run `write` in its own transaction if the write lock can be had within a moment; on
    SQLite, while another connection holds it longer (an import's batch), skip it and return
    False instead of waiting the full busy timeout. For writes that may be dropped and are made
    again later (a token's last-use stamp): a read-only request then never queues behind an
    import. PostgreSQL locks rows, not the database, so there the write simply runs."""
    if connection.vendor != "sqlite":
        with transaction.atomic():
            write()
        return True
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (saved,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {STAMP_PATIENCE_MS}")
        try:
            with transaction.atomic():  # BEGIN IMMEDIATE: the lock soon, or "database is locked"
                write()
            return True
        except OperationalError as exc:
            if "locked" not in str(exc):  # only a busy lock is expected; anything else is a fault
                raise
            return False
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(saved)}")


def writers_turn() -> None:
    """Between two batches of a long run on SQLite, leave the one write lock free for a moment:
    a cancel, a web action or an API call waiting for it (SQLite's busy handler retries on its
    own clock) would otherwise find it taken again at once, batch after batch. PostgreSQL has
    row locks and needs nothing."""
    if connection.vendor == "sqlite":
        time.sleep(0.002)


# What each change count covers: its tables, whose inserts move sqlite_sequence.
CHANGE_TABLES = {
    "directory": ("directory_user", "directory_rolegrant"),
    "assignments": ("licensing_assignment",),
}


def change_count(name: str) -> tuple[object, ...] | None:
    """A value that differs whenever a table of `name` (CHANGE_TABLES) has changed: on SQLite,
    the `name` count of change_counts (updates and deletions, kept by triggers: migration
    directory 0006), the tables' sqlite_sequence high-water marks (inserts) and the
    connection they were read on (a new connection has seen nothing); None where there is no
    such count (PostgreSQL).

    Read it while holding the write lock (inside a batch's transaction): then no other writer
    can change what it counts until the transaction ends."""
    if connection.vendor != "sqlite":
        return None
    tables = CHANGE_TABLES[name]
    marks = ", ".join(["(SELECT seq FROM sqlite_sequence WHERE name = %s)"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, {marks} FROM change_counts WHERE name = %s", [*tables, name])
        row = cursor.fetchone()
    return (connection.connection, *row) if row else None


ANALYZE_AFTER = 1000  # rows changed: beyond this the planner statistics are worth refreshing


def analyze(*models_: type[models.Model]) -> None:
    """Refresh PostgreSQL's planner statistics after a large write, so the next batch look-ups
    use the indexes at once instead of waiting for autovacuum."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def in_list(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`column IN (...)` for `values` (all integers or all strings): on PostgreSQL `= ANY` of
    one array made from one text parameter (index scans and a short statement), a placeholder
    list elsewhere.

    Why text: Django binds parameters on the client, and psycopg quotes a list parameter
    element by element in Python, a tenth of a PostgreSQL import's time; joined integers or
    a JSON array (which writes any string exactly) are one quoted string built in C."""
    if connection.vendor == "postgresql":
        if values and isinstance(values[0], int):
            return f"{column} = ANY(string_to_array(%s, ',')::bigint[])", [
                ",".join(map(str, values))
            ]
        return f"{column} = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))", [
            json.dumps(list(values), ensure_ascii=False)
        ]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def select_in(
    sql: str, column: str, values: Sequence[Any], chunk: int = 1000
) -> list[tuple[Any, ...]]:
    """Rows of `sql` (with one `{where}` placeholder) for `column` in `values`, in chunks."""
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), chunk):
            where, params = in_list(column, values[start : start + chunk])
            cursor.execute(sql.format(where=where), params)
            rows.extend(cursor.fetchall())
    return rows
