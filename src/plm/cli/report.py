"""Printing import results for people: summary, the rows not processed, a progress bar."""

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from plm.cli.runtime import err, out, use_cases
from plm.core.files import open_private
from plm.core.writer import ERRORS_HEADER, write_csv


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing on stderr when it is a terminal; None otherwise."""
    if not err.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err.real,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_job(  # type: ignore[no-untyped-def]
    job, *, as_json: bool, errors_out: Path | None = None, outcome: str | None = None
) -> None:
    """The import's summary and its rows not processed (or, with --json, the import object
    with its results, all or those of `outcome`)."""
    imports = use_cases().imports
    if errors_out is not None:
        with open_private(errors_out, "w", encoding="utf-8", newline="") as fh:
            write_csv(fh, ERRORS_HEADER, imports.import_error_rows(job))
    if as_json:
        head = imports.import_as_dict(job, results=False)
        emit_json_streaming(head, "results", imports.import_results_json(job, outcome))
        return
    kind = "Users import" if job.kind == "users" else "Import"
    what = " (dry run: nothing was changed)" if job.dry_run else ""
    if job.status == "failed":
        err.print(f"[bold red]{kind} {job.pk} failed[/] ({job.error_code}): {job.error_message}")
        return
    out.print(
        f"{kind} {job.pk} {job.status}{what}: {job.rows} rows — {job.applied} applied, "
        f"{job.unchanged} unchanged, {job.rejected} rejected."
    )
    if job.encoding:
        out.print(f"Read as {imports.reading_label(job)}.")
    if job.status == "refused" and job.error_code:
        out.print(f"Refused ({job.error_code}): {job.error_message}")
    elif job.status == "refused":
        out.print("All or nothing: some rows would be rejected, so no row was applied.")
    if not job.rejected:
        return
    if not out.is_terminal:
        # Plain lines (fast, and easy to grep) when the output goes to a file or a pipe.
        write = sys.stdout.write
        write("Rows not processed:\n")
        # Value tuples in RESULT_FIELDS order: no dict per row.
        for row, username, action, license_id, _, code, message in imports.import_result_rows(
            job, "rejected"
        ):
            write(f"  Row {row}: {username!r} {action} {license_id} -> {code}: {message}\n")
        return
    rejected = imports.import_result_dicts(job, "rejected")
    from rich.table import Table

    table = Table(title="Rows not processed", title_justify="left")
    for name in ("Row", "Username", "Action", "License ID", "Error"):
        table.add_column(name, overflow="fold")
    for r in rejected:
        table.add_row(
            str(r["row"] or ""),
            str(r["username"]),
            str(r["action"]),
            str(r["license_id"]),
            f"{r['code']}: {r['message']}",
        )
    out.print(table)


def emit_json_streaming(head: dict[str, object], key: str, items: Iterator[str]) -> None:
    """Print `head` with `key` set to the items, one member and one item at a time: memory
    stays flat however many results there are. Each item comes already encoded as one line of
    JSON. The layout is `json.dumps(..., indent=2)`'s with each item on one line."""
    write = sys.stdout.write
    encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode
    one_line = json.JSONEncoder(ensure_ascii=False).encode
    write("{")
    for name, value in head.items():
        member = encode(value).replace("\n", "\n  ")  # nested objects: one level deeper
        write(f"\n  {one_line(name)}: {member},")
    write(f"\n  {one_line(key)}: [")
    separator = "\n    "
    for item in items:
        write(separator + item)
        separator = ",\n    "
    write("\n  ]\n}\n" if separator != "\n    " else "]\n}\n")
