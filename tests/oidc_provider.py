"""A small, real OpenID Connect provider for the tests: `python -m tests.oidc_provider PORT
CLIENT_ID CLIENT_SECRET` serves on 127.0.0.1:PORT until killed.

Discovery, a login form (any name signs in: `ann` or `ann@example.edu`), the authorization code
flow with state, nonce and PKCE (S256) checked, ID tokens signed RS256 with a key made at start
(PyJWT), userinfo, JWKS and RP-initiated logout. `POST /_mode` with `mode=` makes the next ID
token misbehave (tampered, expired, wrong_nonce, wrong_audience) so the tests can see PLM refuse
it; `GET /_log` lists the logouts it saw.
"""

import base64
import hashlib
import json
import secrets
import sys
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "test-key-1"


class State:
    issuer = ""
    client_id = ""
    client_secret = ""
    mode = "ok"
    codes: dict[str, dict[str, Any]] = {}
    tokens: dict[str, dict[str, Any]] = {}
    logouts: list[dict[str, str]] = []


def claims_for(login: str) -> dict[str, Any]:
    email = login if "@" in login else f"{login}@idp.example.edu"
    return {
        "sub": "sub-" + hashlib.sha256(login.encode()).hexdigest()[:16],
        "preferred_username": login,
        "email": email,
        "email_verified": True,
        "given_name": login.split("@")[0].title(),
        "family_name": "Tester",
    }


def id_token(code: dict[str, Any]) -> str:
    now = int(time.time())
    mode, State.mode = State.mode, "ok"  # one misbehaving token, then normal again
    payload = {
        "iss": State.issuer,
        "aud": State.client_id,
        "iat": now,
        "exp": now + 300,
        "nonce": code["nonce"],
        **code["claims"],
    }
    if mode == "expired":
        payload["iat"], payload["exp"] = now - 7200, now - 3600
    elif mode == "wrong_nonce":
        payload["nonce"] = "not-the-nonce"
    elif mode == "wrong_audience":
        payload["aud"] = "another-client"
    token = jwt.encode(payload, KEY, algorithm="RS256", headers={"kid": KID})
    if mode == "tampered":
        header, body, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["preferred_username"] = "admin"  # an attacker's edit; the signature stays
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        token = f"{header}.{body}.{signature}"
    return token


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = (json.dumps(body) if content_type == "application/json" else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, url: str) -> None:
        self.send_response(302)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        base = State.issuer
        if url.path == "/.well-known/openid-configuration":
            self._send(
                200,
                {
                    "issuer": base,
                    "authorization_endpoint": base + "/authorize",
                    "token_endpoint": base + "/token",
                    "userinfo_endpoint": base + "/userinfo",
                    "jwks_uri": base + "/jwks",
                    "end_session_endpoint": base + "/logout",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        elif url.path == "/jwks":
            jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
            self._send(200, {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]})
        elif url.path == "/authorize":
            if query.get("client_id") != State.client_id:
                self._send(400, {"error": "unauthorized_client"})
                return
            hidden = "".join(
                f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                for k, v in query.items()
            )
            self._send(
                200,
                "<!doctype html><title>Test IdP</title><h1>Test IdP sign-in</h1>"
                f'<form method="post" action="/authorize">{hidden}'
                '<label>Login <input name="login" id="login"></label>'
                '<button type="submit" id="signin">Sign in</button></form>',
                "text/html",
            )
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            info = State.tokens.get(token)
            if info is None:
                self._send(401, {"error": "invalid_token"})
            else:
                self._send(200, info)
        elif url.path == "/logout":
            State.logouts.append(query)
            target = query.get("post_logout_redirect_uri")
            if target:
                self._redirect(target)
            else:
                self._send(200, "<!doctype html><p>Signed out of the test IdP.</p>", "text/html")
        elif url.path == "/_log":
            self._send(200, {"logouts": State.logouts})
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        form = self._form()
        if url.path == "/authorize":
            code = secrets.token_urlsafe(16)
            State.codes[code] = {
                "nonce": form.get("nonce"),
                "redirect_uri": form["redirect_uri"],
                "challenge": form.get("code_challenge"),
                "claims": claims_for(form["login"]),
            }
            query = urlencode({"code": code, "state": form["state"]})
            self._redirect(f"{form['redirect_uri']}?{query}")
        elif url.path == "/token":
            code = State.codes.pop(form.get("code", ""), None)
            if (
                code is None
                or form.get("client_id") != State.client_id
                or form.get("client_secret") != State.client_secret
                or form.get("redirect_uri") != code["redirect_uri"]
            ):
                self._send(400, {"error": "invalid_grant"})
                return
            if code["challenge"]:
                verifier = form.get("code_verifier", "").encode()
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                if digest.rstrip(b"=").decode() != code["challenge"]:
                    self._send(400, {"error": "invalid_grant", "error_description": "PKCE"})
                    return
            access = secrets.token_urlsafe(16)
            State.tokens[access] = code["claims"]
            self._send(
                200,
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": id_token(code),
                },
            )
        elif url.path == "/_mode":
            State.mode = form.get("mode", "ok")
            self._send(200, {"mode": State.mode})
        else:
            self._send(404, {"error": "not_found"})


def main() -> None:
    port, State.client_id, State.client_secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    State.issuer = f"http://127.0.0.1:{port}"
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
