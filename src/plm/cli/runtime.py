"""Starting Django for a command, and turning errors into clean messages and exit codes."""

import functools
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer

from plm.core import codes as c
from plm.core.codes import PlmError
from plm.core.files import open_private
from plm.core.text import shown, undecodable
from plm.core.writer import write_csv

EXIT_OK, EXIT_INTERNAL, EXIT_FATAL, EXIT_REJECTED = 0, 1, 2, 3

# How to read an import's file: the same options on `plm import` and `plm users import`.
ENCODING_OPTION = typer.Option(
    None,
    "--encoding",
    metavar="NAME",
    help="Read a CSV in this encoding (cp1250, mac-roman, ...) instead of detecting it; "
    "see docs/csv-format.md.",
)
SHEET_OPTION = typer.Option(
    None, "--sheet", help="The workbook sheet to read (default: the first visible one)."
)


class LazyConsole:
    """A rich Console made on first use: importing rich costs about 0.1 s, which `plm --help`
    and `plm --version` need not pay."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Any = None

    @property
    def real(self) -> Any:
        """The rich Console itself (for rich objects that take a console)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, soft_wrap=True, highlight=False)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def line(self, text: str) -> None:
        """Print `text` exactly as it is: no markup (a file name may hold `[...]`, which rich
        would take for a style), and no rich to import for a one-line report."""
        (sys.stderr if self._stderr else sys.stdout).write(text + "\n")


