"""The WSGI edge: what holds for every request before Django sees it, under any WSGI server.

- Proxy headers (X-Forwarded-For/-Proto/-Host/-Port) are honoured only from the addresses in
  PLM_TRUSTED_PROXIES, and removed from every other request, so nobody else can claim HTTPS, a
  host or a client address. The parsing is waitress's own (`waitress.proxy_headers`); only the
  decision whom to trust is ours, because waitress's `trusted_proxy` takes one exact address.
- A body declared larger than PLM_MAX_REQUEST_BYTES is answered 413 from its headers, without
  reading it: JSON in the API's error shape under /api/, a short page elsewhere.

`plm serve` adds what only the server can do (plm.cli.server): waitress refuses such a body
itself before buffering it (waitress reads a whole request before calling the application) and
renders the same 413 as below.
"""

import ipaddress
import json
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from waitress.proxy_headers import (
    PROXY_HEADERS,
    MalformedProxyHeader,
    clear_untrusted_headers,
    parse_proxy_headers,
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

FORM_ROOM = 1024 * 1024
"""Bytes allowed beyond PLM_MAX_IMPORT_BYTES in a request: the form's other fields, multipart
boundaries (PLM_MAX_REQUEST_BYTES = PLM_MAX_IMPORT_BYTES + FORM_ROOM)."""

# The proxy headers PLM honours from a trusted proxy; RFC 7239 `Forwarded` is always dropped.
TRUSTED_HEADERS = {"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"}


def parse_networks(text: str) -> tuple[Network, ...]:
    """'10.0.0.5, 10.1.0.0/16, ::1' -> networks; ValueError naming the bad entry."""
    nets = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"PLM_TRUSTED_PROXIES: {item!r} is not an IP address or network "
                "(e.g. 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return tuple(nets)


def is_trusted(addr: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in networks)


def too_large_response(path: str, limit: int) -> tuple[str, list[tuple[str, str]], bytes]:
    """The 413 for a body over `limit` bytes (the import limit + FORM_ROOM): (status, headers,
    body)."""
    mb = max(1, (limit - FORM_ROOM) // (1024 * 1024))
    message = f"The request is larger than the upload limit of {mb} MB."
    if path.startswith("/api/"):
        body = json.dumps({"error": {"code": "file_too_large", "message": message}}).encode()
        ctype = "application/json"
    else:
        body = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Too large</title>"
            f"<h1>Too large</h1><p>{escape(message)} Upload a smaller file, or split it.</p>"
            '<p><a href="/">Back to Presenter License Manager</a></p></html>'
        ).encode()
        ctype = "text/html; charset=utf-8"
    headers = [
        ("Content-Type", ctype),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    return "413 Request Entity Too Large", headers, body


def _bad_request(start_response: StartResponse, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        "400 Bad Request",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


class Edge:
    """WSGI middleware around the Django application (plm.wsgi.application)."""

    def __init__(self, app: WsgiApp, *, trusted: tuple[Network, ...], max_body: int) -> None:
        self.app = app
        self.trusted = trusted
        self.max_body = max_body

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        untrusted = PROXY_HEADERS
        if self.trusted and is_trusted(environ.get("REMOTE_ADDR", ""), self.trusted):
            try:
                untrusted = parse_proxy_headers(
                    environ,
                    trusted_proxy_count=self._hops(environ),
                    trusted_proxy_headers=TRUSTED_HEADERS,
                )
            except MalformedProxyHeader as exc:
                return _bad_request(start_response, f"Malformed {exc.header} header.")
        clear_untrusted_headers(environ, untrusted)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _bad_request(start_response, "Malformed Content-Length header.")
        if length > self.max_body:
            status, headers, body = too_large_response(environ.get("PATH_INFO", ""), self.max_body)
            start_response(status, headers)
            return [body]
        return self.app(environ, start_response)

    def _hops(self, environ: dict[str, Any]) -> int:
        """How many X-Forwarded-For entries to take: the nearest one, plus one more for each
        entry that is itself a trusted proxy (a chain of proxies). The client is the first
        address, from the right, that is not a trusted proxy."""
        hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        count = 1
        while count < len(hops) and is_trusted(hops[-count], self.trusted):
            count += 1
        return count


# --- plm serve: waitress with a header deadline and the 413 above --------------------------


def make_server(app: WsgiApp, *, header_timeout: float, **adjustments: Any) -> Any:
    """A waitress server (like waitress.create_server, TCP only) whose connections must finish
    their request line and headers within `header_timeout` seconds (a client trickling header
    bytes is closed, whatever its pace; waitress's own channel_timeout only closes idle ones),
    and whose refusal of a body over max_request_body_size is PLM's 413 above."""
    import time

    from waitress.adjustments import Adjustments
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.server import MultiSocketServer, TcpWSGIServer
    from waitress.task import ErrorTask, ThreadedTaskDispatcher
    from waitress.utilities import RequestEntityTooLarge

    adj = Adjustments(**adjustments)
    limit = adj.max_request_body_size - 1  # waitress refuses content_length >= its maximum

    class PlmErrorTask(ErrorTask):  # type: ignore[misc]
        def execute(self) -> None:
            if not isinstance(self.request.error, RequestEntityTooLarge):
                super().execute()
                return
            status, headers, body = too_large_response(self.request.path or "", limit)
            self.status = status
            self.response_headers.extend(h for h in headers if h[0] != "Content-Length")
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class PlmParser(HTTPRequestParser):  # type: ignore[misc]
        """One request being read; knows when its first byte came."""

        def __init__(self, adj: Adjustments) -> None:
            super().__init__(adj)
            self.started = time.time()

    class PlmChannel(HTTPChannel):  # type: ignore[misc]
        parser_class = PlmParser
        error_task_class = PlmErrorTask

        def send_continue(self) -> None:
            # waitress would invite the body of a request it has already refused (and then
            # read it up to the limit): answer the refusal instead.
            if self.request.error is not None:
                self.request.expect_continue = False
                return
            super().send_continue()

    class PlmServer(TcpWSGIServer):  # type: ignore[misc]
        channel_class = PlmChannel

        def maintenance(self, now: float) -> None:
            super().maintenance(now)
            cutoff = now - header_timeout
            for channel in list(self.active_channels.values()):
                request = channel.request
                if (
                    request is not None
                    and not request.headers_finished
                    and request.started < cutoff
                ):
                    channel.will_close = True

    socket_map: dict[int, Any] = {}
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    servers = [
        PlmServer(app, socket_map, dispatcher=dispatcher, adj=adj, sockinfo=info)
        for info in adj.listen
    ]
    if len(servers) == 1:
        return servers[0]
    listen = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(socket_map, adj, listen, dispatcher, servers[-1].log_info)
