"""A real `plm serve` (waitress + its worker process) on the test database, and Chromium."""

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import PLM, plm_env

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# synchronous, so Django's guard is lifted for the test process only (never for the server).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    *extra: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [PLM, "serve", "--port", str(port), *extra],
        env=env or plm_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(
                    proc.stderr.read().decode() if proc.stderr else "serve died"
                ) from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("plm serve did not start")


@pytest.fixture
def server(transactional_db) -> Iterator[str]:  # type: ignore[no-untyped-def]
    proc, url = start_server()
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def slow_server(transactional_db) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """`plm serve` with imports committed one row a batch, so a 20,000-row import stays live
    long enough to look at (and the poll has something new to show every second)."""
    proc, url = start_server(env=plm_env(PLM_IMPORT_BATCH_ROWS="1"))
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: browser tests cannot run")
        pytest.skip(f"{CHROMIUM} is missing (make test installs it with apt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()
