"""A tiny HTTP client for tests that drive a real `plm serve`: session login with CSRF, forms,
and bearer-token JSON calls (standard library only)."""

import http.cookiejar
import json
import re
import urllib.parse
import urllib.request
from typing import Any


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _token(self, path: str) -> str:
        html = self.opener.open(self.base + path, timeout=60).read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]

    def login(self, username: str, password: str) -> None:
        self.post("/login/", {"username": username, "password": password}, form_page="/login/")

    def post(self, path: str, fields: dict[str, Any], form_page: str = "/users/") -> int:
        data = dict(fields, csrfmiddlewaretoken=self._token(form_page))
        body = urllib.parse.urlencode(data, doseq=True).encode()
        req = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + form_page}
        )
        with self.opener.open(req, timeout=120) as resp:
            return int(resp.status)


def api_call(base: str, token: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        base + "/api/v1" + path,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]
