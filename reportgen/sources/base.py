"""The contract every source connector honours.

``read()`` returns observations as a long frame (indicator, area, period, value) plus a
``row`` column naming where each came from (a file line, a sheet row, a query row), so
that validation errors can say exactly which input was wrong. Validation is shared here,
so every connector rejects the same bad input with the same message.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from reportgen.config.models import Config, Indicator, Partner, SourceSpec, Unit
from reportgen.errors import ConfigError, DataError, PeriodError
from reportgen.periods import Period

# progress(done, total, what): called by connectors that read many files
Progress = Callable[[int, int, str], None]

# At most this many problems are listed for one input; the first is in the message.
MAX_PROBLEMS = 100
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input cell: where, which column, the value, why."""

    place: str
    column: str
    value: Any
    why: str
    index: int = field(default=-1, compare=False)  # input row order, for listing problems

    def __str__(self) -> str:
        if self.column == "":  # a problem with a whole row, told in its own words
            return f"{self.place}: {self.why}"
        return f"{self.place}: {self.value!r} {self.why}"


class SourceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DropReason(StrEnum):
    """Why an input row was read but not counted. The wording is what ``pull`` prints."""

    UNKNOWN_CRIME_TYPE = "unknown crime type"
    IGNORED_CRIME_TYPE = "crime type ignored by config"
    NO_LOCATION = "no location (blank LSOA code)"
    OUTSIDE = "outside the partnership"
    UNMATCHED_LSOA = "LSOA in no area"
    IGNORED_LSOA = "LSOA in no area, ignored by config"
    MONTH_OUT_OF_RANGE = "month out of range"
    DUPLICATE = "duplicate rows across files"


@dataclass(frozen=True)
class Drop:
    """Rows left out for one reason (and one value, e.g. one crime type). ``fails``: a slip
    that fails the pull (the config did not declare it); otherwise expected and only counted."""

    reason: DropReason
    rows: int
    fails: bool
    detail: str = ""  # what exactly: "'Violence and Sexual Offences' (did you mean ...?)"


@dataclass
class RowAccount:
    """Every input row of one source, accounted for: ``read == loaded + dropped``.

    Carried from the connector through ``pull()`` to the CLI and the log, so that no row is
    lost without a count and a reason. ``notes`` say what was matched loosely (case, spaces);
    ``warnings`` flag what looks wrong without losing rows (a crime type absent from a month).
    """

    read: int = 0
    loaded: int = 0
    drops: list[Drop] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def dropped(self) -> int:
        return sum(d.rows for d in self.drops)

    @property
    def failing(self) -> list[Drop]:
        return [d for d in self.drops if d.fails]

    def by_reason(self) -> dict[DropReason, list[Drop]]:
        """Drops grouped by reason, in the order of :class:`DropReason`."""
        out: dict[DropReason, list[Drop]] = {}
        for reason in DropReason:
            items = [d for d in self.drops if d.reason == reason]
            if items:
                out[reason] = items
        return out

    def balanced(self) -> bool:
        return self.read == self.loaded + self.dropped


@dataclass
class SourceData:
    """What a connector read: observations, the files behind them (for checksums) and the
    account of its input rows (None: every row read became one observation)."""

    frame: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    description: str = ""
    account: RowAccount | None = None


def rows_text(n: int) -> str:
    """ "1 row", "11,735 rows": how a count of rows is written in messages."""
    return f"{n:,} row{'' if n == 1 else 's'}"


def normal_text(value: str) -> str:
    """A label as compared: case folded, runs of spaces made one, ends trimmed."""
    return " ".join(str(value).split()).casefold()


OptionsT = TypeVar("OptionsT", bound=SourceOptions)


