"""Sessions, CSRF tokens, security headers and the sign-in rate limit.

A session is a signed cookie (itsdangerous, HMAC-SHA1 over the payload, expiring) holding the
user id and a CSRF token; nothing secret is in it and nothing server-side is needed to check
it. It is HttpOnly and SameSite=Lax, and Secure when the console runs behind TLS
(``--secure-cookies``, or a request that arrived as https through a trusted proxy).
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "reportgen_session"
SESSION_HOURS = 8
SECRET_ENV = "REPORTGEN_CONSOLE_SECRET"

CSP = (
    "default-src 'self'; script-src 'none'; object-src 'none'; style-src 'self'; img-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def load_secret(path: Path) -> str:
    """The signing key: $REPORTGEN_CONSOLE_SECRET, else a random key kept in ``path`` (0600),
    made on first start so sessions survive a restart."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


class Sessions:
    def __init__(self, secret: str) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="reportgen-console-session")

    def load(self, cookie: str | None) -> dict[str, Any]:
        if not cookie:
            return {}
        try:
            data = self.serializer.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def dump(self, data: dict[str, Any]) -> str:
        return self.serializer.dumps(data)


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(session: dict[str, Any], sent: object) -> bool:  # a form field: text, a file or nothing
    expected = session.get("csrf")
    return bool(expected) and bool(sent) and hmac.compare_digest(str(expected), str(sent))


class RateLimit:
    """At most ``limit`` attempts per ``window`` seconds per key (the client address)."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            hits = self.hits.setdefault(key, deque())
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


class SecurityHeaders:
    """Adds the security headers to every response (pure ASGI, so streaming is untouched)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts or scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)
