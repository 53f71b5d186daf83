"""The figures public documents may print, worked out once per run for every area.

A quarterly leaflet compares the quarter with the same quarter a year earlier, for all
recorded crime and each crime type that makes it up, for the borough and every
neighbourhood, plus crime rates per 1,000 residents against the comparator areas
(Greater Manchester, England and Wales). Every count passes disclosure control here, as
one grid per quarter (neighbourhoods x crime types with both margins), so the leaflets of
all areas together never let a reader recover a small count: the same protected figures
feed the borough leaflet, each neighbourhood's leaflet, the poster and the web page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from reportgen.config.models import Config, Derived, DerivedKind, Unit
from reportgen.errors import LookupFailure
from reportgen.periods import Kind, Period
from reportgen.reports.disclosure import (
    Figure,
    ProtectedGrid,
    change_pct_figure,
    count_figure,
    difference_figure,
    hide,
    is_missing,
    protect_grid,
    protect_group,
    protect_parts,
    rate_figure,
    rolling_figure,
)

CRIME_OPTION = "crime_indicator"


@dataclass(frozen=True)
class TypeRow:
    """One crime type in one area: this quarter, the same quarter last year, the change."""

    indicator: str
    title: str
    current: Figure
    previous: Figure
    difference: Figure
    change_pct: Figure
    polarity: str


@dataclass(frozen=True)
class AreaFigures:
    area_id: str
    area_name: str
    population: int
    crime: Figure  # all recorded crime, this quarter
    crime_last_year: Figure  # the same quarter a year earlier
    difference: Figure
    change_pct: Figure
    rate: Figure  # per 1,000 residents, this quarter
    rate_last_year: Figure
    types: tuple[TypeRow, ...]  # the crime types of the breakdown
    types_total: Figure  # their sum (e.g. the ten recorded-crime types), this quarter
    types_total_last_year: Figure
    threshold: int


@dataclass(frozen=True)
class Comparison:
    """Crime per 1,000 residents in one place, this quarter and a year earlier."""

    area_id: str
    name: str
    rate: float | None
    rate_last_year: float | None


@dataclass(frozen=True)
class RollingFigures:
    """The borough's 12-month figures for a headline: '13% down in the 12 months to March'."""

    indicator: str
    title: str
    current: Figure
    previous: Figure
    period: Period  # the 12 months ending with the quarter
    polarity: str


@dataclass(frozen=True)
class PublicFigures:
    period: Period
    crime_indicator: str
    crime_title: str
    breakdown_indicator: str | None
    breakdown_title: str
    borough: AreaFigures
    areas: dict[str, AreaFigures]  # neighbourhoods, in config order
    comparisons: tuple[Comparison, ...]  # the borough first, then the comparators
    rolling: tuple[RollingFigures, ...]  # all crime first, then each crime type
    grids: tuple[ProtectedGrid, ...]  # (this quarter, same quarter last year) when there are types

    def area(self, area_id: str) -> AreaFigures:
        if area_id == self.borough.area_id:
            return self.borough
        try:
            return self.areas[area_id]
        except KeyError:
            known = ", ".join(self.areas)
            raise LookupFailure(f"No neighbourhood {area_id!r}.", hint=f"Known areas: {known}.") from None


def _threshold(config: Config, indicator: str) -> int:
    return int(getattr(config.indicators[indicator], "small_number_threshold", 0) or 0)


def _first_target_indicator(config: Config) -> str | None:
    """Big target 1's indicator in the newest strategy (the one the public hears about)."""
    for strategy in sorted(config.strategies, key=lambda s: s.target.end, reverse=True):
        for target in sorted(strategy.targets, key=lambda t: t.number):
            if target.measures:
                return target.measures[0].indicator
    return None


