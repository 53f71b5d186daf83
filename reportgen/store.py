"""The observation store: every value ever loaded, with its history, per partnership.

One row per (partnership, indicator, area, period) version. Loading a different value for a
key closes the old row (``superseded_at``) and adds a new one, so nothing is overwritten and
any past document can be rebuilt from the data "as known at" the time it was made.
Loads are recorded in ``loads`` with their counts, so the data-quality annex can say what
arrived when. Every row carries its partnership and a :class:`Store` reads and writes one
partnership only, so several partnerships share one database without touching each other.

SQLite by default; PostgreSQL (``postgresql+psycopg://...``) for a county or national
deployment. The SQL is SQLAlchemy Core or plain bound parameters, so it runs on both. The
schema is managed by Alembic migrations (``reportgen/store_migrations``): a new store is
created at the newest revision; an existing one is upgraded only by ``reportgen db upgrade``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, CursorResult, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from reportgen.errors import StoreError
from reportgen.logsetup import redact
from reportgen.periods import Period

if TYPE_CHECKING:
    import sqlite3

DEFAULT_URL_ENV = "REPORTGEN_STORE"
DEFAULT_PATH = Path("var") / "reportgen.sqlite"
# The partnership of rows written before stores had several (and of callers that name none).
DEFAULT_PARTNERSHIP = "default"
# The Alembic revision this code reads and writes; tests check it is the migrations' head.
SCHEMA_REVISION = "0004_figure_notes"

metadata = MetaData()

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partnership", String, nullable=False),
    Column("indicator", String, nullable=False),
    Column("area", String, nullable=False),
    Column("period", String, nullable=False),
    Column("period_start", Integer, nullable=False),
    Column("period_end", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("source", String, nullable=False),
    Column("load_id", Integer, nullable=False),
    Column("loaded_at", String, nullable=False),
    Column("superseded_at", String, nullable=True),
    # when the partner submitted this version (a return's own date); NULL = when we loaded it
    Column("received_at", String, nullable=True),
    Index("ix_obs_key", "partnership", "indicator", "area", "period"),
    # at most one current version per key, whatever two concurrent loads do
    Index(
        "uq_obs_current",
        "partnership",
        "indicator",
        "area",
        "period",
        unique=True,
        sqlite_where=text("superseded_at IS NULL"),
        postgresql_where=text("superseded_at IS NULL"),
    ),
    Index("ix_obs_period", "partnership", "period_end"),
)

loads = Table(
    "loads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partnership", String, nullable=False),
    Column("source", String, nullable=False),
    Column("partner", String, nullable=False),
    Column("file", String, nullable=True),
    Column("checksum", String, nullable=True),
    Column("loaded_at", String, nullable=False),
    Column("n_new", Integer, nullable=False, default=0),
    Column("n_revised", Integer, nullable=False, default=0),
    Column("n_unchanged", Integer, nullable=False, default=0),
    Column("n_rejected", Integer, nullable=False, default=0),
    Index("ix_loads_partnership", "partnership"),
)

OBS_COLUMNS = ["indicator", "area", "period", "value"]
# a version's received time: the partner's submission time when known, else our load time
RECEIVED = "COALESCE(received_at, loaded_at)"
_PARTNERSHIP_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


@dataclass(frozen=True)
class LoadSummary:
    source: str
    partner: str
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    rejected: int = 0
    load_id: int | None = None
    not_available: int = 0  # figures the partner marked not available (store_notes.py)

    @property
    def total(self) -> int:
        return self.new + self.revised + self.unchanged


@dataclass(frozen=True)
class Receipt:
    """What arrived of one observation: when its first version was received (the partner's
    submission time, else our load time), the latest received time, the latest load time, and
    how many versions there are. Times are UTC ISO text, as stored."""

    first: str
    last: str
    last_loaded: str
    versions: int


def default_url() -> str:
    return os.environ.get(DEFAULT_URL_ENV) or f"sqlite:///{DEFAULT_PATH}"


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise StoreError("store timestamps must be time-zone aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def new_id(result: CursorResult[Any]) -> int:
    """The primary key of the one row an INSERT has just written."""
    key = result.inserted_primary_key
    if key is None:  # SQLAlchemy gives None only for statements other than a one-row INSERT
        raise StoreError("the insert returned no primary key")
    return int(key[0])


def make_engine(url: str, *, create: bool) -> Engine:
    """An engine for ``url``. With ``create`` a SQLite file's folder is made; without it a
    missing SQLite file is an error naming the URL (connecting would create it)."""
    try:
        make_url(url)
    except ArgumentError:
        raise StoreError(
            f"{url!r} is not a database URL",
            hint="give a SQLAlchemy URL such as sqlite:///var/reportgen.sqlite or postgresql+psycopg://host/db",
        ) from None
    path = sqlite_path(url)
    if path is not None:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.is_file():
            raise StoreError(
                f"there is no store at {redact(url)} ({path} does not exist)",
                hint="check --store or $REPORTGEN_STORE, or run `reportgen pull` to create it",
            )
    try:
        engine = create_engine(url, future=True)
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot open the store at {redact(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at (None: never migrated)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_schema(conn: Connection, url: str) -> str:
    """'current', 'empty' (no store here yet), or a StoreError naming `reportgen db upgrade`."""
    revision = schema_revision(conn)
    if revision == SCHEMA_REVISION:
        return "current"
    if revision is None and not inspect(conn).has_table("observations"):
        return "empty"
    found = f"schema revision {revision}" if revision else "a schema from before partnerships"
    raise StoreError(
        f"the store at {redact(url)} has {found}; this reportgen needs {SCHEMA_REVISION}",
        hint=f"back it up, then run `reportgen db upgrade --store {redact(url)} --config DIR` "
        "(DIR: the partnership its existing rows belong to)",
    )


class Store:
    """One partnership's observations in a SQL database.

    ``url`` is a SQLAlchemy URL. ``partnership`` (the config's ``partnership.id``) scopes
    every read and write. With ``create=False`` (read-only commands) a store that does not
    exist yet is an error naming the URL, and nothing is created.
    """

    def __init__(self, url: str | None = None, *, partnership: str = DEFAULT_PARTNERSHIP, create: bool = True) -> None:
        self.url = url or default_url()
        if not _PARTNERSHIP_ID.match(partnership):
            raise StoreError(f"{partnership!r} is not a partnership id (lower-case letters, digits, - and _)")
        self.partnership = partnership
        self.engine: Engine = make_engine(self.url, create=create)
        try:
            with self.engine.connect() as conn:
                state = check_schema(conn, self.url)
            if state == "empty":
                if not create:
                    raise StoreError(
                        f"there is no store at {redact(self.url)} (the database has no observations table)",
                        hint="check --store or $REPORTGEN_STORE, or run `reportgen pull` to create it",
                    )
                from reportgen.migrations import upgrade

                upgrade(self.url, partnership=partnership)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(
                f"cannot open the store at {redact(self.url)}: {exc.__class__.__name__}: {_first_line(exc)}"
            ) from None
        except StoreError:
            self.engine.dispose()
            raise

    def require(self, partnership: str) -> None:
        """Refuse to work for another partnership than the one this store was opened for
        (its figures would be filed, or looked for, under the wrong key)."""
        if partnership != self.partnership:
            raise StoreError(
                f"this store was opened for partnership {self.partnership!r}, not {partnership!r}",
                hint="open it with Store(url, partnership=config.partnership.id)",
            )

    # --- writing ----------------------------------------------------------------------
    def load(
        self,
        frame: pd.DataFrame,
        *,
        source: str,
        partner: str,
        file: str | None = None,
        checksum: str | None = None,
        rejected: int = 0,
        now: dt.datetime | None = None,
        notes: pd.DataFrame | None = None,
    ) -> LoadSummary:
        """Load observations (columns indicator, area, period, value, and optionally
        received_at: when the partner submitted each, time-zone aware) in one transaction.

        New keys are added; keys whose value changed get a new version and the old one is
        kept as a revision; unchanged keys are left alone (a changed received date alone is
        not a revision). Without a received time, a version counts as received when loaded.
        All or nothing. ``notes`` (indicator, area, period, note, not_available), when given,
        sets the partner's notes on the keys the load covers (:mod:`reportgen.store_notes`).
        """
        missing = [c for c in OBS_COLUMNS if c not in frame.columns]
        if missing:
            raise StoreError(f"observations lack columns {missing}")
        stamp = _iso(now or utcnow())
        df = frame[OBS_COLUMNS].copy()
        for column in ("indicator", "area", "period"):
            df[column] = df[column].astype(str)
        bounds = {key: Period.parse(key) for key in df["period"].unique()}
        df["period_start"] = df["period"].map(lambda k: bounds[k].start).astype("int64")
        df["period_end"] = df["period"].map(lambda k: bounds[k].end).astype("int64")
        df["value"] = df["value"].astype(float)
        df["received_at"] = _received_column(frame)
        if df.duplicated(["indicator", "area", "period"]).any():
            dup = df[df.duplicated(["indicator", "area", "period"], keep=False)].iloc[0]
            raise StoreError(
                f"duplicate observation for {dup['indicator']} / {dup['area']} / {dup['period']} in one load"
            )
        try:
            with self.engine.begin() as conn:
                # The loads row is written first: on SQLite that takes the write lock, and on
                # PostgreSQL an advisory lock on the partnership serialises its loads, so two
                # concurrent loads never both see a key as new.
                if conn.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(func.hashtext("reportgen:" + self.partnership))))
                load_id = new_id(conn.execute(
                    loads.insert().values(
                        partnership=self.partnership,
                        source=source,
                        partner=partner,
                        file=file,
                        checksum=checksum,
                        loaded_at=stamp,
                        n_rejected=rejected,
                    )
                ))
                current = self._current_versions(conn, df)
                merged = df.merge(current, on=["indicator", "area", "period"], how="left", sort=False)
                known = merged["old_id"].notna()
                changed = known & (merged["old_value"] != merged["value"])
                n_new, n_revised = int((~known).sum()), int(changed.sum())
                n_unchanged = int(known.sum()) - n_revised
                if n_revised:
                    conn.execute(
                        observations.update().where(observations.c.id == bindparam("old")).values(superseded_at=stamp),
                        [{"old": int(i)} for i in merged.loc[changed, "old_id"]],
                    )
                fresh = merged.loc[~known | changed]
                if len(fresh):
                    received = fresh["received_at"].where(fresh["received_at"].notna(), stamp)
                    rows = pd.DataFrame(
                        {
                            "partnership": self.partnership,
                            "indicator": fresh["indicator"].astype(str),
                            "area": fresh["area"].astype(str),
                            "period": fresh["period"],
                            "period_start": fresh["period_start"].astype(int),
                            "period_end": fresh["period_end"].astype(int),
                            "value": fresh["value"].astype(float),
                            "source": source,
                            "load_id": int(load_id),
                            "loaded_at": stamp,
                            "received_at": received,
                        }
                    )
                    # the driver's own executemany: SQLAlchemy's per-row parameter handling would
                    # double the time of a large load; the placeholders follow the driver's style
                    _insert_many(conn, rows)
                conn.execute(
                    loads.update()
                    .where(loads.c.id == load_id)
                    .values(n_new=n_new, n_revised=n_revised, n_unchanged=n_unchanged)
                )
                n_na = 0
                if notes is not None:
                    from reportgen.store_notes import write_notes

                    marked, n_na = write_notes(conn, self.partnership, partner, notes, df, load_id=int(load_id),
                                               stamp=stamp)  # fmt: skip
                    if marked:  # a figure the partner now says is not available is no longer current
                        o = observations.c
                        conn.execute(
                            observations.update()
                            .where(o.partnership == self.partnership, o.indicator == bindparam("i"),
                                   o.area == bindparam("a"), o.period == bindparam("p"), o.superseded_at.is_(None))
                            .values(superseded_at=stamp),
                            [{"i": i, "a": a, "p": p} for i, a, p in marked],
                        )  # fmt: skip
        except SQLAlchemyError as exc:
            raise StoreError(f"could not load {source}: {exc.__class__.__name__}: {_first_line(exc)}") from None
        return LoadSummary(source, partner, n_new, n_revised, n_unchanged, rejected, int(load_id), n_na)

    def _current_versions(self, conn: Connection, df: pd.DataFrame) -> pd.DataFrame:
        """This partnership's current versions of the periods and indicators in ``df``:
        indicator, area, period, old_id, old_value (compared with the load in pandas, which is
        as fast as a staging table and portable)."""
        o = observations.c
        query = select(o.indicator, o.area, o.period, o.id.label("old_id"), o.value.label("old_value")).where(
            o.partnership == self.partnership,
            o.superseded_at.is_(None),
            o.period.in_(bindparam("periods", expanding=True)),
        )
        indicators = df["indicator"].unique().tolist()
        params: dict[str, list[str]] = {"periods": df["period"].unique().tolist()}
        if len(indicators) <= 500:
            query = query.where(o.indicator.in_(bindparam("indicators", expanding=True)))
            params["indicators"] = indicators
        names = ["indicator", "area", "period", "old_id", "old_value"]
        rows = conn.execute(query, params).all()
        # column by column: building a frame from Row objects makes pandas probe each one
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
        frame = pd.DataFrame({name: list(col) for name, col in zip(names, columns, strict=True)})
        return frame.astype({"indicator": str, "area": str, "period": str, "old_value": float})

    # --- reading ----------------------------------------------------------------------
    def frame(
        self,
        *,
        as_at: dt.datetime | None = None,
        indicators: list[str] | None = None,
        until: Period | None = None,
        received_by: dt.datetime | None = None,
    ) -> pd.DataFrame:
        """Current observations (or as known to us at ``as_at``, by load time): indicator,
        area, period, period_start, period_end, value, source, loaded_at, received_at.

        ``received_by`` replays what partners had submitted by then: of each observation's
        versions (known at ``as_at``, if given), the newest received at or before it.
        """
        clauses: list[str] = ["partnership = :partnership"]
        params: dict[str, str | int] = {"partnership": self.partnership}
        if received_by is not None:
            # the newest qualifying version is picked below, so superseded rows stay in play
            params["received_by"] = _iso(received_by)
            clauses.append(f"{RECEIVED} <= :received_by")
            if as_at is not None:
                params["as_at"] = _iso(as_at)
                clauses.append("loaded_at <= :as_at")
        elif as_at is None:
            clauses.append("superseded_at IS NULL")
        else:
            params["as_at"] = _iso(as_at)
            clauses.append("loaded_at <= :as_at AND (superseded_at IS NULL OR superseded_at > :as_at)")
        if until is not None:
            clauses.append("period_end <= :until")
            params["until"] = until.end
        if indicators:
            names = {f"i{n}": v for n, v in enumerate(indicators)}
            params.update(names)
            clauses.append(f"indicator IN ({', '.join(':' + k for k in names)})")
        sql = (
            "SELECT indicator, area, period, period_start, period_end, value, source, loaded_at, "
            f"{RECEIVED} AS received_at FROM observations WHERE {' AND '.join(clauses)}"
        )
        if received_by is not None:
            sql += " ORDER BY id"
        with self.engine.connect() as conn:
            df = pd.read_sql_query(text(sql), conn, params=params)
        if received_by is not None:
            df = df.drop_duplicates(["indicator", "area", "period"], keep="last").reset_index(drop=True)
        return df.astype({"period_start": "int64", "period_end": "int64", "value": "float64"})

    def history(self, indicator: str, area: str, period: str) -> pd.DataFrame:
        """Every version of one observation, oldest first."""
        sql = text(
            f"SELECT value, source, loaded_at, {RECEIVED} AS received_at, superseded_at FROM observations "
            "WHERE partnership = :pid AND indicator = :i AND area = :a AND period = :p ORDER BY loaded_at, id"
        )
        params = {"pid": self.partnership, "i": indicator, "a": area, "p": period}
        with self.engine.connect() as conn:
            return pd.read_sql_query(sql, conn, params=params)

    def loads(self) -> pd.DataFrame:
        """This partnership's loads, oldest first."""
        query = select(loads).where(loads.c.partnership == self.partnership).order_by(loads.c.id)
        with self.engine.connect() as conn:
            return pd.read_sql_query(query, conn)

    def last_loaded_at(self) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.max(loads.c.loaded_at)).where(loads.c.partnership == self.partnership)
            ).scalar()

    def partnerships(self) -> list[str]:
        """Every partnership with data in this database (not only this store's)."""
        with self.engine.connect() as conn:
            return sorted(conn.execute(select(loads.c.partnership).distinct()).scalars())

    def revisions_since(self, since: dt.datetime) -> pd.DataFrame:
        """Observations whose value was revised after ``since`` (for the data-quality annex)."""
        sql = text(
            "SELECT indicator, area, period, value, source, loaded_at FROM observations "
            "WHERE partnership = :pid AND superseded_at IS NULL AND loaded_at > :since AND EXISTS ("
            "SELECT 1 FROM observations o2 WHERE o2.partnership = observations.partnership "
            "AND o2.indicator = observations.indicator AND o2.area = observations.area "
            "AND o2.period = observations.period AND o2.superseded_at IS NOT NULL)"
        )
        with self.engine.connect() as conn:
            return pd.read_sql_query(sql, conn, params={"pid": self.partnership, "since": _iso(since)})

    def first_load_of_file(self, source: str, checksum: str) -> str | None:
        """When a file with this checksum was first loaded from ``source`` (None: never), so a
        re-sent return is recognised and not loaded twice."""
        query = (
            select(loads.c.loaded_at)
            .where(loads.c.partnership == self.partnership, loads.c.source == source, loads.c.checksum == checksum)
            .order_by(loads.c.id)
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def partners_with_data_until(self, period_end: int) -> set[str]:
        """Partners (as their loads name them) with any observation, current or revised, of a
        period ending at or after ``period_end`` (a period's ``end``): whose return is in."""
        sql = text(
            "SELECT DISTINCT l.partner FROM observations o JOIN loads l ON l.id = o.load_id "
            "WHERE o.partnership = :pid AND o.period_end >= :end"
        )
        with self.engine.connect() as conn:
            return set(conn.execute(sql, {"pid": self.partnership, "end": period_end}).scalars())

    def receipts(
        self, indicators: list[str], periods: list[str], *, received_by: dt.datetime | None = None
    ) -> dict[tuple[str, str, str], Receipt]:
        """Per (indicator, area, period) asked for that has any version (received by
        ``received_by``, if given): when it was first received, its latest received and load
        times and its number of versions."""
        if not indicators or not periods:
            return {}
        params: dict[str, object] = {"pid": self.partnership, "indicators": indicators, "periods": periods}
        by = ""
        if received_by is not None:
            params["received_by"] = received_by.astimezone(dt.UTC).isoformat(timespec="microseconds")
            by = f" AND {RECEIVED} <= :received_by"
        sql = text(
            f"SELECT indicator, area, period, loaded_at, {RECEIVED} AS received FROM observations "
            f"WHERE partnership = :pid AND indicator IN :indicators AND period IN :periods{by} ORDER BY id"
        ).bindparams(bindparam("indicators", expanding=True), bindparam("periods", expanding=True))
        with self.engine.connect() as conn:
            rows = conn.execute(sql, params).all()
        out: dict[tuple[str, str, str], Receipt] = {}
        for indicator, area, period, loaded_at, received in rows:  # oldest version first
            key = (indicator, area, period)
            seen = out.get(key)
            if seen is None:
                out[key] = Receipt(first=received, last=received, last_loaded=loaded_at, versions=1)
            else:
                out[key] = Receipt(
                    first=seen.first,
                    last=max(seen.last, received),
                    last_loaded=max(seen.last_loaded, loaded_at),
                    versions=seen.versions + 1,
                )
        return out

    def notes(
        self, *, as_at: dt.datetime | None = None, periods: list[str] | None = None, until: Period | None = None
    ) -> pd.DataFrame:
        """Partners' notes in force (see :func:`reportgen.store_notes.read_notes`)."""
        from reportgen.store_notes import read_notes

        return read_notes(self.engine, self.partnership, as_at=as_at, periods=periods, until=until)

    def dispose(self) -> None:
        self.engine.dispose()


def _received_column(frame: pd.DataFrame) -> list[str | None]:
    """Each row's received time as stored (UTC ISO text), or None when not given."""
    if "received_at" not in frame.columns:
        return [None] * len(frame)
    out: list[str | None] = []
    for value in frame["received_at"]:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out.append(None)
            continue
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else pd.Timestamp(value).to_pydatetime()
        out.append(_iso(moment))
    return out


def _tuples(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Rows as tuples of plain Python values (numpy scalars confuse some drivers)."""
    return list(zip(*(frame[c].tolist() for c in frame.columns), strict=True))


def _insert_many(conn: Connection, rows: pd.DataFrame) -> None:
    """INSERT the rows into observations: COPY on PostgreSQL (psycopg), the driver's own
    executemany when its placeholder style is known (SQLite's "?"), else through SQLAlchemy."""
    columns = list(rows.columns)
    if conn.dialect.driver == "psycopg":
        # PostgreSQL's COPY, in this transaction: several times faster than executemany
        sql = f"COPY {observations.name} ({', '.join(columns)}) FROM STDIN"
        driver = conn.connection.driver_connection
        assert driver is not None  # None only once the connection is closed, and it is open here
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in _tuples(rows):
                copy.write_row(row)
        return
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(conn.dialect.paramstyle)
    if mark is None:
        conn.execute(observations.insert(), [dict(zip(columns, t, strict=True)) for t in _tuples(rows)])
        return
    sql = f"INSERT INTO {observations.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    conn.exec_driver_sql(sql, _tuples(rows))


def _first_line(exc: BaseException) -> str:
    # driver errors carry the SQL and parameters on later lines; the first says what went wrong
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # WAL lets the scheduler read while a pull writes; a busy timeout avoids spurious
    # "database is locked" when two processes touch the store at once.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
