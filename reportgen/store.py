"""The observation store: every value ever loaded, with its history.

One row per (indicator, area, period) version. Loading a different value for a key
closes the old row (``superseded_at``) and adds a new one, so nothing is overwritten and
any past document can be rebuilt from the data "as known at" the time it was made.
Loads are recorded in ``loads`` with their counts, so the data-quality annex can say what
arrived when. SQLite through SQLAlchemy by default; any SQLAlchemy URL works.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from reportgen.errors import StoreError
from reportgen.periods import Period

DEFAULT_URL_ENV = "REPORTGEN_STORE"
DEFAULT_PATH = Path("var") / "reportgen.sqlite"

metadata = MetaData()

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True),
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
    Index("ix_obs_current", "indicator", "area", "period", "superseded_at"),
    Index("ix_obs_period", "period_end"),
)

loads = Table(
    "loads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String, nullable=False),
    Column("partner", String, nullable=False),
    Column("file", String, nullable=True),
    Column("checksum", String, nullable=True),
    Column("loaded_at", String, nullable=False),
    Column("n_new", Integer, nullable=False, default=0),
    Column("n_revised", Integer, nullable=False, default=0),
    Column("n_unchanged", Integer, nullable=False, default=0),
    Column("n_rejected", Integer, nullable=False, default=0),
)

OBS_COLUMNS = ["indicator", "area", "period", "value"]
# a version's received time: the partner's submission time when known, else our load time
RECEIVED = "COALESCE(received_at, loaded_at)"


@dataclass(frozen=True)
class LoadSummary:
    source: str
    partner: str
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    rejected: int = 0
    load_id: int | None = None

    @property
    def total(self) -> int:
        return self.new + self.revised + self.unchanged


def default_url() -> str:
    return os.environ.get(DEFAULT_URL_ENV) or f"sqlite:///{DEFAULT_PATH}"


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise StoreError("store timestamps must be time-zone aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """Observations in a SQL database. ``url`` is a SQLAlchemy URL."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        if self.url.startswith("sqlite:///") and not self.url.startswith("sqlite:///:memory:"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(self.url, future=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            metadata.create_all(self.engine)
            self._add_received_column()
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot open the store at {self.url}: {exc.__class__.__name__}: {exc}"
            ) from None

    def _add_received_column(self) -> None:
        # stores made before received_at existed gain the column; NULL reads as loaded_at
        with self.engine.begin() as conn:
            names = {c["name"] for c in inspect(conn).get_columns("observations")}
            if "received_at" not in names:
                conn.execute(text("ALTER TABLE observations ADD COLUMN received_at VARCHAR"))

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
    ) -> LoadSummary:
        """Load observations (columns indicator, area, period, value, and optionally
        received_at: when the partner submitted each, time-zone aware) in one transaction.

        New keys are added; keys whose value changed get a new version and the old one is
        kept as a revision; unchanged keys are left alone (a changed received date alone is
        not a revision). Without a received time, a version counts as received when loaded.
        All or nothing.
        """
        missing = [c for c in OBS_COLUMNS if c not in frame.columns]
        if missing:
            raise StoreError(f"observations lack columns {missing}")
        stamp = _iso(now or utcnow())
        df = frame[OBS_COLUMNS].copy()
        df["period"] = df["period"].astype(str)
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
                load_id = conn.execute(
                    loads.insert().values(
                        source=source,
                        partner=partner,
                        file=file,
                        checksum=checksum,
                        loaded_at=stamp,
                        n_rejected=rejected,
                    )
                ).inserted_primary_key[0]
                conn.execute(text("DROP TABLE IF EXISTS temp.staging"))
                conn.execute(
                    text(
                        "CREATE TEMP TABLE staging (indicator TEXT, area TEXT, period TEXT, "
                        "period_start INTEGER, period_end INTEGER, value REAL, received_at TEXT)"
                    )
                )
                rows = df[["indicator", "area", "period", "period_start", "period_end", "value", "received_at"]]
                conn.exec_driver_sql(
                    "INSERT INTO temp.staging VALUES (?, ?, ?, ?, ?, ?, ?)",
                    list(rows.itertuples(index=False, name=None)),
                )
                conn.execute(text("CREATE INDEX temp.ix_staging ON staging (indicator, area, period)"))
                counts = conn.execute(
                    text(
                        """
                        SELECT
                          SUM(o.id IS NULL),
                          SUM(o.id IS NOT NULL AND o.value <> s.value),
                          SUM(o.id IS NOT NULL AND o.value = s.value)
                        FROM staging s LEFT JOIN observations o
                          ON o.indicator = s.indicator AND o.area = s.area AND o.period = s.period
                         AND o.superseded_at IS NULL
                        """
                    )
                ).one()
                n_new, n_revised, n_unchanged = (int(c or 0) for c in counts)
                conn.execute(
                    text(
                        """
                        UPDATE observations SET superseded_at = :stamp
                        WHERE superseded_at IS NULL AND EXISTS (
                          SELECT 1 FROM staging s WHERE s.indicator = observations.indicator
                          AND s.area = observations.area AND s.period = observations.period
                          AND s.value <> observations.value)
                        """
                    ),
                    {"stamp": stamp},
                )
                conn.execute(
                    text(
                        """
                        INSERT INTO observations
                          (indicator, area, period, period_start, period_end, value,
                           source, load_id, loaded_at, received_at)
                        SELECT s.indicator, s.area, s.period, s.period_start, s.period_end, s.value,
                               :source, :load_id, :stamp, COALESCE(s.received_at, :stamp)
                        FROM staging s WHERE NOT EXISTS (
                          SELECT 1 FROM observations o WHERE o.indicator = s.indicator AND o.area = s.area
                          AND o.period = s.period AND o.superseded_at IS NULL)
                        """
                    ),
                    {"source": source, "load_id": load_id, "stamp": stamp},
                )
                conn.execute(
                    loads.update()
                    .where(loads.c.id == load_id)
                    .values(n_new=n_new, n_revised=n_revised, n_unchanged=n_unchanged)
                )
                conn.execute(text("DROP TABLE temp.staging"))
        except SQLAlchemyError as exc:
            raise StoreError(f"could not load {source}: {exc.__class__.__name__}: {exc}") from None
        return LoadSummary(source, partner, n_new, n_revised, n_unchanged, rejected, int(load_id))

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
        clauses, params = [], {}
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
            "WHERE indicator = :i AND area = :a AND period = :p ORDER BY loaded_at, id"
        )
        with self.engine.connect() as conn:
            return pd.read_sql_query(sql, conn, params={"i": indicator, "a": area, "p": period})

    def loads(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql_query(text("SELECT * FROM loads ORDER BY id"), conn)

    def last_loaded_at(self) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT MAX(loaded_at) FROM loads")).scalar()

    def revisions_since(self, since: dt.datetime) -> pd.DataFrame:
        """Observations whose value was revised after ``since`` (for the data-quality annex)."""
        sql = text(
            "SELECT indicator, area, period, value, source, loaded_at FROM observations "
            "WHERE superseded_at IS NULL AND loaded_at > :since AND EXISTS (SELECT 1 FROM observations o2 "
            "WHERE o2.indicator = observations.indicator AND o2.area = observations.area "
            "AND o2.period = observations.period AND o2.superseded_at IS NOT NULL)"
        )
        with self.engine.connect() as conn:
            return pd.read_sql_query(sql, conn, params={"since": _iso(since)})

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


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets the scheduler read while a pull writes; a busy timeout avoids spurious
    # "database is locked" when two processes touch the store at once.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
