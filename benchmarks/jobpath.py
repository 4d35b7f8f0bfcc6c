"""The web/API job path: POST /api/v1/imports to a running `plm serve`, poll until done."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

PLM = str(Path(sys.executable).with_name("plm"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    body += path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _call(url: str, token: str, data: bytes | None = None, ctype: str = "") -> Any:
    req = urllib.request.Request(url, data=data, headers={"Authorization": f"Bearer {token}"})
    if ctype:
        req.add_header("Content-Type", ctype)
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read())


def time_job_path(db: Any, csv_path: Path) -> float:
    """Seconds from the upload to `completed`, server already running (start-up excluded)."""
    from benchmarks.run import ROOT, env_for

    env = env_for(db.url())
    subprocess.run(
        [PLM, "users", "grant-sysadmin", "user0000000"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    token = json.loads(
        subprocess.run(
            [PLM, "tokens", "create", "user0000000", "--json"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )["token"]
    port = _free_port()
    server = subprocess.Popen(
        [PLM, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        body, ctype = _multipart(csv_path)
        start = time.perf_counter()
        job = _call(base + "/imports", token, body, ctype)
        while True:
            status = _call(f"{base}/imports/{job['id']}", token)["status"]
            if status not in ("queued", "running"):
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        if status != "completed":
            raise RuntimeError(f"job path ended {status}")
        return elapsed
    finally:
        server.terminate()
        server.wait(timeout=30)
        db.drop(db.name)
