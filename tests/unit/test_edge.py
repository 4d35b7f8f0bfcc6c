"""The WSGI edge on its own (plm.edge.Edge around a WSGI application that reports what it
was given): whom proxy headers are believed from, and what is refused from headers alone."""

import io
from typing import Any

import pytest

from plm.edge import Edge, parse_networks

SEEN: list[dict[str, Any]] = []


def reporting_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    SEEN.append(dict(environ))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def call(edge: Edge, remote: str, **headers: str) -> tuple[str, dict[str, Any] | None]:
    SEEN.clear()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/imports",
        "REMOTE_ADDR": remote,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        **headers,
    }
    status = []
    edge(environ, lambda s, h, *a: status.append(s))
    return status[0], (SEEN[0] if SEEN else None)


EDGE = Edge(reporting_app, trusted=parse_networks("10.0.0.5, 192.168.0.0/24"), max_body=1000)


def test_a_trusted_proxy_sets_scheme_host_and_client_address() -> None:
    _, env = call(
        EDGE,
        "10.0.0.5",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="plm.example.edu",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert env is not None
    assert env["wsgi.url_scheme"] == "https" and env["HTTP_HOST"] == "plm.example.edu"
    assert env["REMOTE_ADDR"] == "203.0.113.7"


def test_the_client_is_the_nearest_address_that_is_not_a_trusted_proxy() -> None:
    # client (forged entry 1.2.3.4) -> 198.51.100.9 -> proxy 192.168.0.3 -> proxy 10.0.0.5
    _, env = call(EDGE, "10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9, 192.168.0.3")
    assert env is not None and env["REMOTE_ADDR"] == "198.51.100.9"


def test_proxy_headers_from_anyone_else_are_removed_unused() -> None:
    _, env = call(
        EDGE,
        "198.51.100.9",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_X_FORWARDED_FOR="10.0.0.5",
        HTTP_FORWARDED="for=10.0.0.5;proto=https",
    )
    assert env is not None
    assert env["wsgi.url_scheme"] == "http" and env["HTTP_HOST"] == "127.0.0.1:8000"
    assert env["REMOTE_ADDR"] == "198.51.100.9"
    assert not [k for k in env if "FORWARDED" in k]


def test_a_malformed_proto_from_a_trusted_proxy_is_a_400() -> None:
    status, env = call(EDGE, "10.0.0.5", HTTP_X_FORWARDED_PROTO="gopher")
    assert status.startswith("400") and env is None


def test_a_declared_body_over_the_limit_is_refused_before_the_application() -> None:
    status, env = call(EDGE, "127.0.0.1", CONTENT_LENGTH="1001")
    assert status.startswith("413") and env is None
    assert call(EDGE, "127.0.0.1", CONTENT_LENGTH="1000")[0].startswith("200")


def test_a_bad_trusted_proxy_entry_is_named() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300'"):
        parse_networks("10.0.0.1, 10.0.0.300")
