"""Series for charts, taken from an evaluation on the same basis as its tables.

A sum indicator evaluated monthly is compared on rolling 12 months, so its trajectory
chart plots the rolling 12-month total at every month; a percentage built from a
numerator and a denominator plots the rolling totals' ratio; anything else plots its own
values. Every chart therefore shows the number the scorecard prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from reportgen.config.models import Aggregation, Config, Derived, DerivedKind, Frequency
from reportgen.periods import Kind, Period

if TYPE_CHECKING:
    from reportgen.evaluate.engine import Evaluation

_NATIVE_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}


def native_months(config: Config, indicator: str) -> int:
    return _NATIVE_MONTHS[config.indicator(indicator).frequency]


def _consecutive(series: pd.Series, step: int) -> pd.Series:
    """Reindex on every native period between the first and last, so gaps are NaN."""
    if series.empty:
        return series
    ends = [Period.parse(k).end for k in series.index]
    kind = {1: Kind.MONTH, 3: Kind.QUARTER, 12: Kind.FINANCIAL_YEAR}[step]
    keys = [Period.of_kind_at(kind, e).key for e in range(min(ends), max(ends) + 1, step)]
    return series.reindex(keys)


def upto(series: pd.Series, period: Period) -> pd.Series:
    """The part of ``series`` ending on or before the end of ``period``."""
    keep = [Period.parse(k).end <= period.end for k in series.index]
    return series[keep]


def rolling_ratio(evaluation: Evaluation, definition: Derived, area: str, window: int) -> pd.Series:
    """Percentage/ratio of the rolling sums of its numerator and denominator (a gap in
    either leaves the windows that span it empty, never a part-sum)."""
    step = _native(evaluation, definition.numerator_id)
    num = _consecutive(evaluation.series(definition.numerator_id, area), step)
    den = _consecutive(evaluation.series(definition.denominator_id, area), step)
    sums = pd.concat([num, den], axis=1, keys=["n", "d"]).rolling(window, min_periods=window).sum()
    factor = 100.0 if definition.kind is DerivedKind.PERCENTAGE else 1.0
    return (factor * sums["n"] / sums["d"]).dropna()


def rolling_gap(evaluation: Evaluation, definition: Derived, window: int) -> pd.Series:
    """How far the priority neighbourhoods' rate is above the borough's, from rolling sums of
    the counts (the gap of rolling totals, not a sum of monthly gaps)."""
    partnership = evaluation.config.partnership
    step = _native(evaluation, definition.of[0])

    def rolling(area: str) -> pd.Series:
        counts = _consecutive(evaluation.series(definition.of[0], area), step)
        return counts.rolling(window, min_periods=window).sum()

    priority = partnership.priority_areas
    if not priority:
        return pd.Series(dtype=float)
    together = pd.concat([rolling(a.id) for a in priority], axis=1).sum(axis=1, min_count=len(priority))
    priority_rate = together / sum(a.population for a in priority)
    borough_rate = rolling(partnership.borough.id) / partnership.borough.population
    return (100.0 * (priority_rate / borough_rate - 1.0)).dropna()


def _native(evaluation: Evaluation, indicator: str) -> int:
    return native_months(evaluation.config, indicator)


def compare_series(evaluation: Evaluation, indicator: str, area: str, period: Period) -> tuple[pd.Series, str]:
    """The indicator on its compare basis at every native period up to ``period``, and the
    basis in words ('rolling 12 months' or '')."""
    config = evaluation.config
    definition = config.indicator(indicator)
    step = native_months(config, indicator)
    window = 12 // step
    if isinstance(definition, Derived) and definition.kind in (DerivedKind.PERCENTAGE, DerivedKind.RATIO):
        if step < 12:
            return upto(rolling_ratio(evaluation, definition, area, window), period), "rolling 12 months"
        return upto(evaluation.series(indicator, area), period), ""
    if isinstance(definition, Derived) and definition.kind is DerivedKind.GAP:
        if step < 12:
            return upto(rolling_gap(evaluation, definition, window), period), "rolling 12 months"
        return upto(evaluation.series(indicator, area), period), ""
    native = _consecutive(evaluation.series(indicator, area), step)
    if definition.aggregation is Aggregation.SUM and step < 12:
        return upto(native.rolling(window, min_periods=window).sum().dropna(), period), "rolling 12 months"
    return upto(native.dropna(), period), ""


def yearly(evaluation: Evaluation, indicator: str, area: str, period: Period, years: int = 4) -> pd.Series:
    """Financial-year values of ``indicator`` (complete years only), the last ``years`` to ``period``."""
    series = upto(evaluation.series(indicator, area, kind=Kind.FINANCIAL_YEAR), period)
    return series.tail(years)


def yearly_denominators(
    evaluation: Evaluation, indicator: str, area: str, period: Period, years: int = 4
) -> pd.Series | None:
    """For a derived percentage, its denominator by financial year (so bars read '64% of 812')."""
    definition = evaluation.config.indicator(indicator)
    if not (isinstance(definition, Derived) and definition.kind is DerivedKind.PERCENTAGE):
        return None
    return yearly(evaluation, definition.denominator_id, area, period, years)


def monthly(evaluation: Evaluation, indicator: str, area: str, period: Period, months: int = 60) -> pd.Series:
    """Native monthly values up to ``period`` (the SPC chart's input)."""
    return upto(evaluation.series(indicator, area), period).tail(months)


def share_counts(
    evaluation: Evaluation, indicator: str, area: str, period_key: str, basis: str
) -> tuple[float, float] | None:
    """Numerator and denominator behind a derived percentage's value, on its compare basis
    ('rolling_12': the 12 months ending with ``period_key``), so tables can print '28% (150 of 536)'."""
    definition = evaluation.config.indicator(indicator)
    if not (isinstance(definition, Derived) and definition.kind is DerivedKind.PERCENTAGE):
        return None
    period = Period.parse(period_key)
    first = period.end - 11 if basis == "rolling_12" else period.start

    def total(name: str) -> float | None:
        series = evaluation.series(name, area)
        ends = [(Period.parse(k).start, Period.parse(k).end) for k in series.index]
        inside = [
            v for (s, e), v in zip(ends, series.to_numpy(), strict=True) if s >= first and e <= period.end
        ]
        covered = sum(e - s + 1 for s, e in ends if s >= first and e <= period.end)
        return float(sum(inside)) if inside and covered == period.end - first + 1 else None

    num, den = total(definition.numerator_id), total(definition.denominator_id)
    return (num, den) if num is not None and den else None
