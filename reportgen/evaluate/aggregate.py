"""Aggregating observations over time, for many series at once.

Observations are held as parallel numpy arrays (:class:`Cube`): an indicator code, an area
code, the first and last month index of the period, the value (and, for percentages and
ratios, numerator and denominator). A *series* is one (indicator, area) pair, numbered
``indicator_code * n_areas + area_code`` so that every per-series result is a dense array
filled by ``np.bincount``: no Python loop runs per observation, area or series.

Semantics:

* A series' **native frequency** is its indicator's (monthly, quarterly, annual). Only rows
  of that length count; a stray quarterly row in a monthly series is ignored rather than
  double counted.
* A **window** is a run of months ``[lo, hi]`` (per indicator). Its value aggregates the
  native observations lying wholly inside it by the indicator's aggregation: ``sum``,
  ``mean`` (of the observations) or ``latest`` (the observation ending at ``hi``).
* Only **complete** windows have a value: every month of the window must be covered by an
  observation (a year to date from April to December needs all nine months). An incomplete
  window is missing, never a part-sum that would look like a fall.
* Month -> quarter -> financial year (:func:`to_kind`) follows the same rules: a quarter is
  complete with its three months, a financial year with its twelve (or four quarters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from reportgen.config.models import Aggregation
from reportgen.periods import Kind, Period

KIND_MONTHS = {Kind.MONTH: 1, Kind.QUARTER: 3, Kind.FINANCIAL_YEAR: 12}
MONTHS_KIND = {v: k for k, v in KIND_MONTHS.items()}
AGG_CODES = {Aggregation.SUM: 0, Aggregation.MEAN: 1, Aggregation.LATEST: 2}


def kind_start(start: np.ndarray, kind: Kind) -> np.ndarray:
    """First month index of the ``kind`` period containing each month index."""
    if kind is Kind.MONTH:
        return start
    if kind is Kind.QUARTER:
        return start - (start % 12) % 3
    if kind is Kind.FINANCIAL_YEAR:
        return start - (start % 12 - 3) % 12  # April (month 3 counted from 0) starts the year
    raise ValueError(f"cannot aggregate to {kind}")


def period_keys(start: np.ndarray, end: np.ndarray) -> pd.Categorical:
    """Period keys ("2005-03", "2005-Q1", "2004/05") for many rows: one format per distinct period.

    Distinct periods are found with a dense presence table over (start, length), which is
    linear in the rows (``np.unique`` would sort millions of them)."""
    start = np.asarray(start, dtype=np.int64)
    length = np.asarray(end, dtype=np.int64) - start
    if len(start) == 0:
        return pd.Categorical.from_codes(np.empty(0, dtype=np.int64), categories=pd.Index([], dtype=object))
    s0 = int(start.min())
    length = np.clip(length, 0, 15)  # periods longer than 15 months share a code: they are never stored
    code = (start - s0) * 16 + length
    present = np.bincount(code) > 0
    uniq = np.flatnonzero(present)
    lookup = np.cumsum(present) - 1
    labels = []
    for c in uniq:  # one per distinct period: a few hundred at most
        s, n = int(c // 16) + s0, int(c % 16) + 1
        labels.append(Period(s, s + n - 1, MONTHS_KIND.get(n, Kind.RANGE)).key)
    return pd.Categorical.from_codes(lookup[code], categories=pd.Index(labels, dtype=object))


@dataclass(frozen=True)
class Cube:
    """Observations as parallel arrays. ``indicators`` and ``areas`` name the codes."""

    indicators: tuple[str, ...]
    areas: tuple[str, ...]
    ind: np.ndarray  # int32 code into ``indicators``
    area: np.ndarray  # int32 code into ``areas``
    start: np.ndarray  # int32 month index
    end: np.ndarray  # int32 month index
    value: np.ndarray  # float64
    # float64, NaN unless a percentage/ratio; None when no row has parts, so that millions of
    # base rows do not carry (and copy at every take) two arrays of NaN
    numerator: np.ndarray | None
    denominator: np.ndarray | None

    @property
    def n_series(self) -> int:
        return len(self.indicators) * len(self.areas)

    @property
    def key(self) -> np.ndarray:
        return self.ind.astype(np.int64) * len(self.areas) + self.area

    def __len__(self) -> int:
        return len(self.value)

    def parts(self) -> tuple[np.ndarray, np.ndarray]:
        """Numerator and denominator per row (NaN where a row has none)."""
        if self.numerator is not None and self.denominator is not None:
            return self.numerator, self.denominator
        nan = np.full(len(self), np.nan)
        return (
            nan if self.numerator is None else self.numerator,
            nan if self.denominator is None else self.denominator,
        )

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        indicators: Sequence[str],
        areas: Sequence[str],
        *,
        until: int | None = None,
    ) -> Cube:
        """Rows of ``frame`` (indicator, area, period_start, period_end, value) whose indicator is
        one of ``indicators`` (and, with ``until``, whose period ends by that month index); areas
        not in ``areas`` are appended to the area list. A frame with only period keys gets its
        bounds parsed from them (once per distinct key)."""
        if "period_start" not in frame or "period_end" not in frame:
            keys = frame["period"].astype(str)
            bounds = {k: Period.parse(k) for k in pd.unique(keys)}
            frame = frame.assign(
                period_start=keys.map({k: p.start for k, p in bounds.items()}).astype("int64"),
                period_end=keys.map({k: p.end for k, p in bounds.items()}).astype("int64"),
            )
        ind = _codes(frame["indicator"], list(indicators))
        area_col = frame["area"]
        known = list(areas)
        extra = sorted(set(_uniques(area_col)) - set(known))
        all_areas = [*known, *extra]
        area = _codes(area_col, all_areas)
        value = frame["value"].to_numpy(dtype=np.float64)
        # cast before filtering: numpy filters 4-byte items several times faster than 8-byte ones
        start = frame["period_start"].to_numpy().astype(np.int32, copy=False)
        end = frame["period_end"].to_numpy().astype(np.int32, copy=False)
        keep = (ind >= 0) & np.isfinite(value)
        if until is not None:  # one mask, so the rows are copied once rather than filtered again
            keep &= end <= until
        if not keep.all():
            ind, area, value, start, end = ind[keep], area[keep], value[keep], start[keep], end[keep]
        num = frame["numerator"].to_numpy(np.float64)[keep] if "numerator" in frame else None
        den = frame["denominator"].to_numpy(np.float64)[keep] if "denominator" in frame else None
        if (num is None) != (den is None):
            n = len(value)
            num = np.full(n, np.nan) if num is None else num
            den = np.full(n, np.nan) if den is None else den
        return cls(
            tuple(indicators),
            tuple(all_areas),
            ind.astype(np.int32, copy=False),
            area.astype(np.int32, copy=False),
            start.astype(np.int32, copy=False),
            end.astype(np.int32, copy=False),
            value,
            num,
            den,
        )

    def take(self, mask: np.ndarray | slice) -> Cube:
        return replace(
            self,
            ind=self.ind[mask],
            area=self.area[mask],
            start=self.start[mask],
            end=self.end[mask],
            value=self.value[mask],
            numerator=None if self.numerator is None else self.numerator[mask],
            denominator=None if self.denominator is None else self.denominator[mask],
        )

    def append(self, parts: Sequence[Cube]) -> Cube:
        every = [self, *parts]
        columns: dict[str, Any] = {  # the new cube's arrays, by field name
            name: np.concatenate([getattr(c, name) for c in every])
            for name in ("ind", "area", "start", "end", "value")
        }
        if all(c.numerator is None for c in every):
            columns["numerator"] = columns["denominator"] = None
        else:
            both = [c.parts() for c in every]
            columns["numerator"] = np.concatenate([b[0] for b in both])
            columns["denominator"] = np.concatenate([b[1] for b in both])
        return replace(self, **columns)

    def to_frame(self) -> pd.DataFrame:
        """The long frame of :attr:`Evaluation.values`."""
        numerator, denominator = self.parts()
        return pd.DataFrame(
            {
                "indicator": pd.Categorical.from_codes(
                    self.ind, categories=pd.Index(self.indicators, dtype=object)
                ),
                "area": pd.Categorical.from_codes(self.area, categories=pd.Index(self.areas, dtype=object)),
                "period": period_keys(self.start, self.end),
                "period_start": self.start.astype(np.int64),
                "period_end": self.end.astype(np.int64),
                "value": self.value,
                "numerator": numerator,
                "denominator": denominator,
            }
        )


def _uniques(col: pd.Series) -> list[str]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [str(c) for c in col.cat.categories]
    return [str(c) for c in pd.unique(col)]


def _codes(col: pd.Series, names: list[str]) -> np.ndarray:
    """Codes of ``col`` in ``names`` (-1 where absent), fast for categorical columns."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        lookup = pd.Index(names, dtype=object).get_indexer(col.cat.categories.astype(object))
        codes = col.cat.codes.to_numpy()
        if np.array_equal(lookup, np.arange(len(lookup))):  # same names, same order: a cast, not a gather
            return codes.astype(np.int32)
        lookup = np.append(lookup, -1).astype(np.int32)  # code -1 (NaN) maps to -1; int32 as the cube keeps it
        return lookup[codes]
    return pd.Index(names, dtype=object).get_indexer(pd.Index(col, dtype=object))


