"""Per-message delivery state, in the ledger's database: nothing leaves reportgen silently.

Every delivery of a finished run (an email to one recipient set, a publish, a print copy)
and every alert to partnership support is a row of ``delivery_messages``. The scheduler
writes a run's rows in the same transaction that records the run's success, so a crash at
any instant leaves either no success (the run is retried) or rows that the next sweep sends.

A row's status is one of

- ``pending``: not tried yet, or waiting because no mail server is configured;
- ``sent`` (``published``, ``printed`` for those channels): done;
- ``failed-retrying``: the server was down, refused our login or answered 4xx: tried again
  after a back-off that doubles; partnership support is alerted once the attempts reach the
  budget, and trying goes on (so history turns to ``sent`` after an outage);
- ``failed-permanent``: the server refused the message for good (5xx, e.g. 550 for an unknown
  recipient) or a channel cannot do it (a different file is already published): never
  retried, partnership support alerted at once. It blocks nothing else.

A row is taken for work by a conditional UPDATE (a lease), so two services never work on the
same row at once; an email's .eml file is named after its row, so a row whose process died
mid-way reuses its file instead of writing a second message.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import functools
import json
import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, select
from sqlalchemy.engine import Connection, Engine, RowMapping

from reportgen.deliver.base import Parcel, get_channel
from reportgen.deliver.config import Delivery, DeliverySettings
from reportgen.deliver.outbox import PERMANENT, RETRY, SENT_OUTCOME, Outbox, SendResult
from reportgen.errors import DeliveryError
from reportgen.store import DEFAULT_PARTNERSHIP, new_id

log = logging.getLogger("reportgen.deliver")

metadata = MetaData()

PENDING, SENT, FAILED_RETRYING, FAILED_PERMANENT = "pending", "sent", "failed-retrying", "failed-permanent"
OPEN = (PENDING, FAILED_RETRYING)
DONE = (SENT, "published", "printed")
ALERT = "alert"
LEASE = dt.timedelta(minutes=10)  # a worker that died holding a row frees it after this
MAX_BACKOFF = dt.timedelta(hours=1)

messages = Table(
    "delivery_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    # whose message: several partnerships' services share one database, each sends its own
    # (always given by insert(): no default, so a row can never land under the wrong one)
    Column("partnership", String, nullable=False),
    Column("run_id", Integer, nullable=True),
    Column("job", String, nullable=False),
    Column("period", String, nullable=False),
    Column("channel", String, nullable=False),  # email, publish, print, alert
    Column("target", Text, nullable=False),
    Column("spec", Text, nullable=False),  # the job's deliver entry, JSON
    Column("parcel", Text, nullable=False),  # what is delivered, JSON (an alert: subject and body)
    Column("status", String, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", String, nullable=True),
    Column("detail", Text, nullable=True),
    Column("created_at", String, nullable=False),
    Column("updated_at", String, nullable=False),
    Column("lease_owner", String, nullable=True),
    Column("lease_until", String, nullable=True),
    Column("alerted", Integer, nullable=False, default=0),
    # each sweep's "what is open and due" and a run's own rows; the same names and columns as
    # migration 0003_delivery_queue, which adds the table to a ledger from before it
    Index("ix_delivery_messages_open", "partnership", "status", "next_attempt_at"),
    Index("ix_delivery_messages_run", "partnership", "run_id"),
)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Message:
    """One row of ``delivery_messages``."""

    id: int
    run_id: int | None
    job: str
    period: str
    channel: str
    target: str
    status: str
    attempts: int
    detail: str | None
    next_attempt_at: dt.datetime | None
    updated_at: dt.datetime
    alerted: bool

    @classmethod
    def from_row(cls, row: RowMapping) -> Message:
        nxt = row["next_attempt_at"]
        return cls(
            id=row["id"],
            run_id=row["run_id"],
            job=row["job"],
            period=row["period"],
            channel=row["channel"],
            target=row["target"],
            status=row["status"],
            attempts=row["attempts"],
            detail=row["detail"],
            next_attempt_at=dt.datetime.fromisoformat(nxt) if nxt else None,
            updated_at=dt.datetime.fromisoformat(row["updated_at"]),
            alerted=bool(row["alerted"]),
        )


# --- what a row carries -------------------------------------------------------------------
def parcel_json(parcel: Parcel) -> str:
    data = {f.name: getattr(parcel, f.name) for f in fields(parcel)}
    data["files"] = [str(p) for p in parcel.files]
    return json.dumps(data, sort_keys=True, default=list)


def parcel_from_json(text: str) -> Parcel:
    data = json.loads(text)
    data["files"] = tuple(Path(p) for p in data["files"])
    for key in ("headline", "exceptions", "gaps"):
        data[key] = tuple(data.get(key) or ())
    return Parcel(**data)


def entries(parcel: Parcel, specs: Iterable[Delivery]) -> list[dict[str, Any]]:
    """Rows (without ids and times) for delivering ``parcel`` as ``specs`` say: one per entry,
    so each recipient set has its own state."""
    body = parcel_json(parcel)
    return [
        {
            "job": parcel.job,
            "period": parcel.period,
            "channel": spec.channel.value,
            "target": ", ".join(spec.to) or spec.channel.value,
            "spec": spec.model_dump_json(),
            "parcel": body,
        }
        for spec in specs
    ]


def insert(
    conn: Connection,
    run_id: int | None,
    rows: list[dict[str, Any]],
    now: dt.datetime,
    *,
    partnership: str = DEFAULT_PARTNERSHIP,
) -> list[int]:
    """Write ``rows`` as pending inside the caller's transaction (the run's success)."""
    ids = []
    for row in rows:
        result = conn.execute(
            messages.insert().values(
                partnership=partnership,
                run_id=run_id,
                status=PENDING,
                attempts=0,
                created_at=iso(now),
                updated_at=iso(now),
                alerted=0,
                **row,
            )
        )
        ids.append(new_id(result))
    return ids


# --- working through the rows -----------------------------------------------------------------
class DeliveryQueue:
    """Sends the rows that are due, records each one's outcome, and alerts partnership support.
    The table is created with the run ledger's (``reportgen.schedule.ledger``)."""

    def __init__(
        self,
        engine: Engine,
        settings: DeliverySettings,
        *,
        now: Callable[[], dt.datetime],
        budget: int = 4,
        backoff: dt.timedelta = dt.timedelta(minutes=5),
        owner: str | None = None,
        partnership: str = DEFAULT_PARTNERSHIP,
    ) -> None:
        self.engine = engine
        self.partnership = partnership
        self.settings = settings
        self.now = now
        self.budget = budget
        self.backoff = backoff
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.settings.outbox.path)

    # --- reading ---------------------------------------------------------------------------
    def messages(self, *, run_id: int | None = None, status: Iterable[str] | None = None) -> list[Message]:
        query = select(messages).where(messages.c.partnership == self.partnership)
        if run_id is not None:
            query = query.where(messages.c.run_id == run_id)
        if status is not None:
            query = query.where(messages.c.status.in_(list(status)))
        with self.engine.connect() as conn:
            return [Message.from_row(r) for r in conn.execute(query.order_by(messages.c.id)).mappings()]

    # --- writing ---------------------------------------------------------------------------
    def enqueue(self, run_id: int | None, rows: list[dict[str, Any]]) -> list[int]:
        with self.engine.begin() as conn:
            return insert(conn, run_id, rows, self.now(), partnership=self.partnership)

    def alert(self, job: str, period: str, run_id: int | None, subject: str, body: str) -> Message | None:
        """Tell partnership support (``[alerts] to``), through the same queue as everything else.
        Always logged at ERROR too: if the mail server is what is broken, the log is the alert."""
        log.error('event=alert job=%s period=%s outcome=raised subject="%s"', job, period, subject)
        if not self.settings.alerts.to:
            return None
        row = {
            "job": job,
            "period": period,
            "channel": ALERT,
            "target": ", ".join(self.settings.alerts.to),
            "spec": "{}",
            "parcel": json.dumps({"subject": subject, "body": body}),
        }
        [msg_id] = self.enqueue(run_id, [row])
        self.process(ids=[msg_id])
        return self.get(msg_id)

    def get(self, msg_id: int) -> Message:
        with self.engine.connect() as conn:
            return Message.from_row(conn.execute(select(messages).where(messages.c.id == msg_id)).mappings().one())

    def process(self, *, run_id: int | None = None, ids: list[int] | None = None, force: bool = False) -> list[Message]:
        """Work through open rows (of one run, or these ids, or all) whose back-off has passed
        (``force``: now, whatever the back-off). Returns the rows as they ended."""
        now = self.now()
        query = select(messages).where((messages.c.partnership == self.partnership) & messages.c.status.in_(OPEN))
        if run_id is not None:
            query = query.where(messages.c.run_id == run_id)
        if ids is not None:
            query = query.where(messages.c.id.in_(ids))
        if not force:
            query = query.where(messages.c.next_attempt_at.is_(None) | (messages.c.next_attempt_at <= iso(now)))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(messages.c.id)).mappings().all()
        done = []
        mail: list[RowMapping] = []
        for row in rows:
            if not self._take(row["id"], now):
                continue  # another service has it
            if row["channel"] in ("email", ALERT):
                mail.append(row)
            else:
                self._channel(row)
            done.append(row["id"])
        if mail:
            self._mail(mail)
        return [self.get(i) for i in done]

    def _take(self, msg_id: int, now: dt.datetime) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                messages.update()
                .where(
                    (messages.c.id == msg_id)
                    & messages.c.status.in_(OPEN)
                    & (messages.c.lease_until.is_(None) | (messages.c.lease_until < iso(now)))
                )
                .values(lease_owner=self.owner, lease_until=iso(now + LEASE))
            )
            return result.rowcount == 1

    def _finish(self, row: RowMapping, status: str, detail: str | None, *, tried: bool = True) -> None:
        now = self.now()
        attempts = row["attempts"] + (1 if tried else 0)
        values: dict[str, Any] = {
            "status": status,
            "detail": detail,
            "attempts": attempts,
            "updated_at": iso(now),
            "lease_owner": None,
            "lease_until": None,
            "next_attempt_at": None,
        }
        if status == FAILED_RETRYING:
            wait = min(self.backoff * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)
            values["next_attempt_at"] = iso(now + wait)
        alert_now = (
            row["channel"] != ALERT
            and not row["alerted"]
            and (
                status == FAILED_PERMANENT
                or (status == FAILED_RETRYING and attempts >= self.budget)
                or (status in DONE and detail and "refused" in detail)
            )
        )
        if alert_now:
            values["alerted"] = 1
        with self.engine.begin() as conn:
            conn.execute(
                messages.update()
                .where((messages.c.id == row["id"]) & (messages.c.lease_owner == self.owner))
                .values(**values)
            )
        level = logging.INFO if status in (*DONE, PENDING) else logging.WARNING
        if row["channel"] == ALERT and status in (FAILED_RETRYING, FAILED_PERMANENT):
            level = logging.ERROR  # the alert itself could not go: the log is all that is left
        log.log(
            level,
            'event=deliver job=%s period=%s outcome=%s channel=%s to="%s" attempt=%d%s',
            row["job"],
            row["period"],
            status,
            row["channel"],
            row["target"],
            attempts,
            f' detail="{detail}"' if detail else "",
        )
        if alert_now:
            why = {FAILED_PERMANENT: "was refused for good"}.get(status, f"has not gone after {attempts} attempt(s)")
            if status in DONE:
                why = "went, but some recipients were refused"
            self.alert(
                row["job"],
                row["period"],
                row["run_id"],
                f"[reportgen] DELIVERY FAILED: {row['job']} {row['period']} ({row['channel']})",
                f"The {row['channel']} delivery of {row['job']} {row['period']} to {row['target']} {why}.\n\n"
                f"Reason: {detail}\n\nSee: reportgen outbox list; reportgen history --job {row['job']}\n",
            )

    # --- channels ------------------------------------------------------------------------------
    def _channel(self, row: RowMapping) -> None:
        spec = Delivery.model_validate_json(row["spec"])
        try:
            outcome = get_channel(row["channel"], self.settings).deliver(parcel_from_json(row["parcel"]), spec)
        except DeliveryError as exc:
            self._finish(row, FAILED_PERMANENT, str(exc))
            return
        except OSError as exc:  # a full disk or an unmounted share: worth another try
            self._finish(row, FAILED_RETRYING, f"{exc.__class__.__name__}: {exc}")
            return
        self._finish(row, outcome.status, outcome.detail or None)

    def _compose(self, row: RowMapping) -> EmailMessage:
        from reportgen.deliver.email import compose

        if row["channel"] == ALERT:
            data = json.loads(row["parcel"])
            msg = EmailMessage()
            msg["Subject"] = data["subject"]
            msg["From"] = self.settings.smtp.sender
            msg["To"] = row["target"]
            msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
            msg["Message-ID"] = make_msgid()
            msg.set_content(data["body"])
            return msg
        return compose(parcel_from_json(row["parcel"]), Delivery.model_validate_json(row["spec"]), self.settings.smtp)

    def _mail(self, rows: list[RowMapping]) -> None:
        box = self.outbox
        paths = {}
        for row in rows:
            about = f"{row['job']}-{row['period']}" if row["job"] != "-" else "service"
            stem = f"q{row['id']}-" + (f"alert-{about}" if row["channel"] == ALERT else about)
            try:
                paths[row["id"]] = box.ensure(stem, functools.partial(self._compose, row))
            except (OSError, DeliveryError) as exc:  # a document vanished, the disk is full
                self._finish(row, FAILED_RETRYING, f"could not write the message: {exc}")
        rows = [r for r in rows if r["id"] in paths]
        smtp = self.settings.smtp
        if not smtp.configured:
            for row in rows:
                self._finish(row, PENDING, f"no SMTP server configured; waiting in {paths[row['id']]}", tried=False)
            return
        results: list[SendResult] = box.send_files(smtp, [paths[r["id"]] for r in rows], leased=True)
        for row, result in zip(rows, results, strict=True):
            if result.outcome == SENT_OUTCOME:
                detail = f"via {smtp.host}:{smtp.port}"
                if result.refused:
                    detail += "; refused: " + "; ".join(f"{a} ({c} {m})" for a, (c, m) in result.refused.items())
                self._finish(row, SENT, detail)
            elif result.outcome == PERMANENT:
                self._finish(row, FAILED_PERMANENT, result.error)
            else:
                assert result.outcome == RETRY
                self._finish(row, FAILED_RETRYING, f"{result.error}; waiting in {result.path}")


def read_eml(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        return email.message_from_binary_file(fh, policy=email.policy.default)
