"""A partner's database: a SQLAlchemy URL plus a query with named parameters for the period.

The query returns one row per indicator, area and period (column names mapped as for a
CSV). It may use these named parameters, filled in from the period asked for (or from the
source's ``since``/``until``, or all time):

- ``:first_month``, ``:last_month``: month keys, "2022-03";
- ``:first_day``, ``:last_day``: ISO dates, "2022-03-01" and "2022-03-31".

Extra fixed parameters can be given in ``params``. A relative SQLite path in the URL is
taken from the config folder.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
from pydantic import model_validator

from reportgen.errors import ConfigError, DataError, PeriodError
from reportgen.periods import Kind, Period, month_index
from reportgen.sources.base import Source, SourceData
from reportgen.sources.tabular import TableOptions, to_long

# "all time" when no period is asked for: wide enough for any partnership's records
ALL_TIME = Period(month_index(1900, 1), month_index(2999, 12), Kind.RANGE)


class SqlOptions(TableOptions):
    # The database's SQLAlchemy URL, or (better, so no password sits in a config file) the
    # name of an environment variable that holds it: url_env = "POLICE_DB_URL".
    url: str | None = None
    url_env: str | None = None
    query: str
    params: dict[str, Any] = {}
    since: str | None = None  # period keys bounding what is read when no period is asked for
    until: str | None = None


    @model_validator(mode="after")
    def _one_url(self) -> SqlOptions:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give the database as url or as url_env (an environment variable's name), not both")
        return self

    def resolved_url(self) -> str:
        if self.url is not None:
            return self.url
        value = os.environ.get(self.url_env or "")
        if not value:
            raise LookupError(self.url_env)
        return value


class SqlSource(Source[SqlOptions]):
    type_name = "sql"
    Options = SqlOptions

    def read(self) -> SourceData:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError

        opts = self.options
        key = f"sources (id={self.spec.id!r})"
        try:
            url = make_url(opts.resolved_url())
        except LookupError:
            raise ConfigError(
                f"partners/{self.partner.id}.toml",
                f"{key}.url_env",
                f"the environment variable {opts.url_env!r} is not set",
                hint="set it in the service's environment (systemd: Environment= or EnvironmentFile=)",
            ) from None
        except ArgumentError as exc:
            raise ConfigError(f"partners/{self.partner.id}.toml", f"{key}.url", str(exc)) from None
        if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
            database = self.path(url.database)
            url = url.set(database=str(database))
            if not database.exists():
                raise DataError("does not exist", file=url.database, hint="check the source's 'url'")
        shown = url.render_as_string(hide_password=True)
        period = self.period or self._bounds()
        params = dict(opts.params) | {
            "first_month": Period(period.start, period.start, Kind.MONTH).key,
            "last_month": Period(period.end, period.end, Kind.MONTH).key,
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
        }
        statement = text(opts.query)
        used = {name for name in params if name in statement.compile().params}
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                raw = pd.read_sql_query(statement, conn, params={k: params[k] for k in used})
        except (SQLAlchemyError, pd.errors.DatabaseError) as exc:
            # pandas wraps the driver's error; the driver's own message is the useful part
            cause = exc.__cause__ if isinstance(exc, pd.errors.DatabaseError) and exc.__cause__ else exc
            reason = str(getattr(cause, "orig", None) or cause).splitlines()[0]
            raise DataError(
                f"the query failed: {reason}",
                file=shown,
                hint=f"check the query of source {self.spec.id!r} in partners/{self.partner.id}.toml",
            ) from None
        finally:
            engine.dispose()
        if raw.empty:
            raise DataError(
                f"the query returned no rows for {params['first_month']} to {params['last_month']}",
                file=shown,
            )
        raw = raw.astype(object).where(raw.notna(), None)
        out = to_long(raw, opts, shown)
        out["row"] = [f"query row {n + 1}" for n in range(len(out))]
        files = [self.path(url.database)] if url.drivername.startswith("sqlite") and url.database else []
        return SourceData(frame=out, files=files, description=shown)

    def _bounds(self) -> Period:
        opts = self.options
        try:
            start = Period.parse(opts.since).start if opts.since else ALL_TIME.start
            end = Period.parse(opts.until).end if opts.until else ALL_TIME.end
        except PeriodError as exc:
            raise ConfigError(
                f"partners/{self.partner.id}.toml", f"sources (id={self.spec.id!r}).since/until", str(exc)
            ) from None
        return Period(start, end, Kind.RANGE)
