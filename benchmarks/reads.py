"""Reads at size and under load: every page and API read a user pages through, timed by a
bounded loopback client against a running `plm serve`, idle and while a large import runs.

The client is one keep-alive connection, one request at a time (never more than one request in
flight), a fixed number of requests per address, a 30 s timeout. It reports, per address, the
median and the 95th percentile in milliseconds.

python -m benchmarks.reads DATABASE_URL LICENSES_CSV   (the database holds the users and one
finished import of the file; `make bench` prepares it)
"""

import html
import http.client
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.jobpath import _free_port, _multipart

PLM = str(Path(sys.executable).with_name("plm"))
ADMIN = "user0000000"


def _session(env: dict[str, str]) -> str:
    """A web session for ADMIN, made the way a sign-in makes one."""
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','plm.settings');"
        "django.setup();"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY;"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "from plm.directory.models import User;"
        f"u = User.objects.get(username={ADMIN!r}); s = SessionStore();"
        "s[SESSION_KEY] = str(u.pk);"
        "s[BACKEND_SESSION_KEY] = 'plm.identity.backends.PasswordBackend';"
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); print(s.session_key)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def _one(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PLM, *args], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


class Client:
    """One keep-alive loopback connection; one request in flight at most."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port, self.headers = port, headers
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str) -> tuple[float, int, bytes]:
        start = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=self.headers)
            resp = self.conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request("GET", path, headers=self.headers)
            resp = self.conn.getresponse()
            body = resp.read()
        return (time.perf_counter() - start) * 1000, resp.status, body

    def post(self, path: str, body: bytes, ctype: str) -> Any:
        self.conn.request("POST", path, body=body, headers={**self.headers, "Content-Type": ctype})
        resp = self.conn.getresponse()
        return json.loads(resp.read())


def addresses(first_import: int, user_pk: int, username: str) -> list[tuple[str, str]]:
    """(face, path) of every read a user pages through; {job} is the import being run."""
    web = [
        "/licensing/",
        "/licensing/?page=20",
        "/users/",
        "/users/?page=1000",
        f"/users/{user_pk}/",
        "/imports/",
        "/imports/{job}/",
        "/imports/{job}/progress/",
        "/imports/{job}/results/",
        "/imports/{job}/results/?page=1000",
        f"/imports/{first_import}/results/?page=1000",
        "/audit/",
        "/audit/?page=1000",
    ]
    api = [
        "/api/v1/licenses",
        "/api/v1/users?limit=50",
        "/api/v1/users?limit=50&offset=50000",
        f"/api/v1/users/{username}",
        "/api/v1/assignments?limit=50",
        "/api/v1/assignments?limit=50&offset=20000",
        "/api/v1/imports",
        "/api/v1/imports/{job}",
        "/api/v1/imports/{job}/results?limit=50",
        f"/api/v1/imports/{first_import}/results?limit=50&offset=50000",
    ]
    return [("web", p) for p in web] + [("api", p) for p in api]


def by_link(api: Client, web: Client, first_import: int) -> list[tuple[str, str]]:
    """The deep pages as a user reaches them: by the Next link of the page before (web) or the
    `next` of the page before (API), which carry a keyset cursor. A results cursor is a row
    number, so the first import's serves the running import's page too."""
    out = []
    for path in (
        "/licensing/?page=19",
        "/users/?page=999",
        f"/imports/{first_import}/results/?page=999",
        "/audit/?page=999",
    ):
        page = web.get(path)[2].decode()
        found = re.search(r'<a href="\?([^"]*)">Next', page)
        if found:  # a small data set has no such page
            out.append(("web", path.split("?")[0] + "?" + html.unescape(found.group(1))))
    for path in (
        "/api/v1/users?limit=50&offset=49950",
        "/api/v1/assignments?limit=50&offset=19950",
        f"/api/v1/imports/{first_import}/results?limit=50&offset=49950",
    ):
        cursor = json.loads(api.get(path)[2])["next"]
        if cursor:
            out.append(("api", path.split("&offset")[0] + "&after=" + cursor))
    running = [
        (face, p.replace(f"/imports/{first_import}/", "/imports/{job}/"))
        for face, p in out
        if f"/imports/{first_import}/" in p
    ]
    return out + running


def is_by_number(path: str) -> bool:
    """A deep page asked for by its number or offset (a link typed or edited by hand): shown,
    not in the target, which is about the pages a user pages through."""
    return ("page=" in path and "after=" not in path and "page=1&" not in path) or "offset=" in path


def measure_reads(url: str, csv_path: Path, requests: int = 20) -> list[dict[str, object]]:
    """Per address: p50 and p95 in ms, idle and while a POSTed import of `csv_path` runs."""
    from benchmarks.run import ROOT, env_for

    env = env_for(url)
    _one(env, "users", "grant-sysadmin", ADMIN)
    token = json.loads(_one(env, "tokens", "create", ADMIN, "--json"))["token"]
    session = _session(env)
    port = _free_port()
    server = subprocess.Popen(
        [PLM, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        api = Client(port, {"Authorization": f"Bearer {token}"})
        web = Client(port, {"Cookie": f"sessionid={session}"})
        for _ in range(300):
            try:
                api.get("/api/v1/licenses")
                break
            except OSError:
                time.sleep(0.1)
        imports = json.loads(api.get("/api/v1/imports?limit=1")[2])["items"]
        first = imports[0]["id"] if imports else 1
        user = json.loads(api.get("/api/v1/users?limit=1&offset=777")[2])["items"][0]["username"]
        pk = _user_pk(env, user)
        paths = addresses(first, pk, user) + by_link(api, web, first)
        out: list[dict[str, object]] = []
        idle, idle_passes = _round(api, web, paths, first, requests)
        body, ctype = _multipart(csv_path)
        job = api.post("/api/v1/imports", body, ctype)["id"]
        busy, busy_passes = _round(api, web, paths, job, requests, busy=True)
        for (face, path), a, b in zip(paths, idle, busy, strict=True):
            out.append(
                {
                    "face": face,
                    "path": path,
                    "idle_p50_ms": a[0],
                    "idle_p95_ms": a[1],
                    "busy_p50_ms": b[0],
                    "busy_p95_ms": b[1],
                    "status": a[2],
                    "idle_passes": idle_passes,
                    "busy_passes": busy_passes,
                }
            )
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


def _user_pk(env: dict[str, str], username: str) -> int:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','plm.settings');"
        "django.setup(); from plm.directory.models import User;"
        f"print(User.objects.get(username={username!r}).pk)"
    )
    return int(
        subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        ).stdout
    )


def _round(
    api: Client,
    web: Client,
    paths: list[tuple[str, str]],
    job: int,
    requests: int,
    busy: bool = False,
) -> tuple[list[tuple[float, float, int]], int]:
    """Passes over every address (interleaved, so an import running meanwhile loads each alike):
    `requests` passes idle; while busy, passes as long as the import runs (at most `requests`),
    only passes begun while it ran counted. ((p50, p95, last status) per address, passes)."""
    samples: list[list[float]] = [[] for _ in paths]
    status = [0] * len(paths)
    passes = 0
    while passes < requests:
        if busy and not _running(api, job):
            break
        for i, (face, path) in enumerate(paths):
            client = api if face == "api" else web
            ms, status[i], _ = client.get(path.replace("{job}", str(job)))
            samples[i].append(ms)
        passes += 1
    if busy:
        while _running(api, job):
            time.sleep(0.2)
    if not passes:
        raise RuntimeError("the import ended before one pass of reads")
    return [
        (round(statistics.median(s), 1), round(_p95(s), 1), st)
        for s, st in zip(samples, status, strict=True)
    ], passes


def _running(api: Client, job: int) -> bool:
    return json.loads(api.get(f"/api/v1/imports/{job}")[2])["status"] in ("queued", "running")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    for r in measure_reads(sys.argv[1], Path(sys.argv[2])):
        print(
            f"{r['face']:<4} {r['path']:<58} idle p50 {r['idle_p50_ms']:>7} p95 "
            f"{r['idle_p95_ms']:>7}   busy p50 {r['busy_p50_ms']:>7} p95 {r['busy_p95_ms']:>7}"
            f"  [{r['status']}] passes {r['idle_passes']}/{r['busy_passes']}",
            flush=True,
        )