out = LazyConsole(stderr=False)
err = LazyConsole(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def setup(*, need_schema: bool = True) -> None:
    """Configure Django once; refuse (exit 2) when the schema is missing or out of date."""
    # Django is imported only when a command needs the database: `plm --help` stays fast.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plm.settings")
    from django.apps import apps

    from plm.boot import django_setup

    if not apps.ready:
        try:
            django_setup()
        except ValueError as exc:  # a bad PLM_DATABASE_URL
            fail(PlmError(c.INVALID_ARGUMENT, str(exc)), as_json=False)
    if need_schema:
        _check_schema()


def _check_schema() -> None:
    # (after django.setup(), as in setup())
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import OperationalError

    if _every_migration_recorded():
        return
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except OperationalError as exc:
        fail(PlmError(c.SCHEMA_MISSING, f"Cannot open the database: {exc}"), as_json=False)
    if pending:
        fail(
            PlmError(
                c.SCHEMA_MISSING,
                "The database has no schema or an old one: run `plm migrate` first.",
            ),
            as_json=False,
        )


def _every_migration_recorded() -> bool:
    """True when every migration file of every app is recorded as applied: then nothing is
    pending, and the check is a directory listing and one query instead of importing every
    migration and building their graph (about a tenth of a second on every command). Anything
    else (a file not recorded, no table yet, a squash) is left to Django's own planner."""
    import importlib.util
    import pkgutil

    from django.apps import apps
    from django.db import DatabaseError, connection

    on_disk = set()
    for app in apps.get_app_configs():
        spec = importlib.util.find_spec(f"{app.name}.migrations")
        if spec is None or not spec.submodule_search_locations:
            continue
        on_disk |= {  # the modules Django's MigrationLoader takes as migrations
            (app.label, name)
            for _, name, is_pkg in pkgutil.iter_modules(spec.submodule_search_locations)
            if not is_pkg and name[0] not in "_~"
        }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            recorded = set(cursor.fetchall())
    except DatabaseError:
        return False
    return on_disk <= recorded


def use_cases():  # type: ignore[no-untyped-def]
    """Set Django up and return the application layer (`plm.app`), the only thing commands call.

    Imported here, not at the top: its models need Django configured first, and `plm --help`
    stays fast without them."""
    setup()
    import plm.app

    return plm.app


def actor(as_user: str | None = None):  # type: ignore[no-untyped-def]
    """The actor of a command: the system, or the user named by --as."""
    return use_cases().actors.actor_named(as_user, "cli")


def job_exit_code(job) -> int:  # type: ignore[no-untyped-def]
    """The exit-code table of a run: 2 failed (fatal, nothing changed), 3 refused or rows
    rejected, 0 otherwise."""
    if job.status == "failed":
        return EXIT_FATAL
    if job.status == "refused" or job.rejected:
        return EXIT_REJECTED
    return EXIT_OK


def emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def fail(error: PlmError, *, as_json: bool, exit_code: int = EXIT_FATAL) -> NoReturn:
    """Report a user-fixable error and exit (2 by default)."""
    if as_json:
        emit_json({"error": {"code": error.code, "message": error.message}})
    err.print(f"[bold red]error[/] ({error.code}): {error.message}", markup=True)
    raise typer.Exit(exit_code)


def _decodable(arguments: dict[str, Any]) -> None:
    """Refuse an argument with a NUL or bytes that are not UTF-8 (Python keeps them as unpaired
    surrogates) before any command uses it, as the web refuses a NUL in a URL: no database
    stores or looks up such text."""
    for name, value in arguments.items():
        for text in value if isinstance(value, list | tuple) else [value]:
            if isinstance(text, str) and (bad := undecodable(text)) is not None:
                raise PlmError(
                    c.INVALID_ARGUMENT,
                    f"Argument {name.upper()} {shown(text)} contains {bad!a}: arguments must be "
                    "UTF-8 text without NUL characters (check the terminal's or script's "
                    "encoding).",
                )


def command(func: F) -> F:
    """Wrap a command: PlmError -> message + exit 2; anything unexpected -> exit 1, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json"))
        try:
            _decodable(kwargs)
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except BrokenPipeError:
            # The reader went away (`plm ... | head`): stop quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(EXIT_INTERNAL) from None
        except PlmError as error:
            fail(error, as_json=as_json)
        except Exception as exc:
            if os.environ.get("PLM_DEBUG") == "1":
                traceback.print_exc()
            internal = PlmError(
                c.INTERNAL_ERROR,
                f"internal error: {type(exc).__name__}: {exc}. Set PLM_DEBUG=1 for details.",
            )
            fail(internal, as_json=as_json, exit_code=EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def export_format(fmt: str | None, output: Path | None) -> str:
    """csv or xlsx: as asked, else from the output's suffix (`-o licenses.xlsx`), else csv."""
    if fmt is None:
        return "xlsx" if output is not None and output.suffix.lower() == ".xlsx" else "csv"
    if fmt.lower() not in ("csv", "xlsx"):
        raise PlmError(c.INVALID_ARGUMENT, f"--format must be csv or xlsx, not {fmt!r}.")
    return fmt.lower()


def write_export(
    output: Path | None,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    fmt: str,
    bom: bool,
    title: str,
) -> int:
    """Write an export as CSV (core writer) or as a one-sheet workbook; return the row count."""
    if fmt == "xlsx":
        from plm.core.xlsx import write_xlsx

        if output is None:
            if sys.stdout.isatty():
                raise PlmError(
                    c.INVALID_ARGUMENT,
                    "A workbook is binary: write it to a file with -o FILE.xlsx.",
                )
            count = write_xlsx(sys.stdout.buffer, header, rows, title=title)
            sys.stdout.buffer.flush()
            return count
        with open_private(output, "wb") as fh:
            return write_xlsx(fh, header, rows, title=title)
    with open_output(output) as fh:
        return write_csv(fh, header, rows, bom=bom)


def open_output(path: Path | None):  # type: ignore[no-untyped-def]
    """A text stream for CSV output: the file (newline-exact) or stdout."""
    if path is None:
        if hasattr(sys.stdout, "reconfigure"):  # keep CRLF exact on a real stdout
            sys.stdout.reconfigure(newline="")
        return _NoClose(sys.stdout)
    return open_private(path, "w", encoding="utf-8", newline="")


class _NoClose:
    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __enter__(self) -> Any:
        return self.stream

    def __exit__(self, *exc: object) -> None:
        self.stream.flush()
