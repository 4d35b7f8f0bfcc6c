"""Running the django-tasks database worker: on its own (`plm worker`) or beside the web server."""

import os
import socket
import subprocess
import sys
import threading

from django_tasks_db.management.commands.db_worker import Worker

from plm.jobs.recovery import janitor_loop, janitor_pass

POLL_SECONDS = 0.5  # a new job starts within a second of its upload


def make_worker(*, batch: bool = False, max_tasks: int | None = None) -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0 if batch else POLL_SECONDS,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}"[:64],
        excluded_queue_names=[],
    )


def run_pending_jobs() -> None:
    """The janitor's pass (interrupted imports marked, expired previews' uploads deleted), then
    every queued job, then return (`plm worker --once`, e.g. from cron)."""
    janitor_pass()
    make_worker(batch=True).run()


def start_janitor() -> threading.Event:
    """Mark interrupted imports now and every 30 s, in a thread; set the event to stop it."""
    stop = threading.Event()
    threading.Thread(target=janitor_loop, args=(stop,), name="plm-janitor", daemon=True).start()
    return stop


def start_background_worker() -> subprocess.Popen[bytes]:
    """A worker beside the web process, so `plm serve` needs nothing else: its child process
    (plm/jobs/child.py says why not a thread). The caller stops it with the server."""
    return subprocess.Popen([sys.executable, "-m", "plm.jobs.child", str(os.getpid())])
