"""Killing the web process in the middle of an upload leaves no half-created import, and the
next upload works."""

import signal
import socket
import time

import pytest

from plm.imports.models import Import, ImportFile
from tests.builders import make_license, make_org, make_staff, make_user
from tests.e2e.conftest import start_server
from tests.e2e.http_client import Browser


@pytest.mark.django_db(transaction=True)
def test_a_web_process_killed_during_an_upload_leaves_nothing_behind() -> None:
    org = make_org("Science")
    make_staff("ann", org)
    make_license("ID 2024-01-01-000001", seats=5)
    admin = make_user("root", sysadmin=True)
    admin.set_password("upload-pass-123")
    admin.save()
    server, base = start_server("--no-worker")
    browser = Browser(base)
    browser.login("root", "upload-pass-123")
    cookies = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
    port = int(base.rsplit(":", 1)[1])
    boundary = "plmboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nUsername,Action,License ID\r\n"
    ).encode()
    declared = len(head) + 5_000_000
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            (
                f"POST /licensing/import/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Cookie: {cookies}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {declared}\r\n\r\n"
            ).encode()
            + head
        )
        sock.sendall(b"ann,assign,ID 2024-01-01-000001\r\n" * 20_000)  # part of the body only
        time.sleep(0.5)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    assert Import.objects.count() == 0 and ImportFile.objects.count() == 0
    server, base = start_server("--no-worker")
    try:
        again = Browser(base)
        again.login("root", "upload-pass-123")
        import io
        import urllib.request

        body = io.BytesIO()
        body.write(
            head + b"ann,assign,ID 2024-01-01-000001\r\n" + f"\r\n--{boundary}--\r\n".encode()
        )
        token = again._token("/licensing/import/")
        data = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{token}\r\n"
        ).encode() + body.getvalue()
        req = urllib.request.Request(
            base + "/licensing/import/",
            data=data,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": base + "/licensing/import/",
            },
        )
        again.opener.open(req, timeout=60)
        assert Import.objects.get().status == "queued"
    finally:
        server.terminate()
        server.wait(timeout=10)
