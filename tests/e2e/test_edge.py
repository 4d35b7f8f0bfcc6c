"""A real `plm serve` as an attacker and an operator meet it: proxy headers, slow clients,
huge declared bodies (docs/deployment.md, docs/reliability.md)."""

import http.client
import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

import pytest

from tests.e2e.conftest import start_server
from tests.processes import plm_env

SOAK = os.environ.get("PLM_SOAK") == "1"


@contextmanager
def serving(*extra: str, **env: str) -> Iterator[tuple[str, int]]:
    proc, url = start_server(*extra, env=plm_env(**env))
    try:
        parts = urlsplit(url)
        yield parts.hostname or "127.0.0.1", parts.port or 80
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def get(
    addr: tuple[str, int], path: str, headers: dict[str, str] | None = None, timeout: float = 5
) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(*addr, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


def raw_exchange(addr: tuple[str, int], head: bytes, timeout: float = 5) -> tuple[bytes, bytes]:
    """Send only `head` (request line and headers), read the answer until the server closes:
    (status line and headers, body)."""
    with socket.create_connection(addr, timeout=timeout) as sock:
        sock.sendall(head)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_and_headers, _, body = data.partition(b"\r\n\r\n")
    return status_and_headers, body


# --- Proxy headers ------------------------------------------------------------------------


def test_x_forwarded_proto_from_a_trusted_proxy_is_honoured(transactional_db) -> None:
    with serving(PLM_HTTPS="1", PLM_TRUSTED_PROXIES="127.0.0.1") as addr:
        behind_tls = get(addr, "/login/", {"X-Forwarded-Proto": "https"})
        assert behind_tls.status == 200  # not a redirect to itself
        assert "Strict-Transport-Security" in behind_tls.headers
        plain = get(addr, "/login/")  # the proxy says nothing: plain HTTP, sent to HTTPS
        assert plain.status == 301 and plain.headers["Location"].startswith("https://")


def test_proxy_headers_from_an_untrusted_address_are_ignored(transactional_db) -> None:
    # 127.0.0.1 is the test's address; only 10.9.9.9 is trusted.
    with serving(PLM_HTTPS="1", PLM_TRUSTED_PROXIES="10.9.9.9") as addr:
        spoofed = get(
            addr, "/login/", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
        )
        assert spoofed.status == 301
        location = spoofed.headers["Location"]
        assert location.startswith("https://127.0.0.1:") and "evil.example" not in location


def test_x_forwarded_host_from_a_trusted_proxy_is_the_host_redirected_to(transactional_db) -> None:
    env = {
        "PLM_HTTPS": "1",
        "PLM_TRUSTED_PROXIES": "127.0.0.1",
        "PLM_ALLOWED_HOSTS": "plm.example.edu",
    }
    with serving(**env) as addr:
        response = get(addr, "/login/", {"X-Forwarded-Host": "plm.example.edu"})
        assert response.status == 301
        assert response.headers["Location"] == "https://plm.example.edu/login/"


def failed_login(addr: tuple[str, int], forwarded_for: str) -> int:
    """One wrong password for 'target' through a proxy saying the client is `forwarded_for`."""
    conn = http.client.HTTPConnection(*addr, timeout=5)
    try:
        headers = {"X-Forwarded-For": forwarded_for}
        conn.request("GET", "/login/", headers=headers)
        page = conn.getresponse()
        html = page.read().decode()
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token is not None
        body = urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": "target", "password": "wrong"}
        )
        conn.request(
            "POST",
            "/login/",
            body=body,
            headers={
                **headers,
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{addr[0]}:{addr[1]}/login/",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.parametrize("trusted", [True, False])
def test_login_throttling_sees_the_client_a_trusted_proxy_names_and_no_one_else(
    transactional_db, trusted
) -> None:
    env = {"PLM_TRUSTED_PROXIES": "127.0.0.1" if trusted else "10.9.9.9"}
    with serving(**env) as addr:
        for _ in range(5):
            failed_login(addr, "203.0.113.1")
        from_another_client = failed_login(addr, "203.0.113.2")
    # Through a trusted proxy 203.0.113.2 is another client, not locked out. From anyone else
    # the header is ignored: the lockout holds whatever address the request claims.
    assert from_another_client == (200 if trusted else 429)


# --- Slow clients ---------------------------------------------------------------------------


def open_tricklers(addr: tuple[str, int], count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.create_connection(addr, timeout=2)
        sock.sendall(b"GET /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        socks.append(sock)
    return socks


def trickle(addr: tuple[str, int], socks: list[socket.socket]) -> int:
    """One more header line on every connection; a connection the server closed is replaced by
    a new one (the attack goes on). How many were replaced."""
    replaced = 0
    for i, sock in enumerate(socks):
        try:
            sock.sendall(b"X-Slow: 1\r\n")
        except OSError:
            sock.close()
            (socks[i],) = open_tricklers(addr, 1)
            replaced += 1
    return replaced


def test_slow_clients_do_not_starve_a_normal_request(transactional_db) -> None:
    """120 connections trickling header lines (more than waitress's default limit of 100) for
    6 s, or under PLM_SOAK=1 900 of them for 90 s, reconnecting when cut off: normal requests
    are answered within seconds all along."""
    count, seconds = (900, 90) if SOAK else (120, 6)
    socks: list[socket.socket] = []
    try:
        with serving() as addr:
            socks = open_tricklers(addr, count)
            latencies, replaced = [], 0
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                replaced += trickle(addr, socks)
                started = time.monotonic()
                assert get(addr, "/login/", timeout=5).status == 200
                latencies.append(time.monotonic() - started)
                time.sleep(1)
            latencies.sort()
            print(
                f"\n{count} trickling connections for {seconds} s ({replaced} cut off by the "
                f"header timeout and reopened): {len(latencies)} normal requests, median "
                f"{latencies[len(latencies) // 2]:.3f} s, slowest {latencies[-1]:.3f} s"
            )
            assert latencies[-1] < 5
    finally:
        for sock in socks:
            sock.close()


def test_a_client_trickling_headers_is_cut_off_after_the_header_timeout(
    transactional_db,
) -> None:
    with serving("--header-timeout", "2") as addr:
        (sock,) = open_tricklers(addr, 1)
        with sock:
            started = time.monotonic()
            closed = False
            while not closed and time.monotonic() - started < 15:
                time.sleep(0.5)
                try:
                    sock.sendall(b"X-Slow: 1\r\n")
                    sock.settimeout(0.01)
                    closed = sock.recv(1) == b""
                except TimeoutError:
                    pass
                except OSError:
                    closed = True
            assert closed, "the trickling connection was never closed"
            assert time.monotonic() - started < 8  # 2 s deadline, checked every 2 s


# --- Huge declared bodies -------------------------------------------------------------------


def huge_post(path: str, length: int, *extra: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_huge_declared_body_is_refused_413_json_without_being_sent(transactional_db) -> None:
    # 3 MB declared, limit 1 MB + form room: the body is never sent, the answer comes at once.
    with serving(PLM_MAX_IMPORT_BYTES=str(1024 * 1024)) as addr:
        for extra in ((), ("Expect: 100-continue",)):
            started = time.monotonic()
            head, body = raw_exchange(addr, huge_post("/api/v1/imports", 3 * 1024 * 1024, *extra))
            assert head.startswith(b"HTTP/1.1 413"), head
            assert b"Content-Type: application/json" in head
            error = json.loads(body)["error"]
            assert error["code"] == "file_too_large" and "1 MB" in error["message"]
            assert time.monotonic() - started < 3


def test_a_huge_declared_body_on_a_page_is_refused_with_a_short_page(transactional_db) -> None:
    with serving() as addr:
        head, body = raw_exchange(addr, huge_post("/licensing/import/", 10**12))
        assert head.startswith(b"HTTP/1.1 413") and b"text/html" in head
        assert b"50 MB" in body and b"Traceback" not in body


@pytest.mark.parametrize("path", ["/api/v1/imports", "/licensing/import/"])
def test_a_body_within_the_limit_still_reaches_the_application(transactional_db, path) -> None:
    with serving() as addr:
        head, _ = raw_exchange(addr, huge_post(path, 10, "Connection: close") + b"0123456789")
        assert not head.startswith(b"HTTP/1.1 413") and not head.startswith(b"HTTP/1.1 5")
