"""Reminders to partners: before the deadline and when overdue, each sent once.

``reportgen returns remind --period P`` (run daily by a systemd timer or cron, see
docs/console.md) asks, per partner with figures still missing for ``P``: is the deadline
within ``days_before`` days (a "due-soon" reminder) or past (an "overdue" one)? Each
(partner, period, kind) is emailed once through the outbox to the partner's contacts and
recorded in the console's audit log, which is also how a second run knows it was sent.
The console's button sends one at any time (kind "by-hand"). With ``[reminders] enabled``
in schedules.toml, ``reportgen serve`` does the same on every sweep for the last
``months_back`` months (:func:`remind_recent`): the record makes a sweep every 15 minutes
send each reminder once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from reportgen.config.models import Config
from reportgen.console.db import ConsoleDb, audit, record
from reportgen.console.work import send_reminder
from reportgen.errors import DataError
from reportgen.periods import Period
from reportgen.returns.status import return_status
from reportgen.schedule.config import Schedules
from reportgen.store import Store

ACTION = "reminder"


@dataclass(frozen=True)
class Reminder:
    partner: str
    period: str
    kind: str  # due-soon, overdue
    deadline: str
    outcome: str  # sent, queued in the outbox, already sent, no email address


def _key(partner: str, period: str, kind: str) -> str:
    return f"{partner} {period} {kind}"


def _already(db: ConsoleDb, key: str) -> bool:
    query = select(audit.c.id).where(
        (audit.c.partnership == db.partnership) & (audit.c.action == ACTION) & audit.c.detail.startswith(key + ":")
    )
    with db.engine.connect() as conn:
        return conn.execute(query.limit(1)).first() is not None


def due_kind(deadline: dt.date, today: dt.date, days_before: int) -> str | None:
    if today > deadline:
        return "overdue"
    if (deadline - today).days <= days_before:
        return "due-soon"
    return None


def send_due_reminders(
    settings: Schedules,
    config: Config,
    store: Store,
    db: ConsoleDb,
    period: Period,
    *,
    today: dt.date | None = None,
    days_before: int = 3,
    console_url: str = "",
) -> list[Reminder]:
    """Send every reminder due today for ``period`` that has not been sent; returns what was decided."""
    today = today or dt.datetime.now(dt.UTC).date()
    frame = return_status(config, store, period, feeds=False, today=today)
    outstanding = frame[frame["status"].isin(["missing", "partial"])]
    out = []
    for partner_id, rows in outstanding.groupby("partner", sort=True):
        deadline = dt.date.fromisoformat(str(rows["deadline"].min()))
        kind = due_kind(deadline, today, days_before)
        if kind is None:
            continue
        key = _key(str(partner_id), period.key, kind)
        if _already(db, key):
            out.append(Reminder(str(partner_id), period.key, kind, deadline.isoformat(), "already sent"))
            continue
        try:
            to, outcome = send_reminder(settings, config, store, str(partner_id), period, console_url=console_url)
        except DataError as exc:  # no contact with an email address: said, and tried again tomorrow
            out.append(Reminder(str(partner_id), period.key, kind, deadline.isoformat(), f"not sent: {exc.message}"))
            continue
        record(db, "reportgen", ACTION, f"{key}: to {', '.join(to)}: {outcome}")
        out.append(Reminder(str(partner_id), period.key, kind, deadline.isoformat(), outcome))
    return out


def recent_months(today: dt.date, months_back: int) -> list[Period]:
    """The last ``months_back`` months that have ended before ``today``, newest first."""
    out = []
    day = today.replace(day=1)
    for _ in range(months_back):
        day = (day - dt.timedelta(days=1)).replace(day=1)
        out.append(Period.parse(day.strftime("%Y-%m")))
    return out


def remind_recent(settings: Schedules, *, today: dt.date) -> list[Reminder]:
    """The service's reminder job: :func:`send_due_reminders` for each recent month, with the
    ``[reminders]`` settings of schedules.toml."""
    from reportgen.config import load_config
    from reportgen.console.db import open_db
    from reportgen.store import default_url

    config = load_config(settings.config_dir)
    url = settings.store or default_url()
    store = Store(url, partnership=config.partnership.id, create=False)
    db = open_db(url, config.partnership.id)
    rules = settings.reminders
    try:
        return [
            r
            for period in recent_months(today, rules.months_back)
            for r in send_due_reminders(settings, config, store, db, period, today=today,
                                        days_before=rules.days_before, console_url=rules.console_url)  # fmt: skip
        ]
    finally:
        store.dispose()
        db.engine.dispose()
