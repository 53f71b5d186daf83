"""Schema migrations of the store, run with Alembic configured in code (no alembic.ini).

The scripts live in ``reportgen/store_migrations`` and ship in the wheel. ``upgrade`` brings
a database to the newest revision: it creates a new store, or upgrades one made by an older
reportgen in place, stamping rows from before partnerships with the partnership it is given.
Only ``reportgen db upgrade`` (and the creation of a brand-new store) runs it; other commands
refuse a store at an older revision with a message naming that command, so a schema is never
changed behind the back of whoever backs the database up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from reportgen.errors import StoreError
from reportgen.store import DEFAULT_PARTNERSHIP, make_engine, redact, schema_revision

if TYPE_CHECKING:
    import sqlite3

    from alembic.config import Config

SCRIPTS = Path(__file__).resolve().parent / "store_migrations"


@dataclass(frozen=True)
class SchemaState:
    url: str
    revision: str | None  # None: never migrated
    head: str
    partnerships: tuple[str, ...]

    @property
    def current(self) -> bool:
        return self.revision == self.head


def _alembic_config(connection: Connection | None, partnership: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    config.attributes["partnership"] = partnership
    return config


def head() -> str:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None, DEFAULT_PARTNERSHIP)
    return ScriptDirectory.from_config(config).get_current_head() or ""


def _migration_engine(url: str) -> Engine:
    """An engine whose transactions really contain DDL. Python's sqlite3 commits before
    CREATE/ALTER on its own; taking over BEGIN (IMMEDIATE: the write lock at once) makes a
    migration all or nothing and lets two processes creating one store take turns."""
    make_engine(url, create=True).dispose()  # checks the URL, makes a SQLite file's folder
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _manual(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            dbapi_conn.isolation_level = None
            dbapi_conn.execute("PRAGMA busy_timeout=30000")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade(url: str, *, partnership: str = DEFAULT_PARTNERSHIP) -> SchemaState:
    """Bring the database at ``url`` to the newest revision (creating it if need be)."""
    from alembic import command

    engine = _migration_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('reportgen:migrations'))")
            command.upgrade(_alembic_config(conn, partnership), "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"could not upgrade the store at {redact(url)}: {exc.__class__.__name__}: {exc}") from None
    finally:
        engine.dispose()
    return state(url)


def state(url: str) -> SchemaState:
    """Where the database at ``url`` stands. A missing SQLite file is an error (not created)."""
    engine = make_engine(url, create=False)
    try:
        with engine.connect() as conn:
            revision = schema_revision(conn)
            partnerships: tuple[str, ...] = ()
            if revision is not None:
                rows = conn.exec_driver_sql("SELECT DISTINCT partnership FROM loads ORDER BY partnership")
                partnerships = tuple(r[0] for r in rows)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the store at {redact(url)}: {exc.__class__.__name__}: {exc}") from None
    finally:
        engine.dispose()
    return SchemaState(url=url, revision=revision, head=head(), partnerships=partnerships)
