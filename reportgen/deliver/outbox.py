"""The outbox: every email is first written as a ``.eml`` file, then sent from there.

``pending/`` holds messages waiting to go (any mail client opens them), ``sent/`` those the
server accepted, ``failed/`` those it refused for good (5xx). A message is taken for sending by
renaming it into ``sending/``, which only one process can do, so two services never send it
twice. A refusal of one message (550 for a recipient) fails that message only and the next one
goes; if the server is down or refuses our login, the messages go back to ``pending/`` and are
tried again later. Messages named ``q<id>-...`` have a state row in ``delivery_messages``
(``reportgen.deliver.queue``), which decides when they are tried and records what happened.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from reportgen.deliver.config import Security, Smtp
from reportgen.errors import DeliveryError

log = logging.getLogger("reportgen.deliver")


SENT_OUTCOME, PERMANENT, RETRY = "sent", "permanent", "retry"
TRACKED_PREFIX = "q"  # q<row id>-...: a message with a state row in delivery_messages


@dataclass(frozen=True)
class FlushResult:
    sent: list[Path]
    waiting: list[Path]
    error: str | None = None
    failed: list[Path] = field(default_factory=list)  # refused for good, moved to failed/


@dataclass(frozen=True)
class SendResult:
    """What became of one message: sent, permanent (refused for good) or retry."""

    path: Path
    outcome: str
    error: str | None = None
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)  # recipients refused, the rest got it


class Outbox:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.pending_dir = self.root / "pending"
        self.sending_dir = self.root / "sending"
        self.sent_dir = self.root / "sent"
        self.failed_dir = self.root / "failed"

    def _ensure(self) -> None:
        for d in (self.pending_dir, self.sending_dir, self.sent_dir, self.failed_dir):
            d.mkdir(parents=True, exist_ok=True)

    def put(self, message: EmailMessage, *, stem: str) -> Path:
        """Write ``message`` to pending/ atomically; returns its path."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        return self._write(message, f"{stamp}-{_safe(stem)}-{uuid.uuid4().hex[:8]}.eml")

    def ensure(self, stem: str, compose: Callable[[], EmailMessage]) -> Path:
        """The message called ``stem`` wherever it is (pending, sending, sent, failed), or a new
        one from ``compose()`` in pending/. A retry after a crash finds the first one, so a
        message is written once and keeps its Message-ID."""
        name = f"{_safe(stem)}.eml"
        for folder in (self.pending_dir, self.sending_dir, self.sent_dir, self.failed_dir):
            if (folder / name).exists():
                return folder / name
        return self._write(compose(), name)

    def _write(self, message: EmailMessage, name: str) -> Path:
        self._ensure()
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

    def loose(self) -> list[Path]:
        """Waiting messages with no state row (written by hand or by an older version)."""
        return [p for p in self.pending() if not _tracked(p)]

    def failed(self) -> list[Path]:
        return sorted(self.failed_dir.glob("*.eml")) if self.failed_dir.is_dir() else []

    def recover(self) -> list[Path]:
        """Put back messages without a state row left in sending/ by a process that died mid-send.
        A tracked message (``q<id>-...``) stays where it is: another live service may be sending
        it right now, and its row's lease says when it may be taken over (from sending/)."""
        back = []
        if self.sending_dir.is_dir():
            for path in self.sending_dir.glob("*.eml"):
                if _tracked(path):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    os.replace(path, self.pending_dir / path.name)
                    back.append(self.pending_dir / path.name)
        return back

    def send(self, smtp: Smtp, only: list[Path] | None = None) -> FlushResult:
        """Send waiting messages (all, or ``only`` these) over ``smtp``. A refused message moves
        to failed/ and the rest go on; one the server could not take now stays in pending/. (A
        message with a state row is noted as sent when the delivery queue next looks at it.)"""
        if not smtp.configured:
            return FlushResult([], self.pending(), "no SMTP server is configured")
        todo = self.pending() if only is None else only
        results = self.send_files(smtp, [p for p in todo if p.exists()])
        errors = [r.error for r in results if r.outcome != SENT_OUTCOME and r.error]
        return FlushResult(
            sent=[r.path for r in results if r.outcome == SENT_OUTCOME],
            waiting=self.pending(),
            error=errors[0] if errors else None,
            failed=[r.path for r in results if r.outcome == PERMANENT],
        )

    def send_files(self, smtp: Smtp, paths: list[Path], *, leased: bool = False) -> list[SendResult]:
        """Send each file; one result per path. A message the server refuses for good (5xx) is
        failed and the next one still goes; if the server cannot be reached or refuses our
        login, every message stays for a later try. ``leased``: the caller holds each message's
        row lease, so one left in sending/ is a dead sender's and may be taken over."""
        self._ensure()
        out: list[SendResult] = []
        connection: smtplib.SMTP | None = None
        try:
            for n, path in enumerate(paths):
                name = path.name
                claimed = self.sending_dir / name
                try:
                    os.replace(self.pending_dir / name, claimed)  # only one process wins the rename
                except FileNotFoundError:
                    earlier = self._elsewhere(name, leased)
                    if earlier is not None:
                        out.append(earlier)
                        continue
                    # Left in sending/ by a sender that died mid-send, whose lease ran out: ours now.
                with claimed.open("rb") as fh:
                    message = email.message_from_binary_file(fh, policy=email.policy.default)
                job, period, *_ = (str(message["X-Reportgen-Run"] or "alert -").split() + ["-"])
                if connection is None:
                    try:
                        connection = connect(smtp)
                    except (OSError, smtplib.SMTPException, DeliveryError) as exc:
                        _move(claimed, self.pending_dir / name)
                        error = _describe(exc)
                        log.warning('event=email job=%s period=%s outcome=waiting file=%s error="%s"',
                                    job, period, name, error)
                        # The server is down or will not let us in: nothing else can go now.
                        out += [SendResult(self.pending_dir / p.name, RETRY, error) for p in paths[n:]]
                        break
                try:
                    refused = connection.send_message(message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                    code = getattr(exc, "smtp_code", None) or _first_code(exc)
                    error = _describe(exc)
                    with contextlib.suppress(OSError, smtplib.SMTPException):
                        connection.rset()  # the next message starts clean on the same connection
                    if code is not None and code >= 500:
                        _move(claimed, self.failed_dir / name)
                        out.append(SendResult(self.failed_dir / name, PERMANENT, error))
                        log.warning('event=email job=%s period=%s outcome=failed-permanent file=%s error="%s"',
                                    job, period, name, error)
                    else:
                        _move(claimed, self.pending_dir / name)
                        out.append(SendResult(self.pending_dir / name, RETRY, error))
                    continue
                except (OSError, smtplib.SMTPException) as exc:  # the connection dropped mid-message
                    _move(claimed, self.pending_dir / name)
                    out.append(SendResult(self.pending_dir / name, RETRY, _describe(exc)))
                    with contextlib.suppress(Exception):
                        connection.close()
                    connection = None
                    continue
                _move(claimed, self.sent_dir / name)
                out.append(SendResult(
                    self.sent_dir / name, SENT_OUTCOME,
                    refused={k: (v[0], _text(v[1])) for k, v in (refused or {}).items()},
                ))
                log.info('event=email job=%s period=%s outcome=sent file=%s to="%s"', job, period, name,
                         message["To"])
        finally:
            if connection is not None:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    connection.quit()
        return out


    def _elsewhere(self, name: str, leased: bool) -> SendResult | None:
        """Where a message that is not in pending/ went, or None if it is ours to send from
        sending/ (the caller holds its lease and a dead sender left it there)."""
        if (self.sent_dir / name).exists():
            return SendResult(self.sent_dir / name, SENT_OUTCOME)
        if (self.failed_dir / name).exists():
            return SendResult(self.failed_dir / name, PERMANENT, "refused earlier")
        if leased and (self.sending_dir / name).exists():
            return None
        return SendResult(self.pending_dir / name, RETRY, "being sent by another process")


def _move(src: Path, dest: Path) -> None:
    """Move a message between folders; if it is gone, a sender that took over our expired lease
    moved it first, and where it is now is right."""
    with contextlib.suppress(FileNotFoundError):
        os.replace(src, dest)


def _tracked(path: Path) -> bool:
    head = path.name.split("-", 1)[0]
    return head.startswith(TRACKED_PREFIX) and head[1:].isdigit()


def _text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _first_code(exc: Exception) -> int | None:
    recipients = getattr(exc, "recipients", None) or {}
    codes = [v[0] for v in recipients.values()]
    return min(codes) if codes else None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        who = "; ".join(f"{a}: {c} {_text(m)}" for a, (c, m) in exc.recipients.items())
        return f"recipients refused ({who})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.__class__.__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{exc.__class__.__name__}: {exc}"


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