def crime_indicator(config: Config, options: dict[str, Any] | None = None) -> str:
    """The indicator counting all crime, for the headline and the comparisons.

    Named by the ``crime_indicator`` option; else the count behind the first rate per
    1,000 residents (the rate the partnership compares with other areas); else the
    indicator of big target 1 of the first strategy (a rate followed back to its count).
    """
    options = options or {}
    indicators = config.indicators
    chosen = options.get(CRIME_OPTION)
    if not chosen:
        for d in config.derived:
            if d.kind is DerivedKind.RATE_PER_1000 and indicators.get(d.of[0]) is not None \
                    and indicators[d.of[0]].unit is Unit.COUNT:
                chosen = d.of[0]
                break
    chosen = chosen or _first_target_indicator(config)
    if not chosen or chosen not in indicators:
        raise LookupFailure(
            f"Cannot tell which indicator counts all recorded crime (got {chosen!r}).",
            hint="Add a rate_per_1000 derived indicator of it, or pass the crime_indicator option.",
        )
    spec = indicators[chosen]
    if isinstance(spec, Derived) and spec.kind is DerivedKind.RATE_PER_1000:
        chosen = spec.of[0]
    return chosen


def breakdown_indicator(config: Config, crime: str, options: dict[str, Any] | None = None) -> str | None:
    """The derived sum whose parts the leaflet lists by crime type: the headline indicator
    if it is a sum, else big target 1's indicator if that is (the government's set of ten
    recorded-crime types in the demo), else None (no breakdown)."""
    options = options or {}
    for candidate in (options.get("types_indicator"), crime, _first_target_indicator(config)):
        spec = config.indicators.get(candidate) if candidate else None
        if isinstance(spec, Derived) and spec.kind is DerivedKind.SUM:
            return candidate
    return None


def crime_types(config: Config, total: str | None) -> tuple[str, ...]:
    """The count indicators that add up to ``total`` (empty if there is none)."""
    spec = config.indicators.get(total) if total else None
    if isinstance(spec, Derived) and spec.kind is DerivedKind.SUM:
        return tuple(i for i in spec.of if config.indicators[i].unit is Unit.COUNT)
    return ()


def _value(series: pd.Series, key: str) -> float | None:
    if key not in series.index:
        return None
    value = series.loc[key]
    return None if is_missing(value) or (isinstance(value, float) and math.isnan(value)) else float(value)


_EMPTY = pd.Series(dtype=float)


class _Series:
    """Memoised quarterly series, so each (indicator, area) is aggregated once per run."""

    def __init__(self, evaluation: Any, kind: Kind) -> None:
        self.evaluation = evaluation
        self.kind = kind
        self.cache: dict[tuple[str, str], pd.Series] = {}
        self.loaded: set[str] = set()

    def get(self, indicator: str, area: str) -> pd.Series:
        key = (indicator, area)
        if indicator not in self.loaded:
            # Every area's series of the indicator at once: one pass instead of one per area.
            self.loaded.add(indicator)
            try:
                by_area = self.evaluation.series_by_area(indicator, kind=self.kind)
            except (KeyError, LookupError):
                by_area = {}
            for name, values in by_area.items():
                self.cache[(indicator, name)] = values
        return self.cache.get(key, _EMPTY)

    def at(self, indicator: str, area: str, period: Period) -> float | None:
        return _value(self.get(indicator, area), period.key)


def _quarter_of(period: Period) -> Period:
    """The quarter a leaflet covers: the period itself, or the quarter ending with it."""
    if period.kind is Kind.QUARTER:
        return period
    return Period.of_kind_at(Kind.QUARTER, period.end)


