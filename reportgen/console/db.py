"""The console's own tables, on its own SQLAlchemy metadata, in the store's database.

The tables are made by the store's migrations (``reportgen/store_migrations/versions/
0002_console.py``; a new store gets them when it is created, an older one with
``reportgen db upgrade``). Every row carries the partnership whose console it belongs to, so
partnerships sharing a database never share accounts: ``console_users`` (accounts and
lockout state) and ``console_audit`` (who did what, when, from where).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, UniqueConstraint, insert, select
from sqlalchemy.engine import Engine

metadata = MetaData()

users = Table(
    "console_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partnership", String, nullable=False),
    Column("username", String, nullable=False),
    Column("role", String, nullable=False),  # support, partner, comms, board
    Column("partner", String, nullable=True),  # the partner id a partner account is bound to
    Column("email", String, nullable=False, default=""),
    Column("password_hash", String, nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_at", String, nullable=True),
    Column("created_at", String, nullable=False),
    Column("last_login_at", String, nullable=True),
    UniqueConstraint("partnership", "username", name="uq_console_user"),
)

audit = Table(
    "console_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partnership", String, nullable=False),
    Column("at", String, nullable=False),
    Column("username", String, nullable=False),  # "-" before sign-in
    Column("action", String, nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("ip", String, nullable=False, default=""),
)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ConsoleDb:
    """The store's engine and the partnership whose accounts and log are read and written."""

    engine: Engine
    partnership: str


def open_db(url: str, partnership: str) -> ConsoleDb:
    """The console's tables in the store at ``url``, for ``partnership``. Opening the Store
    first makes a new database (with these tables) or refuses an older schema, naming
    ``reportgen db upgrade``."""
    from reportgen.store import Store

    store = Store(url, partnership=partnership)
    return ConsoleDb(store.engine, partnership)


@dataclass(frozen=True)
class AuditEntry:
    at: str
    username: str
    action: str
    detail: str
    ip: str


def record(db: ConsoleDb, username: str, action: str, detail: str = "", ip: str = "") -> None:
    """One line in the audit log."""
    with db.engine.begin() as conn:
        conn.execute(
            insert(audit).values(
                partnership=db.partnership, at=now_iso(), username=username, action=action, detail=detail, ip=ip
            )
        )


def recent(db: ConsoleDb, limit: int = 200) -> list[AuditEntry]:
    query = select(audit).where(audit.c.partnership == db.partnership).order_by(audit.c.id.desc()).limit(limit)
    with db.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [AuditEntry(r["at"], r["username"], r["action"], r["detail"], r["ip"]) for r in rows]
