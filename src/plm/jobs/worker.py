"""Running the django-tasks database worker: on its own (`plm worker`) or beside the web server."""

import logging
import os
import socket
import subprocess
import sys
import threading

from django_tasks_db.management.commands.db_worker import Worker

from plm.jobs.recovery import janitor_loop, janitor_pass

log = logging.getLogger("plm.imports")
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


RESTART_SECONDS = 2.0


class WorkerProcess:
    """The worker beside the web process, so `plm serve` needs nothing else: its child process
    (plm/jobs/child.py says why not a thread), started again when it ends on its own (killed
    for memory, the database unreachable as it started), checked every RESTART_SECONDS, so
    that imports never queue behind a worker that is gone. `stop` ends it with the server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.process = self._spawn()
        threading.Thread(target=self._watch, name="plm-worker-watch", daemon=True).start()

    @staticmethod
    def _spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "plm.jobs.child", str(os.getpid())])

    def _watch(self) -> None:
        while not self._stopped.wait(RESTART_SECONDS):
            with self._lock:
                code = self.process.poll()
                if code is not None and not self._stopped.is_set():
                    log.warning("the import worker ended (exit %s); starting another", code)
                    self.process = self._spawn()

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            self.process.terminate()  # nothing if it has ended already
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