@dataclass(frozen=True)
class Rules:
    """How each indicator (by code) aggregates: arrays indexed by indicator code."""

    aggregation: np.ndarray  # codes of AGG_CODES
    native_months: np.ndarray  # 1, 3 or 12
    ratio_factor: np.ndarray  # 100 for percentages, 1 for ratios, NaN otherwise

    @classmethod
    def build(
        cls, aggregations: Sequence[Aggregation], months: Sequence[int], factors: Sequence[float]
    ) -> Rules:
        return cls(
            np.array([AGG_CODES[Aggregation(a)] for a in aggregations], dtype=np.int8),
            np.array(months, dtype=np.int32),
            np.array(factors, dtype=np.float64),
        )


def _combine(
    agg: np.ndarray,
    factor: np.ndarray,
    total: np.ndarray,
    count: np.ndarray,
    latest: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
) -> np.ndarray:
    """The aggregated value: percentages and ratios from their summed parts, else by rule."""
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.select([agg == 0, agg == 1], [total, total / count], default=latest)
        from_parts = num / den * factor
    use_parts = np.isfinite(factor) & np.isfinite(from_parts) & (agg != 2)
    return np.where(use_parts, from_parts, value)


@dataclass(frozen=True)
class Windowed:
    """One window's result for every series: ``value`` (NaN when incomplete) and ``complete``;
    for percentages and ratios also the summed ``numerator`` and ``denominator`` (NaN when
    incomplete or not a ratio), which significance tests and "x of y" texts need; and
    ``months``, how many of the window's months the series' observations cover (so an
    incomplete window can say "9 of 12" rather than nothing)."""

    value: np.ndarray
    complete: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    months: np.ndarray


