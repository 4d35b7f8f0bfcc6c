"""Small builders for test data, through the real models (no mocks)."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from plm.cli.main import app
from plm.directory.models import Organization, RoleGrant, User
from plm.licensing.models import License

STAFF = "Academic Staff"


def make_org(name: str, parent: Organization | None = None) -> Organization:
    return Organization.objects.create(name=name, parent=parent)


def make_user(
    username: str,
    email: str = "",
    *,
    roles: list[tuple[Organization, str]] | None = None,
    active: bool = True,
    sysadmin: bool = False,
) -> User:
    user = User(username=username, email=email, is_active=active, is_superuser=sysadmin)
    user.set_unusable_password()
    user.save()
    for org, role in roles or []:
        RoleGrant.objects.create(user=user, organization=org, role=role)
    return user


def make_staff(username: str, org: Organization, email: str | None = None) -> User:
    return make_user(
        username, email if email is not None else f"{username}@example.edu", roles=[(org, STAFF)]
    )


def make_license(license_id: str, seats: int = 5, expires: date | None = None) -> License:
    return License.objects.create(license_id=license_id, seats=seats, expires=expires)


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def plm(*args: str, input: str | None = None) -> Run:
    """Run the plm CLI in-process (same database connection as the test)."""
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def holders(license_id: str) -> set[str]:
    return set(
        License.objects.get(license_id=license_id).assignments.values_list(
            "user__username", flat=True
        )
    )


def codes(results: list[dict[str, Any]]) -> list[tuple[int | None, str, str]]:
    return [(r["row"], r["outcome"], r["code"]) for r in results]


def run_queued_tasks() -> int:
    """Run every queued django-tasks job in this thread, as a worker would; return how many."""
    from django_tasks_db.models import DBTaskResult

    from plm.jobs.worker import make_worker

    worker = make_worker(batch=True)
    count = 0
    while (task := DBTaskResult.objects.ready().get_locked()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)
        count += 1
    return count


def import_with_change_between_batches(
    text: str, between: Callable[[], object] = lambda: None
) -> list[tuple[int | None, str, str]]:
    """Import licenses.csv rows `text` (no header) as the system, calling `between` once the
    first batch has committed; the results as (row, outcome, code)."""
    from plm.app.imports import bytes_opener, import_run
    from plm.directory.actors import system_actor
    from plm.imports.records import job_results

    batches: list[int] = []

    def progress(done: int, total: int) -> None:
        batches.append(done)
        if len(batches) == 1:
            between()

    job = import_run(
        actor=system_actor(),
        opener=bytes_opener(("Username,Action,License ID\n" + text).encode()),
        file_name="in.csv",
        progress=progress,
    )
    return codes(list(job_results(job)))
