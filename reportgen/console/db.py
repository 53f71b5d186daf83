"""The console's own tables, on its own SQLAlchemy metadata, in the store's database.

Created on start with ``create_all`` (the store has no migration framework of its own in
this branch): ``console_users`` (accounts and lockout state) and ``console_audit`` (who did
what, when, from where).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, event, insert, select
from sqlalchemy.engine import Engine

metadata = MetaData()

users = Table(
    "console_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String, nullable=False, unique=True),
    Column("role", String, nullable=False),  # support, partner, comms, board
    Column("partner", String, nullable=True),  # the partner id a partner account is bound to
    Column("email", String, nullable=False, default=""),
    Column("password_hash", String, nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_at", String, nullable=True),
    Column("created_at", String, nullable=False),
    Column("last_login_at", String, nullable=True),
)

audit = Table(
    "console_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String, nullable=False),
    Column("username", String, nullable=False),  # "-" before sign-in
    Column("action", String, nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("ip", String, nullable=False, default=""),
)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # the console, the service and the CLI share the file: WAL and a busy timeout
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def open_db(url: str) -> Engine:
    """An engine on ``url`` with the console's tables created if missing."""
    from pathlib import Path

    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _pragmas)
    metadata.create_all(engine)
    return engine


@dataclass(frozen=True)
class AuditEntry:
    at: str
    username: str
    action: str
    detail: str
    ip: str


def record(engine: Engine, username: str, action: str, detail: str = "", ip: str = "") -> None:
    """One line in the audit log."""
    with engine.begin() as conn:
        conn.execute(insert(audit).values(at=now_iso(), username=username, action=action, detail=detail, ip=ip))


def recent(engine: Engine, limit: int = 200) -> list[AuditEntry]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit).order_by(audit.c.id.desc()).limit(limit)).mappings().all()
    return [AuditEntry(r["at"], r["username"], r["action"], r["detail"], r["ip"]) for r in rows]