@dataclass(frozen=True)
class NativeRows:
    """One cube's native rows (those as long as their indicator's frequency), keyed by series."""

    ind: np.ndarray
    start: np.ndarray
    end: np.ndarray
    value: np.ndarray
    key: np.ndarray  # int64 series key


class Windows:
    """Many windows over the rows of one or more cubes: native rows are found and keyed once.

    Every window then scans only the native rows, with two comparisons when the window is
    the same for every indicator. Each series' rows must all sit in one of the cubes (as the
    base and derived cubes do: distinct indicators), and keep their order, so every sum adds
    the same values in the same order as :func:`window` on the cubes appended (to the bit),
    without building that appended copy.
    """

    def __init__(self, cubes: Cube | Sequence[Cube], rules: Rules) -> None:
        cubes = [cubes] if isinstance(cubes, Cube) else list(cubes)
        first = cubes[0]
        self.rules = rules
        self.n_areas = len(first.areas)
        self.n = first.n_series
        self.series_ind = np.repeat(np.arange(len(first.indicators)), self.n_areas)
        self.has_rows = np.zeros(self.n, dtype=bool)  # any row in the cubes, native or not
        self.parts: list[NativeRows] = []
        ratio = np.isfinite(rules.ratio_factor)
        ratio_rows = []
        for cube in cubes:
            if not len(cube):
                continue
            native = (cube.end - cube.start + 1) == rules.native_months[cube.ind]
            key = cube.key
            self.has_rows |= np.bincount(key, minlength=self.n) > 0
            if native.all():
                self.parts.append(NativeRows(cube.ind, cube.start, cube.end, cube.value, key))
            else:
                rows = cube.take(native)
                self.parts.append(NativeRows(rows.ind, rows.start, rows.end, rows.value, key[native]))
            if ratio.any():  # percentages and ratios: their parts, a small subset of the rows
                ratio_rows.append(cube.take(native & ratio[cube.ind]))
        self.any_latest = bool((rules.aggregation == AGG_CODES[Aggregation.LATEST]).any())
        self.ratio = ratio_rows[0].append(ratio_rows[1:]) if ratio_rows else None
        if self.ratio is not None:
            self.r_key = self.ratio.key
            self.r_num, self.r_den = self.ratio.parts()

    @staticmethod
    def _inside(ind: np.ndarray, start: np.ndarray, end: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        if len(lo) and lo.min() == lo.max() and hi.min() == hi.max():  # one window for all
            return (start >= lo[0]) & (end <= hi[0])
        return (start >= lo[ind]) & (end <= hi[ind])

    def window(self, lo: np.ndarray, hi: np.ndarray) -> Windowed:
        """See :func:`window`."""
        n, rules = self.n, self.rules
        count = np.zeros(n, dtype=np.int64)
        total = np.zeros(n)
        latest = np.zeros(n)  # only "latest" indicators read it (see _combine)
        for part in self.parts:  # a series is in one part only: adding the others' zeros is exact
            inside = self._inside(part.ind, part.start, part.end, lo, hi)
            key = part.key[inside]
            v = part.value[inside]
            count += np.bincount(key, minlength=n)
            total += np.bincount(key, weights=v, minlength=n)
            if self.any_latest:
                last = part.end[inside] == hi[part.ind[inside]]
                latest += np.bincount(key[last], weights=v[last], minlength=n)
        if self.ratio is not None:
            r = self.ratio
            r_in = self._inside(r.ind, r.start, r.end, lo, hi)
            num = np.bincount(self.r_key[r_in], weights=self.r_num[r_in], minlength=n)
            den = np.bincount(self.r_key[r_in], weights=self.r_den[r_in], minlength=n)
            if self.any_latest:  # a "latest" percentage's parts are its last period's
                r_last = r_in & (r.end == hi[r.ind])
                last_num = np.bincount(self.r_key[r_last], weights=self.r_num[r_last], minlength=n)
                last_den = np.bincount(self.r_key[r_last], weights=self.r_den[r_last], minlength=n)
        else:
            num = den = np.full(n, np.nan)
        series_ind = self.series_ind
        # native rows cover exactly their indicator's native months each
        covered = count * rules.native_months[series_ind]
        want = (hi - lo + 1)[series_ind]
        complete = (covered == want) & (count > 0)
        value = _combine(
            rules.aggregation[series_ind], rules.ratio_factor[series_ind], total, count, latest, num, den
        )
        value = np.where(complete, value, np.nan)
        ratio = complete & np.isfinite(rules.ratio_factor[series_ind])
        if self.ratio is not None and self.any_latest:
            # a "latest" percentage over several periods is the last one's (see _combine): so are its parts
            is_latest = rules.aggregation[series_ind] == AGG_CODES[Aggregation.LATEST]
            num, den = np.where(is_latest, last_num, num), np.where(is_latest, last_den, den)
        return Windowed(value, complete, np.where(ratio, num, np.nan), np.where(ratio, den, np.nan), covered)

    def first_start(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The first month of each series' native rows inside its window (a large number when
        it has none): whether the months a window lacks come before the series began."""
        first = np.full(self.n, np.iinfo(np.int64).max, dtype=np.int64)
        for part in self.parts:
            inside = self._inside(part.ind, part.start, part.end, lo, hi)
            np.minimum.at(first, part.key[inside], part.start[inside].astype(np.int64))
        return first


def window(
    cube: Cube,
    lo: np.ndarray,
    hi: np.ndarray,
    rules: Rules,
) -> Windowed:
    """Aggregate every series over its indicator's window ``[lo[i], hi[i]]``.

    ``lo`` and ``hi`` are arrays over indicator codes; the result arrays are over series keys.
    Percentages and ratios aggregate as summed numerator over summed denominator. For several
    windows over one cube, :class:`Windows` does the shared work once.
    """
    return Windows(cube, rules).window(lo, hi)


def to_kind(cube: Cube, kind: Kind, rules: Rules) -> Cube:
    """Every series aggregated to ``kind`` periods (complete periods only).

    Native rows already at ``kind`` or coarser pass through unchanged; numerator and
    denominator are summed along and a percentage is recomputed from them.
    """
    native_months = rules.native_months
    want = KIND_MONTHS[kind]
    length = cube.end - cube.start + 1
    native = length == native_months[cube.ind]
    finer = native & (length < want)
    keep = cube.take(native & ~finer)
    src = cube.take(finer)
    if len(src) == 0:
        return keep
    pstart = kind_start(src.start.astype(np.int64), kind)
    t0 = int(pstart.min())
    n_t = int(pstart.max()) - t0 + 1
    # one dense cell per (series, target period): cheap even for 30,000 series x 13 years
    cell = src.key * n_t + (pstart - t0)
    uniq, inv = np.unique(cell, return_inverse=True)
    m = len(uniq)
    slen = (src.end - src.start + 1).astype(np.float64)
    covered = np.bincount(inv, weights=slen, minlength=m)
    count = np.bincount(inv, minlength=m)
    total = np.bincount(inv, weights=src.value, minlength=m)
    src_num, src_den = src.parts()
    num = np.bincount(inv, weights=np.nan_to_num(src_num), minlength=m)
    den = np.bincount(inv, weights=np.nan_to_num(src_den), minlength=m)
    has_nd = np.bincount(inv, weights=np.isfinite(src_num).astype(float), minlength=m) == count
    p_start = (uniq % n_t + t0).astype(np.int32)
    p_end = (p_start + want - 1).astype(np.int32)
    is_last = src.end == (pstart + want - 1)
    latest = np.bincount(inv[is_last], weights=src.value[is_last], minlength=m)
    series = uniq // n_t
    s_ind = (series // len(cube.areas)).astype(np.int32)
    s_area = (series % len(cube.areas)).astype(np.int32)
    num = np.where(has_nd, num, np.nan)
    den = np.where(has_nd, den, np.nan)
    value = _combine(rules.aggregation[s_ind], rules.ratio_factor[s_ind], total, count, latest, num, den)
    ok = covered == want
    out = Cube(
        cube.indicators,
        cube.areas,
        s_ind[ok],
        s_area[ok],
        p_start[ok],
        p_end[ok],
        value[ok],
        num[ok],
        den[ok],
    )
    return keep.append([out])
