"""`plm serve` runs its import worker as a child process that ends with the server."""

import os
import signal
import time
from pathlib import Path

from tests.e2e.conftest import start_server


def _children(pid: int) -> list[int]:
    """Live child processes of `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing paren.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_until(test, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if test():
            return True
        time.sleep(0.1)
    return bool(test())


def _worker_of(server_pid: int) -> int:
    assert _wait_until(lambda: _children(server_pid), 10), "plm serve started no worker"
    (worker,) = _children(server_pid)
    assert "plm.jobs.child" in Path(f"/proc/{worker}/cmdline").read_text().replace("\0", " ")
    return worker


def test_serve_runs_its_worker_in_a_child_process_stopped_with_the_server(
    transactional_db,
) -> None:
    proc, _ = start_server()
    worker = _worker_of(proc.pid)
    proc.terminate()  # SIGTERM, as a service manager stops it
    proc.wait(timeout=10)
    assert _wait_until(lambda: not _alive(worker), 5), "the worker outlived the server"


def test_the_worker_ends_when_the_server_is_killed(transactional_db) -> None:
    proc, _ = start_server()
    worker = _worker_of(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)  # no chance to stop its worker: the worker notices
    proc.wait(timeout=10)
    assert _wait_until(lambda: not _alive(worker), 5), "the worker outlived a killed server"


def test_serve_without_worker_starts_none(transactional_db) -> None:
    proc, _ = start_server("--no-worker")
    try:
        time.sleep(1)
        assert _children(proc.pid) == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)