@dataclass
class _Grids:
    """What every area's figures are cut from: the quarter and the same quarter a year earlier,
    the crime types, their thresholds and the protected grids (see :func:`public_figures`)."""

    config: Config
    series: _Series
    quarter: Period
    last_year: Period
    crime: str
    breakdown: str | None
    types: tuple[str, ...]
    thresholds: dict[str, int]
    crime_threshold: int

    @property
    def borough(self) -> Any:
        return self.config.partnership.borough

    @property
    def rows(self) -> list[str]:
        return [a.id for a in self.config.partnership.neighbourhoods]

    def types_grid(self, q: Period) -> ProtectedGrid:
        """Neighbourhoods x crime types with both margins, protected as one grid."""
        series, rows, breakdown = self.series, self.rows, self.breakdown
        cells = {(r, t): series.at(t, r, q) for r in rows for t in self.types}
        return protect_grid(
            cells,
            self.thresholds,
            row_totals={r: series.at(breakdown, r, q) for r in rows} if (rows and breakdown) else None,
            column_totals={t: series.at(t, self.borough.id, q) for t in self.types},
            grand_total=series.at(breakdown, self.borough.id, q) if breakdown else None,
        )

    def crime_figures(self, q: Period, grid: ProtectedGrid | None) -> tuple[dict[str, Figure], Figure]:
        """All crime by neighbourhood (parts of the borough's), protected as a group; an
        area is also hidden when all crime minus its published breakdown total would be a
        small count of 'other' crime."""
        series, rows, borough, threshold = self.series, self.rows, self.borough, self.crime_threshold
        if grid is not None and self.breakdown == self.crime:
            grand = grid.grand_total or count_figure(series.at(self.crime, borough.id, q), threshold)
            return {r: grid.row_totals.get(r) or count_figure(None, threshold) for r in rows}, grand
        cells, total = protect_parts({r: series.at(self.crime, r, q) for r in rows}, threshold,
                                     total=series.at(self.crime, borough.id, q))
        if grid is not None:
            cells, total = self._hide_small_rest(cells, total, grid)
            cells, total, _moved = protect_group(cells, total, threshold)
        return cells, total or count_figure(None, threshold)

    def _hide_small_rest(self, cells: dict[str, Figure], total: Figure | None, grid: ProtectedGrid
                         ) -> tuple[dict[str, Figure], Figure | None]:
        """Hide an area's all-crime figure when it minus its types' total is a small count."""
        borough = self.borough.id
        pairs = [(r, cells[r], grid.row_totals.get(r)) for r in self.rows]
        if total is not None and grid.grand_total is not None:
            pairs.append((borough, total, grid.grand_total))
        for key, whole, part in pairs:
            if not (whole.shown and part is not None and part.shown):
                continue
            rest = whole.number - part.number
            if 0 < rest < self.crime_threshold:
                if key == borough:
                    total = hide(whole, self.crime_threshold)
                else:
                    cells[key] = hide(whole, self.crime_threshold)
        return cells, total


def _type_rows(grids: _Grids, now: ProtectedGrid, then: ProtectedGrid, area_id: str) -> tuple[TypeRow, ...]:
    out = []
    for t in grids.types:
        if area_id == grids.borough.id:
            cur = now.column_totals.get(t) or count_figure(None, grids.thresholds[t])
            prev = then.column_totals.get(t) or count_figure(None, grids.thresholds[t])
        else:
            cur, prev = now.cells[(area_id, t)], then.cells[(area_id, t)]
        spec = grids.config.indicators[t]
        out.append(TypeRow(t, spec.label, cur, prev, difference_figure(cur, prev),
                           change_pct_figure(cur, prev), str(spec.polarity)))
    return tuple(out)


def _comparisons(grids: _Grids, borough: AreaFigures) -> tuple[Comparison, ...]:
    out = [Comparison(borough.area_id, borough.area_name, borough.rate.safe_value, borough.rate_last_year.safe_value)]
    for comp in grids.config.partnership.comparators:
        now = grids.series.at(grids.crime, comp.id, grids.quarter)
        then = grids.series.at(grids.crime, comp.id, grids.last_year)
        # Comparator rates are large published statistics: no suppression needed.
        out.append(Comparison(
            comp.id, comp.name,
            None if now is None else now / comp.population * 1000,
            None if then is None else then / comp.population * 1000,
        ))
    return tuple(out)


