"""Helpers for the scheduler tests: a controlled clock, a schedules.toml in tmp_path, and
an SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import threading
from email.message import EmailMessage
from pathlib import Path

from conftest import write_small_config

from reportgen.schedule.config import Schedules, load_schedules

UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand; the service reads it instead of the system clock."""

    def __init__(self, start: dt.datetime) -> None:
        self.t = start

    def __call__(self) -> dt.datetime:
        return self.t

    def set(self, moment: dt.datetime) -> None:
        self.t = moment

    def advance(self, **kwargs: float) -> dt.datetime:
        self.t += dt.timedelta(**kwargs)
        return self.t


def write_schedules(root: Path, jobs: str, *, smtp: str = "", extra: str = "", config: bool = True) -> Path:
    """A schedules.toml whose folders and store all live under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    config_dir = root / "config"
    if config and not config_dir.exists():
        write_small_config(config_dir)
    text = f"""
timezone = "Europe/London"
config_dir = "{config_dir}"
out_dir = "{root / 'outputs'}"
store = "sqlite:///{root / 'var' / 'reportgen.sqlite'}"

[smtp]
sender = "reportgen@example.org"
{smtp}

[outbox]
path = "{root / 'outputs' / 'outbox'}"

[publish]
path = "{root / 'public_html'}"

[print]
path = "{root / 'print'}"

[alerts]
to = ["support@example.org"]

[service]
max_attempts = 3
retry_backoff = "10m"
{extra}

{jobs}
"""
    path = root / "schedules.toml"
    path.write_text(text)
    return path


def settings_at(root: Path, jobs: str, **kwargs: str) -> Schedules:
    return load_schedules(write_schedules(root, jobs, **kwargs))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """Messages received by the loopback SMTP server, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.arrived = threading.Condition()
        self.refuse: set[str] = set()  # recipients answered "550 no such mailbox"

    async def handle_RCPT(self, _server, _session, envelope, address, _rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)


class SmtpServer:
    """aiosmtpd on 127.0.0.1, started and stopped by the test."""

    def __init__(self, port: int | None = None, *, auth: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.auth = auth
        self.controller = None

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        kwargs = {}
        if self.auth:
            user, password = self.auth

            def authenticator(_server, _session, _envelope, _mechanism, auth_data):  # type: ignore[no-untyped-def]
                ok = auth_data.login == user.encode() and auth_data.password == password.encode()
                return AuthResult(success=ok, handled=False)  # handled=False: a refusal is answered 535

            kwargs = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True}
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def smtp_toml(self, *, user: str = "") -> str:
        lines = f'host = "127.0.0.1"\nport = {self.port}\nsecurity = "none"\ntimeout = "5s"\n'
        if user:
            lines += f'user = "{user}"\npassword_env = "REPORTGEN_TEST_SMTP_PASSWORD"\n'
        return lines


def attachments(msg: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}
