"""Running the installation: workers, backup and restore, demo data, the expiry digest
(system administrators; the command line acts as the system)."""

from collections.abc import Callable
from pathlib import Path

from plm.app import backup as snapshots
from plm.app.demo import load_demo
from plm.directory.actors import SYSADMIN, Actor, require
from plm.jobs import worker
from plm.licensing.notify import notify_expiring as send_digest


def backup(*, actor: Actor, path: Path) -> dict[str, int]:
    require(actor, SYSADMIN)
    return snapshots.backup(path)


def restore(*, actor: Actor, path: Path) -> dict[str, int]:
    require(actor, SYSADMIN)
    return snapshots.restore(path, actor=actor)


def demo_load(*, actor: Actor, seed: int, password: str | None) -> str:
    require(actor, SYSADMIN)
    return load_demo(actor=actor, seed=seed, password=password)


def notify_expiring(*, actor: Actor, days: int) -> tuple[int, int]:
    require(actor, SYSADMIN)
    return send_digest(days=days)


def worker_in_background() -> worker.WorkerProcess:
    """Run queued imports in a child process of this one (`plm serve`); `stop()` it with the
    server."""
    return worker.WorkerProcess()


def worker_foreground(*, once: bool, on_start: Callable[[str], None]) -> None:
    """Run queued imports in this process (`plm worker`): all pending ones then return
    (`once`), or until stopped."""
    if once:
        worker.run_pending_jobs()
        return
    worker.start_janitor()
    w = worker.make_worker()
    w.configure_signals()
    on_start(w.worker_id)
    w.run()
