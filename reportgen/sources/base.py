"""The contract every source connector honours.

``read()`` returns observations as a long frame (indicator, area, period, value) plus a
``row`` column naming where each came from (a file line, a sheet row, a query row), so
that validation errors can say exactly which input was wrong. Validation is shared here,
so every connector rejects the same bad input with the same message.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from reportgen.config.models import Config, Partner, SourceSpec, Unit
from reportgen.errors import ConfigError, DataError, PeriodError
from reportgen.periods import Period


class SourceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class SourceData:
    """What a connector read: observations and the files behind them (for checksums)."""

    frame: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    description: str = ""


class Source(ABC):
    """Base class. Subclasses set ``type_name`` and ``Options`` and implement ``read``."""

    registry: ClassVar[dict[str, type[Source]]] = {}
    type_name: ClassVar[str]
    Options: ClassVar[type[SourceOptions]] = SourceOptions

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "type_name", None):
            Source.registry[cls.type_name] = cls

    def __init__(self, spec: SourceSpec, partner: Partner, config: Config) -> None:
        self.spec = spec
        self.partner = partner
        self.config = config
        self.root = Path(config.root)
        try:
            self.options = self.Options.model_validate(spec.options)
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
        """Read and validate. Raises :class:`DataError` on the first bad row."""
        data = self.read()
        data.frame = validate_observations(data.frame, self.partner, self.config, data.description)
        return data


def validate_observations(
    frame: pd.DataFrame, partner: Partner | None, config: Config, where: str
) -> pd.DataFrame:
    """Check a long frame of observations against the config; return it cleaned.

    Every check is vectorised; the first failing row is reported with its place (the
    ``row`` column, e.g. "line 14" or "C14") and the offending value.
    """
    df = frame.copy()
    if df.empty:
        raise DataError("holds no observations", file=where, hint="is this the right file?")
    if "row" not in df.columns:
        df["row"] = [f"row {n + 1}" for n in range(len(df))]

    def fail(mask: pd.Series, column: str, why: str) -> None:
        if mask.any():
            first = df[mask].iloc[0]
            shown = first["_text"] if column == "value" else first[column]
            raise DataError(f"{first['row']}, column {column!r}: {shown!r} {why}", file=where)

    for column in ("indicator", "area", "period", "value"):
        if column not in df.columns:
            raise DataError(f"has no {column!r} column", file=where)
    df["indicator"] = df["indicator"].astype("string").str.strip()
    df["area"] = df["area"].astype("string").str.strip()
    df["period"] = df["period"].astype("string").str.strip()

    indicators = config.indicators
    owned = {i.id for i in partner.indicators} if partner else set(indicators)
    fail(~df["indicator"].isin(list(indicators)), "indicator", "is not a known indicator")
    fail(
        ~df["indicator"].isin(list(owned)),
        "indicator",
        f"is not an indicator {partner.id if partner else ''} owns",
    )
    fail(~df["area"].isin(list(config.partnership.area_ids)), "area", "is not a known area")

    keys = {}
    for key in df["period"].dropna().unique():
        try:
            keys[key] = Period.parse(key)
        except PeriodError:
            keys[key] = None
    fail(
        df["period"].map(lambda k: keys.get(k) is None),
        "period",
        "is not a period (use 2005-03, 2005-Q1 or 2004/05)",
    )
    df["period"] = df["period"].map(lambda k: keys[k].key)
    expected = {i: ind.frequency.period_kind for i, ind in indicators.items()}
    kind_ok = [
        keys_kind == expected[i]
        for keys_kind, i in zip(
            df["period"].map(lambda k: Period.parse(k).kind), df["indicator"], strict=True
        )
    ]
    fail(~pd.Series(kind_ok, index=df.index), "period", "is not of the indicator's frequency")

    raw = df["value"]
    as_text = raw.astype("string").str.strip()
    df["_text"] = raw.astype(str)
    numbers = pd.to_numeric(as_text.str.replace(",", "", regex=False), errors="coerce")
    fail(raw.isna() | (as_text == ""), "value", "is blank: every value cell needs a number")
    fail(numbers.isna(), "value", "is not a number")
    fail(~numbers.map(math.isfinite), "value", "is not a finite number")
    df["value"] = numbers.astype(float)
    units = df["indicator"].map(lambda i: indicators[i].unit)
    fail(
        (df["value"] < 0) & (units != Unit.SCORE),
        "value",
        "is negative; counts, rates and percentages cannot be",
    )
    fail((units == Unit.PERCENTAGE) & (df["value"] > 100), "value", "is above 100 for a percentage")

    dup = df.duplicated(["indicator", "area", "period"], keep="first")
    if dup.any():
        first = df[dup].iloc[0]
        raise DataError(
            f"{first['row']}: a second value for {first['indicator']} / {first['area']} / {first['period']}",
            file=where,
            hint="each indicator, area and period may appear once",
        )
    return df[["indicator", "area", "period", "value", "row"]].reset_index(drop=True)
