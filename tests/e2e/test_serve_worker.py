"""`plm serve` runs its import worker as a child process that ends with the server."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.e2e.conftest import start_server
from tests.processes import PLM, plm_env


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
    assert proc.wait(timeout=20) == 0  # a clean stop, not death by the signal
    # Stopped and reaped by the server before it exited: gone now, not a second later.
    assert not _alive(worker), "the server exited before its worker"


def test_a_server_that_cannot_take_its_port_leaves_no_worker(transactional_db) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.Popen(
            [PLM, "serve", "--port", str(port)],
            env=plm_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        spawned: list[int] = []
        while proc.poll() is None:
            spawned += _children(proc.pid)
            time.sleep(0.02)
    assert proc.returncode != 0
    assert spawned == []


def test_a_worker_that_dies_on_its_own_is_started_again(transactional_db) -> None:
    proc, _ = start_server()
    try:
        worker = _worker_of(proc.pid)
        os.kill(worker, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        assert _wait_until(lambda: _children(proc.pid) not in ([], [worker]), 10)
        (again,) = [pid for pid in _children(proc.pid) if pid != worker]
        assert "plm.jobs.child" in Path(f"/proc/{again}/cmdline").read_text().replace("\0", " ")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


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