def public_figures(config: Config, evaluation: Any, period: Period, options: dict[str, Any] | None = None
                   ) -> PublicFigures:
    """Every protected figure the public documents for ``period`` may print."""
    quarter = _quarter_of(period)
    crime = crime_indicator(config, options)
    breakdown = breakdown_indicator(config, crime, options)
    types = crime_types(config, breakdown)
    thresholds = {t: _threshold(config, t) for t in types}
    grids = _Grids(
        config=config,
        series=_Series(evaluation, Kind.QUARTER),
        quarter=quarter,
        last_year=quarter.same_period_last_year(),
        crime=crime,
        breakdown=breakdown,
        types=types,
        thresholds=thresholds,
        crime_threshold=max([_threshold(config, crime), *thresholds.values()]),
    )
    borough = config.partnership.borough
    now_grid = grids.types_grid(quarter) if types else None
    then_grid = grids.types_grid(grids.last_year) if types else None
    now_crime, now_borough = grids.crime_figures(quarter, now_grid)
    then_crime, then_borough = grids.crime_figures(grids.last_year, then_grid)
    missing = count_figure(None, grids.crime_threshold)

    def area_figures(area_id: str, name: str, population: int) -> AreaFigures:
        if area_id == borough.id:
            cur, prev = now_borough, then_borough
            t_cur = now_grid.grand_total if now_grid else None
            t_prev = then_grid.grand_total if then_grid else None
        else:
            cur, prev = now_crime.get(area_id, missing), then_crime.get(area_id, missing)
            t_cur = now_grid.row_totals.get(area_id) if now_grid else None
            t_prev = then_grid.row_totals.get(area_id) if then_grid else None
        return AreaFigures(
            area_id=area_id,
            area_name=name,
            population=population,
            crime=cur,
            crime_last_year=prev,
            difference=difference_figure(cur, prev),
            change_pct=change_pct_figure(cur, prev),
            rate=rate_figure(cur, population),
            rate_last_year=rate_figure(prev, population),
            types=_type_rows(grids, now_grid, then_grid, area_id) if now_grid and then_grid else (),
            types_total=t_cur or missing,
            types_total_last_year=t_prev or missing,
            threshold=grids.crime_threshold,
        )

    borough_figures = area_figures(borough.id, borough.name, borough.population)
    areas = {a.id: area_figures(a.id, a.name, a.population) for a in config.partnership.neighbourhoods}
    return PublicFigures(
        period=quarter,
        crime_indicator=crime,
        crime_title=config.indicators[crime].label,
        breakdown_indicator=breakdown,
        breakdown_title=config.indicators[breakdown].label if breakdown else "",
        borough=borough_figures,
        areas=areas,
        comparisons=_comparisons(grids, borough_figures),
        rolling=(_rolling(config, grids.series, crime, borough.id, quarter),),
        grids=tuple(g for g in (now_grid, then_grid) if g is not None),
    )


def _rolling(config: Config, series: _Series, indicator: str, area: str, quarter: Period) -> RollingFigures:
    threshold = _threshold(config, indicator)
    year = Period(quarter.end - 11, quarter.end, Kind.RANGE)

    def total(end_quarter: Period) -> tuple[list[float | None], float | None]:
        quarters = [end_quarter.shift(-3 * k) for k in range(4)]
        values = [series.at(indicator, area, q) for q in quarters]
        known = [v for v in values if v is not None]
        return values, (sum(known) if len(known) == len(values) else None)

    now_q, now_total = total(quarter)
    then_q, then_total = total(quarter.same_period_last_year())
    spec = config.indicators[indicator]
    return RollingFigures(
        indicator=indicator,
        title=spec.label,
        current=rolling_figure(now_q, now_total, threshold),
        previous=rolling_figure(then_q, then_total, threshold),
        period=year,
        polarity=str(spec.polarity),
    )