class Source(ABC, Generic[OptionsT]):
    """Base class. Subclasses set ``type_name`` and ``Options`` and implement ``read``."""

    registry: ClassVar[dict[str, type[Source[Any]]]] = {}
    type_name: ClassVar[str]
    Options: ClassVar[type[SourceOptions]] = SourceOptions

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "type_name", None):
            Source.registry[cls.type_name] = cls

    def __init__(
        self,
        spec: SourceSpec,
        partner: Partner,
        config: Config,
        *,
        period: Period | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.spec = spec
        self.partner = partner
        self.config = config
        self.root = Path(config.root)
        # The period asked for, when the caller wants only part of what the source holds
        # (a SQL source passes it to its query); None means everything.
        self.period = period
        self.progress = progress
        try:
            # a subclass's Options is the class of its OptionsT: CsvSource(Source[CsvOptions]) has Options = CsvOptions
            self.options = cast(OptionsT, self.Options.model_validate(spec.options))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            raise ConfigError(
                f"partners/{partner.id}.toml",
                f"sources (id={spec.id!r}).{key}",
                err["msg"],
                hint=f"options of a {self.type_name!r} source: {', '.join(self.Options.model_fields)}",
            ) from None

    def path(self, relative: str) -> Path:
        """A path from the config, relative to the config folder."""
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    @abstractmethod
    def read(self) -> SourceData:
        """Read every observation this source holds, unvalidated, with a ``row`` column."""

    def load(self) -> SourceData:
        """Read and validate. Raises :class:`DataError` naming the first bad row, and
        :class:`RowsDropped` when rows were left out for a reason the config does not declare."""
        data = self.read()
        if data.account is None:
            # tabular connectors are all or nothing: every row read is a row loaded
            notes = list(data.frame.attrs.get("notes", []))
            data.account = RowAccount(read=len(data.frame), loaded=len(data.frame), notes=notes)
        if data.account.failing:
            raise RowsDropped(data.description, data.account)
        data.frame = validate_observations(data.frame, self.partner, self.config, data.description)
        return data

    def tick(self, done: int, total: int, what: str) -> None:
        if self.progress is not None:
            self.progress(done, total, what)


class ValidationFailed(DataError):
    """Input was rejected; ``problems`` lists every problem found (up to MAX_PROBLEMS)."""

    def __init__(self, where: str, problems: list[Problem], *, hint: str | None = None) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
        message = str(problems[0]) + (more if len(problems) > 1 else "")
        super().__init__(message, file=where, hint=hint)


class RowsDropped(DataError):
    """A source left rows out for a reason its config does not declare; ``account`` has every count."""

    HINTS: ClassVar[dict[DropReason, str]] = {
        DropReason.UNKNOWN_CRIME_TYPE: "map it in the source's crime_types, or list it in ignore_crime_types",
        DropReason.UNMATCHED_LSOA: "add the code to a neighbourhood's lsoas in partnership.toml, "
        "or set the source's ignore_unmatched_lsoas (true, or a list of codes)",
        DropReason.DUPLICATE: "keep one file per force and month in the folder",
        DropReason.OUTSIDE: "not one row is in the partnership's LSOAs: is this the right force's folder, "
        "and are partnership.toml's LSOA codes those the files use (2011 or 2021)?",
    }

    def __init__(self, where: str, account: RowAccount) -> None:
        self.account = account
        failing = account.failing
        first = failing[0]
        n = sum(d.rows for d in failing)
        message = f"{rows_text(n)} would be dropped"
        if len(failing) > 1:
            message += f", {first.rows:,} of them"
        message += f" ({first.reason})" + (f": {first.detail}" if first.detail else "")
        if len(failing) > 1:
            message += f"; and {n - first.rows:,} more (see the pull summary)"
        super().__init__(message, file=where, hint=self.HINTS.get(first.reason))


def validate_observations(
    frame: pd.DataFrame,
    partner: Partner | None,
    config: Config,
    where: str,
    *,
    periods: Collection[str] | None = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Check a long frame of observations against the config; return it cleaned.

    Every check is vectorised. Each problem is reported with its place and the offending
    value: the place is the frame's ``cell_<column>`` entry when a connector knows the
    exact cell (Excel: "C14"), else its ``row`` entry plus the column ("line 14, column
    'value'"). All problems are collected (up to MAX_PROBLEMS) so an error report can list
    them; the exception's message names the first. ``periods``, when given, are the only
    period keys allowed (a data return covers named periods only). An optional
    ``received`` column (when the partner submitted the row: ISO date or time, or a date
    cell; blank = unknown) must not be after ``now`` (the load time); it comes back as
    ``received_at``, time-zone aware (times without a zone are taken as UTC).
    """
    df = frame.copy()
    if df.empty:
        raise DataError("holds no observations", file=where, hint="is this the right file?")
    if "row" not in df.columns:
        df["row"] = [f"row {n + 1}" for n in range(len(df))]
    for column in ("indicator", "area", "period", "value"):
        if column not in df.columns:
            raise DataError(f"has no {column!r} column", file=where)
    check = _Checker(df.reset_index(drop=True))
    df = check.df
    text = {c: _text(df[c]) for c in ("indicator", "area", "period")}
    # the checks run in this order, and a row is reported for the first problem found in it
    _check_names(check, text, partner, config)
    period_key = _check_periods(check, text, config, periods)
    values = _check_values(check, text["indicator"], config)
    received = _check_received(check, now) if "received" in df.columns else None
    problems = sorted(check.problems, key=lambda p: p.index)
    if not problems:
        df["indicator"], df["area"] = text["indicator"], text["area"]
        df["period"] = period_key
        df["value"] = values
        problems = _duplicates(df)
    if problems:
        raise ValidationFailed(
            where,
            problems,
            hint="each indicator, area and period may appear once"
            if problems[0].why.startswith("a second value")
            else None,
        )
    out = df[["indicator", "area", "period", "value", "row"]].copy()
    out["indicator"] = out["indicator"].astype(str)
    out["area"] = out["area"].astype(str)
    out["period"] = out["period"].astype(str)
    if received is not None:
        out["received_at"] = received.astype(object)
    return out.reset_index(drop=True)


class _Checker:
    """The problems found in one frame so far: one per row (the first found), MAX_PROBLEMS at most."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.problems: list[Problem] = []
        self.bad = pd.Series(False, index=df.index)  # rows already reported

    def place(self, n: int, column: str) -> str:
        cell = self.df.at[n, f"cell_{column}"] if f"cell_{column}" in self.df.columns else None
        return str(cell) if cell else f"{self.df.at[n, 'row']!s}, column {column!r}"

    def fail(self, mask: pd.Series, column: str, why: str, values: pd.Series | None = None) -> None:
        """Report each row of ``mask`` not reported yet, showing ``values`` (default: the column's)."""
        mask = mask.fillna(False).astype(bool) & ~self.bad
        if not mask.any():
            return
        shown = self.df[column] if values is None else values
        for n in mask[mask].index[: MAX_PROBLEMS - len(self.problems)]:
            self.problems.append(Problem(self.place(n, column), column, _plain(shown.at[n]), why, int(n)))
        self.bad[mask] = True


def _check_names(check: _Checker, text: dict[str, pd.Series], partner: Partner | None, config: Config) -> None:
    """Indicators known and owned by the partner; areas known."""
    indicators = config.indicators
    owned = {i.id for i in partner.indicators} if partner else set(indicators)
    check.fail(text["indicator"].isna() | (text["indicator"] == ""), "indicator", "is blank: name the indicator")
    check.fail(~text["indicator"].isin(list(indicators)), "indicator", "is not a known indicator")
    check.fail(
        ~text["indicator"].isin(list(owned)),
        "indicator",
        f"is not an indicator {partner.id if partner else ''} owns",
    )
    check.fail(text["area"].isna() | (text["area"] == ""), "area", "is blank: name the area")
    check.fail(~text["area"].isin(list(config.partnership.area_ids)), "area", "is not a known area")


def _check_periods(
    check: _Checker, text: dict[str, pd.Series], config: Config, periods: Collection[str] | None
) -> pd.Series:
    """Each row's period key in canonical form (NaN where it is not a period): periods of the
    indicator's frequency and, when ``periods`` is given, one of them."""
    keys: dict[Any, Period | None] = {}
    for key in text["period"].dropna().unique():
        try:
            keys[key] = Period.parse(key)
        except PeriodError:
            keys[key] = None
    period_key = text["period"].map({k: p.key for k, p in keys.items() if p is not None})
    check.fail(period_key.isna(), "period", "is not a period (use 2005-03, 2005-Q1 or 2004/05)")
    period_kind = text["period"].map({k: str(p.kind) for k, p in keys.items() if p is not None})
    kinds = {i: str(ind.frequency.period_kind) for i, ind in config.indicators.items()}
    expected = text["indicator"].map(kinds)
    check.fail(
        period_kind.notna() & expected.notna() & (period_kind != expected),
        "period",
        "is not of the indicator's frequency",
    )
    if periods is not None:
        allowed = set(periods)
        check.fail(
            period_key.notna() & ~period_key.isin(list(allowed)),
            "period",
            f"is not a period this return covers ({', '.join(sorted(allowed))})",
        )
    return period_key


def _numbers(raw: pd.Series, as_text: pd.Series) -> pd.Series:
    """The value column as floats (NaN where it is not a number): numeric cells as they are,
    text parsed with thousands separators allowed."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return raw.astype(float)  # a feed's counts: numbers already, nothing to parse
    numeric = _per_unique(raw, lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    numeric = numeric.astype(bool)
    typed = _floats(pd.to_numeric(as_text.where(~numeric).str.replace(",", "", regex=False), errors="coerce"))
    stored = _floats(pd.to_numeric(raw.where(numeric), errors="coerce"))
    return typed.where(~numeric, stored)


def _check_values(check: _Checker, indicator: pd.Series, config: Config) -> pd.Series:
    """The values as floats: present, numbers, finite, and possible for the indicator's unit
    and within its plausible range."""
    raw = check.df["value"]
    as_text = _text(raw)
    numbers = _numbers(raw, as_text)
    blank = raw.isna() | (as_text == "") | as_text.isna()
    check.fail(blank, "value", "is blank: every value cell needs a number", as_text)
    formula = as_text.str.startswith(FORMULA_PREFIXES).fillna(False) & numbers.isna()
    check.fail(formula, "value", "is not a number (text that looks like a formula is never evaluated)", as_text)
    check.fail(numbers.isna(), "value", "is not a number", as_text)
    finite = pd.Series(np.isfinite(numbers.astype(float).to_numpy()), index=check.df.index)
    check.fail(~finite, "value", "is not a finite number", as_text)
    values = numbers.astype(float)
    units = indicator.map({i: ind.unit for i, ind in config.indicators.items()})
    check.fail(
        (values < 0) & (units != Unit.SCORE),
        "value",
        "is negative; counts, rates and percentages cannot be",
        as_text,
    )
    check.fail((units == Unit.PERCENTAGE) & (values > 100), "value", "is above 100 for a percentage", as_text)
    with np.errstate(invalid="ignore"):
        fractional = finite & (values != np.floor(values))
    check.fail((units == Unit.COUNT) & fractional, "value", "is not a whole number, and a count must be", as_text)
    _check_plausible(check, indicator, config, values, finite, as_text)
    return values


def _check_plausible(
    check: _Checker, indicator: pd.Series, config: Config, values: pd.Series, finite: pd.Series, as_text: pd.Series
) -> None:
    """Values outside their indicator's plausible_range (the message names the first's range)."""
    # derived indicators are never loaded, and have no range
    ranges = {i: ind.plausible_range for i, ind in config.indicators.items() if isinstance(ind, Indicator)}
    low = indicator.map({i: r[0] for i, r in ranges.items()})
    high = indicator.map({i: r[1] for i, r in ranges.items()})
    outside = finite & ((values < low) | (values > high))
    for n in outside[outside & ~check.bad].index[:1]:  # name the range in the message
        low_n, high_n = ranges[str(indicator.at[n])]
        check.fail(
            outside,
            "value",
            f"is outside the plausible range {_plain(low_n):,} to {_plain(high_n):,} for this indicator "
            "(set plausible_range in the partner file if the value is real)",
            as_text,
        )


def _check_received(check: _Checker, now: dt.datetime | None) -> pd.Series:
    """The received column as UTC-aware times (None where blank): dates, and not in the future."""
    column = check.df["received"]
    received = _per_unique(column, _as_moment)
    given = ~_text(column).fillna("").eq("")
    check.fail(given & received.isna(), "received", "is not a date (use 2005-04-07 or 2005-04-07T14:30)")
    moment = now or dt.datetime.now(dt.UTC)
    late = received.map(lambda v: v is not None and v > moment)
    check.fail(late, "received", f"is in the future (the data was loaded at {moment:%Y-%m-%d %H:%M} UTC)")
    return received


def _duplicates(df: pd.DataFrame) -> list[Problem]:
    """A problem for each second (third...) value of one indicator, area and period."""
    problems = []
    dup = df.duplicated(["indicator", "area", "period"], keep="first")
    for n in dup[dup].index[:MAX_PROBLEMS]:
        first = df.loc[
            (df["indicator"] == df.at[n, "indicator"])
            & (df["area"] == df.at[n, "area"])
            & (df["period"] == df.at[n, "period"])
        ].index[0]
        key = f"{df.at[n, 'indicator']!s} / {df.at[n, 'area']!s} / {df.at[n, 'period']!s}"
        why = f"a second value for {key} (the first is at {df.at[first, 'row']!s})"
        problems.append(Problem(str(df.at[n, "row"]), "", key, why, int(n)))
    return problems


def _as_moment(value: Any) -> dt.datetime | None:
    """A received cell as a UTC-aware time: datetime/date cells (Excel, SQL) or ISO text."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _per_unique(series: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``series.map(func)``, calling ``func`` once per distinct value (feeds repeat a few
    ids and periods over many rows). Missing values map to None."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.array([func(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def _floats(series: pd.Series) -> pd.Series:
    """float64 with NaN for missing, whatever numeric dtype pandas chose (Int64, Float64...)."""
    return pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index)


def _text(series: pd.Series) -> pd.Series:
    return _per_unique(series, _as_text).astype("string").str.strip()


def _as_text(value: Any) -> Any:
    """Text for a cell as the user sees it; numbers keep their stored form (12.0 -> "12")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plain(value: Any) -> Any:
    """A value as reported in a message: pandas scalars become plain Python ones."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.item() if hasattr(value, "item") else value


def period_text(value: Any) -> Any:
    """A period cell as a key: dates (Excel, SQL) become their month ("2022-03-01" -> "2022-03")."""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        return value.strip()[:7]
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T][0-9:.]+)?$")
