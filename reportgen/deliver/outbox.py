"""The outbox: every email is first written as a ``.eml`` file, then sent from there.

``pending/`` holds messages waiting to go (any mail client opens them), ``sent/`` those the
server accepted. A message is taken for sending by renaming it into ``sending/``, which only
one process can do, so two services never send it twice; if the server refuses or is down
the file goes back to ``pending/`` and is tried again on the next sweep or by
``reportgen outbox send``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import logging
import os
import smtplib
import ssl
import tempfile
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from reportgen.deliver.config import Security, Smtp
from reportgen.errors import DeliveryError

log = logging.getLogger("reportgen.deliver")


@dataclass(frozen=True)
class FlushResult:
    sent: list[Path]
    waiting: list[Path]
    error: str | None = None


class Outbox:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.pending_dir = self.root / "pending"
        self.sending_dir = self.root / "sending"
        self.sent_dir = self.root / "sent"

    def _ensure(self) -> None:
        for d in (self.pending_dir, self.sending_dir, self.sent_dir):
            d.mkdir(parents=True, exist_ok=True)

    def put(self, message: EmailMessage, *, stem: str) -> Path:
        """Write ``message`` to pending/ atomically; returns its path."""
        self._ensure()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        name = f"{stamp}-{_safe(stem)}-{uuid.uuid4().hex[:8]}.eml"
        data = message.as_bytes(policy=email.policy.SMTP)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".eml", dir=self.pending_dir)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.pending_dir / name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return self.pending_dir / name

    def pending(self) -> list[Path]:
        if not self.pending_dir.is_dir():
            return []
        return sorted(p for p in self.pending_dir.glob("*.eml") if not p.name.startswith("."))

    def sent(self) -> list[Path]:
        return sorted(self.sent_dir.glob("*.eml")) if self.sent_dir.is_dir() else []

    def recover(self) -> list[Path]:
        """Put back messages left in sending/ by a process that died mid-send."""
        back = []
        if self.sending_dir.is_dir():
            for path in self.sending_dir.glob("*.eml"):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(path, self.pending_dir / path.name)
                    back.append(self.pending_dir / path.name)
        return back

    def send(self, smtp: Smtp, only: list[Path] | None = None) -> FlushResult:
        """Send waiting messages (all, or ``only`` these) over ``smtp``; those that fail stay."""
        if not smtp.configured:
            return FlushResult([], self.pending(), "no SMTP server is configured")
        self._ensure()
        todo = self.pending() if only is None else [p for p in only if p.exists()]
        sent: list[Path] = []
        error: str | None = None
        connection: smtplib.SMTP | None = None
        try:
            for path in todo:
                claimed = self.sending_dir / path.name
                try:
                    os.replace(path, claimed)  # only one process wins the rename
                except FileNotFoundError:
                    continue
                with claimed.open("rb") as fh:
                    message = email.message_from_binary_file(fh, policy=email.policy.default)
                job, period, *_ = (str(message["X-Reportgen-Run"] or "alert -").split() + ["-"])
                try:
                    if connection is None:
                        connection = connect(smtp)
                    connection.send_message(message)
                except (OSError, smtplib.SMTPException, DeliveryError) as exc:
                    os.replace(claimed, path)
                    error = f"{exc.__class__.__name__}: {exc}"
                    log.warning('event=email job=%s period=%s outcome=waiting file=%s error="%s"',
                                job, period, path.name, error)
                    break
                os.replace(claimed, self.sent_dir / path.name)
                sent.append(self.sent_dir / path.name)
                log.info('event=email job=%s period=%s outcome=sent file=%s to="%s"',
                         job, period, path.name, message["To"])
        finally:
            if connection is not None:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    connection.quit()
        return FlushResult(sent, self.pending(), error)


def connect(smtp: Smtp) -> smtplib.SMTP:
    """An authenticated connection to the configured server. The password comes only from
    the environment variable named by ``password_env``."""
    timeout = smtp.timeout.total_seconds()
    context = ssl.create_default_context()
    if smtp.security is Security.TLS:
        conn: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=context)
    else:
        conn = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        if smtp.security is Security.STARTTLS:
            conn.starttls(context=context)
    if smtp.user:
        password = os.environ.get(smtp.password_env)
        if password is None:
            conn.close()
            raise DeliveryError(
                f"SMTP user {smtp.user!r} is set but ${smtp.password_env} is empty",
                hint=f"export {smtp.password_env}=... in the service's environment",
            )
        conn.login(smtp.user, password)
    return conn


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)[:60]
