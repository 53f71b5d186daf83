"""The evaluation engine: stored observations in, judgements out.

:func:`evaluate` takes the partnership's config, the observations (``store.frame()``) and a
period, and returns an :class:`Evaluation` (values, one row per indicator and area, one row
per big target). Everything is vectorised over series (an indicator in an area): per-series
results are dense numpy arrays (see :mod:`reportgen.evaluate.aggregate`); Python loops run
only over config objects (indicators, strategies, targets, measures).

Semantics:

* **Data after the period is ignored**: evaluating 2004/05 today gives what it gave then
  (plus revisions; use ``as_at`` for what was known then).
* **The period evaluated per indicator**: the period asked when it is as coarse as the
  indicator's frequency or coarser (a monthly indicator for 2004/05 is the year's sum, mean
  or latest by its aggregation); otherwise the indicator's latest own period ending on or
  before the end of the period asked (a quarterly indicator for 2005-02 is 2004-Q4).
  Only complete periods have a value (see :mod:`~reportgen.evaluate.aggregate`).
* **Compare basis**: a sum-aggregated indicator evaluated for a month or quarter is compared
  on its rolling 12 months ending there (``compare_basis = "rolling_12"``), so that it is
  comparable with an annual baseline and target and free of seasonality; otherwise on the
  period value (``"period"``). ``previous_value`` is the same basis a year earlier.
* **Baseline**: ``Measure.baseline_value`` if given, else the indicator's value aggregated
  over the strategy's baseline period (e.g. the sum over 2003/04). A measure whose baseline
  cannot be resolved has status ``no_data`` (never an exception).
* **Target value**: ``target_value`` if given, else ``baseline x (1 + change_pct / 100)``.
* **Trajectory**: a straight line from the baseline value at the *end* of the baseline period
  to the target value at the *end* of the target period, by months elapsed to the end of the
  compared window; before the baseline's end it is the baseline, after the target period's
  end it stays at the target.
* **RAG status** against the trajectory, by polarity: lower is better -> at or below the
  trajectory is ``green``, up to ``tolerance_pct`` % of the trajectory above it ``amber``,
  beyond that ``red``; higher is better mirrors this. Contextual polarity, monitor-only
  measures or indicators, and indicators no strategy targets are ``grey`` (monitored). No
  value to compare -> ``no_data``; a target without a baseline -> ``no_data``.
* **Unit of change**: percentages change in points (``change_points``, "Up 5.0 points", one
  decimal), counts and rates relatively ("Down 25%"); ``change_unit`` says which.
* **Significance** (:mod:`reportgen.evaluate.significance`, docs/statistics.md): percentages
  of counts get a Wilson interval and a two-proportion test, summed counts (and rates of
  them) an exact Poisson test, never judged below ``min_count_for_trend``.
* **Direction of travel**: ``compare_value`` against ``previous_value`` (a year earlier).
  A change that rounds (half up, in its label's unit) to 0 is ``no_change``; one a test
  finds within chance is ``similar``; otherwise ``improving`` or ``worsening`` by polarity,
  and ``up`` / ``down`` for contextual indicators. ``direction_text`` words it.
* **Improved** (used by the big-target rules): the change against the baseline, rounded half
  up as its label, is in the better direction (so "No change" never counts as improved) and,
  where a test applies, significant at 5%. Contextual indicators never count as improved.
* **SPC** columns are :func:`reportgen.evaluate.spc.spc_summary`'s on the indicator's
  native series up to the period evaluated (worked out by :func:`~reportgen.evaluate.spc.spc_latest`
  on a dense series x period grid, which gives the same numbers to the bit). Assurance
  compares the process limits with the trajectory brought to one native period (for sums,
  ``trajectory x native months / months compared``). An indicator's ``spc_rebase`` periods
  cut its series into segments with limits of their own; ``spc_needs_rebase`` says more than
  half of the points behind the current limits are special cause (the limits need rebasing).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from reportgen.config.models import Aggregation, Config, Derived, DerivedKind, Indicator, Polarity, Unit
from reportgen.errors import LookupFailure
from reportgen.evaluate import significance as sig
from reportgen.evaluate.aggregate import KIND_MONTHS, Cube, Rules, Windowed, Windows, to_kind
from reportgen.evaluate.coverage import COVERAGE_COLUMNS, add_coverage
from reportgen.evaluate.derive import derive
from reportgen.evaluate.labels import (
    DIRECTION_WORDS,
    POINT_DECIMALS,
    POINTS,
    SIMILAR_WORDS,
    change_pct,
    relative_target_words,
    round_half_up_array,
    unit_change_labels,
)
from reportgen.periods import Kind, Period, financial_year_start

if TYPE_CHECKING:
    from reportgen.store import Store

STATUS_WORDS = {
    "green": "On track",
    "amber": "At risk (close to trajectory)",
    "red": "Off track",
    "grey": "Monitored",
    "met": "Met",
    "not_met": "Not met",
    "on_track": "On track",
    "at_risk": "At risk",
    "no_data": "No data",
}
POLARITY_SIGN = {Polarity.LOWER_IS_BETTER: -1, Polarity.HIGHER_IS_BETTER: 1, Polarity.CONTEXTUAL: 0}
SPC_POLARITY = {-1: "lower", 1: "higher", 0: "neutral"}
SPC_LOOKBACK = 36  # native points handed to SPC: 24 for the limits plus room for gaps

INDICATOR_COLUMNS = [
    "id", "title", "public_title", "owner", "unit", "polarity", "frequency", "aggregation", "decimals",
    "small_number_threshold", "strategy", "target", "area", "area_name", "period", "period_label",
    "value", "compare_basis", "compare_value", "previous_value", "ytd_value", "rolling12_value",
    "compare_numerator", "compare_denominator", "previous_numerator", "previous_denominator",
    "baseline_period", "baseline_value", "change_unit", "change_pct", "change_points", "change_label",
    "change_difference",
    "yoy_change_pct", "yoy_change_points", "yoy_change_label", "yoy_difference",
    "sample_size", "ci_low", "ci_high", "yoy_test", "yoy_p_value", "yoy_significant",
    "change_test", "change_p_value", "change_significant",
    "target_period", "target_value", "target_change_words", "trajectory_value",
    "gap_pct", "status", "status_text", "direction", "direction_text", "improved", "missing", "spc_mean",
    "spc_ucl", "spc_lcl", "spc_signal", "spc_variation", "spc_assurance", "spc_direction",
    "spc_needs_rebase",
]  # fmt: skip


@dataclass(frozen=True)
class Evaluation:
    """The result of evaluating one period. Every column: README.md ("Evaluating indicators and
    targets") and docs/statistics.md."""

    period: Period
    config: Config
    indicators: pd.DataFrame
    targets: pd.DataFrame
    base: Cube = field(repr=False)
    derived: tuple[Cube, ...] = field(repr=False)
    rules: Rules = field(repr=False)
    parts_hidden: tuple[str, ...] = ()  # indicators whose numerator/denominator are not counts
    # partners' notes on figures up to the period (store.notes; set by with_notes), for documents
    notes: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @cached_property
    def cube(self) -> Cube:
        """Base and derived observations together (built on first use)."""
        return self.base.append(list(self.derived))

    @cached_property
    def values(self) -> pd.DataFrame:
        """Every base and derived value at its own frequency (long): indicator, area, period,
        period_start, period_end, value, numerator, denominator. Built on first use."""
        values = self.cube.to_frame()
        if self.parts_hidden:  # a gap's parts are rates, not the "x of y" counts documents show
            hide = values["indicator"].isin(self.parts_hidden).to_numpy()
            values.loc[hide, ["numerator", "denominator"]] = np.nan
        return values

    def series(self, indicator: str, area: str | None = None, kind: Kind | str | None = None) -> pd.Series:
        """One indicator's values in one area (default the borough), oldest first, indexed by
        period key; aggregated to ``kind`` (complete periods only) when coarser than native."""
        area = area or self.config.partnership.borough.id
        if indicator not in self.cube.indicators:
            raise LookupFailure(
                f"no indicator {indicator!r}", hint="see the partners' and derived indicators"
            )
        if area not in self.cube.areas:
            return pd.Series(dtype=float, name=indicator)
        rows = self._series_rows(indicator, kind, self.cube.area == self.cube.areas.index(area))
        frame = rows.to_frame()
        return pd.Series(
            frame["value"].to_numpy(), index=frame["period"].astype(str).to_numpy(), name=indicator
        )

    def series_by_area(self, indicator: str, kind: Kind | str | None = None) -> dict[str, pd.Series]:
        """:meth:`series` for every area that has the indicator, in one pass: a leaflet for
        each neighbourhood needs each crime type in every area, and one pass over the cube
        costs what one area's series does."""
        if indicator not in self.cube.indicators:
            raise LookupFailure(
                f"no indicator {indicator!r}", hint="see the partners' and derived indicators"
            )
        frame = self._series_rows(indicator, kind).to_frame()
        out: dict[str, pd.Series] = {}
        for area, rows in frame.groupby("area", observed=True, sort=False):
            out[str(area)] = pd.Series(
                rows["value"].to_numpy(), index=rows["period"].astype(str).to_numpy(), name=indicator
            )
        return out

    def _series_rows(self, indicator: str, kind: Kind | str | None, where: np.ndarray | None = None) -> Cube:
        """One indicator's complete rows (in ``where``'s areas), at ``kind`` when coarser than
        native, oldest first within each area."""
        code = self.cube.indicators.index(indicator)
        native = int(self.rules.native_months[code])
        mask = self.cube.ind == code
        rows = self.cube.take(mask if where is None else mask & where)
        rows = rows.take(rows.end - rows.start + 1 == native)
        if kind is not None and KIND_MONTHS[Kind(kind)] > native:
            rows = to_kind(rows, Kind(kind), self.rules)
            rows = rows.take(rows.end - rows.start + 1 == KIND_MONTHS[Kind(kind)])
        order = np.lexsort((rows.start, rows.area))
        return rows.take(order)

    def records(self) -> list[dict[str, Any]]:
        """Indicator rows then big-target rows as JSON-ready dicts (NaN -> None), each with "type"."""
        out = [{"type": "indicator", **r} for r in _records(self.indicators)]
        out += [{"type": "target", **r} for r in _records(self.targets)]
        return out

    def to_json(self) -> str:
        return json.dumps(self.records(), indent=2, allow_nan=False)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.to_dict("records")
    return [{str(k): _plain(v) for k, v in r.items()} for r in rows]


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if v is pd.NA or v is pd.NaT:
        return None
    return v


# --------------------------------------------------------------------------------------------
def evaluate_store(
    config: Config,
    store: Store,
    period: Period,
    *,
    as_at: dt.datetime | None = None,
    areas: list[str] | None = None,
) -> Evaluation:
    """:func:`evaluate` on the store's observations and partners' notes (as known at
    ``as_at``), up to ``period``."""
    store.require(config.partnership.id)
    ids = list(config.indicators)
    frame = store.frame(as_at=as_at, until=period, indicators=None if len(ids) > 500 else ids)
    return evaluate(config, frame, period, areas=areas, notes=store.notes(as_at=as_at, until=period))


def _inputs(config: Config) -> dict[str, tuple[str, ...]]:
    """Each derived indicator's stored inputs, through derived ones (a sum of sums)."""
    direct = {d.id: tuple(x for x in (*d.of, d.numerator, d.denominator) if x) for d in config.derived}

    def flat(i: str, seen: frozenset[str]) -> tuple[str, ...]:
        out: list[str] = []
        for x in direct.get(i, ()):
            if x in direct and x not in seen:
                out += flat(x, seen | {x})
            elif x not in direct:
                out.append(x)
        return tuple(dict.fromkeys(out))

    return {i: flat(i, frozenset({i})) for i in direct}


def mark_not_available(rows: pd.DataFrame, notes: pd.DataFrame | None, config: Config) -> None:
    """Where a partner marked a figure not available, its row's missing reason is theirs
    ("not available: system down in March"), not "no data": in place. A row matches a note on
    the same indicator and area whose period ends when the row's does (the month of a monthly
    figure, the last month of a quarter or rolling year); a derived figure (a sum, a share)
    missing because one of its inputs is not available names that input ("not available:
    Vehicle interference: system down")."""
    if notes is None or notes.empty or rows.empty or "missing_reason" not in rows.columns:
        return
    notes = notes[notes["not_available"].astype(bool)]
    if notes.empty:
        return
    ends = {key: Period.parse(key).end for key in set(notes["period"]) | set(rows["period"].astype(str))}
    noted = cast(Iterable[Any], notes.itertuples(index=False))  # a frame's rows: columns as attributes
    reasons = {(r.indicator, r.area, ends[r.period]): r.note for r in noted}
    inputs = _inputs(config)
    titles = {i: d.title for i, d in config.indicators.items()}
    gone = rows["value"].isna()  # the period's own figure: a window missing other months says so itself
    for i in rows.index[gone]:
        measure, area, end = str(rows.at[i, "id"]), str(rows.at[i, "area"]), ends[str(rows.at[i, "period"])]
        note = reasons.get((measure, area, end))
        if not note:
            part = next((x for x in inputs.get(measure, ()) if (x, area, end) in reasons), None)
            note = f"{titles.get(part, part)}: {reasons[(part, area, end)]}" if part else ""
        if note:
            rows.at[i, "missing_reason"] = f"not available: {note}"


def indicator_rules(config: Config) -> tuple[list[str], list[Indicator | Derived], Rules]:
    defs = list(config.indicators.values())
    factors = [
        100.0 if isinstance(d, Derived) and d.kind in (DerivedKind.PERCENTAGE, DerivedKind.GAP)
        else 1.0 if isinstance(d, Derived) and d.kind is DerivedKind.RATIO
        else np.nan
        for d in defs
    ]  # fmt: skip
    rules = Rules.build(
        [d.aggregation for d in defs], [KIND_MONTHS[d.frequency.period_kind] for d in defs], factors
    )
    return [d.id for d in defs], defs, rules


def evaluate(
    config: Config,
    observations: pd.DataFrame,
    period: Period,
    *,
    areas: list[str] | None = None,
    notes: pd.DataFrame | None = None,
) -> Evaluation:
    """Evaluate every indicator, target and big target of ``config`` for ``period``.

    ``areas`` limits the rows of :attr:`Evaluation.indicators` (default: every area); derived
    indicators and big targets always use every area they need. ``notes`` (``store.notes()``)
    give a figure a partner marked not available their reason, in targets too, and ride along
    as :attr:`Evaluation.notes`.
    """
    from reportgen.evaluate.targets import evaluate_targets

    ids, defs, rules = indicator_rules(config)
    p = config.partnership
    known_areas = [p.borough.id, *(a.id for a in p.neighbourhoods), *(c.id for c in p.comparators)]
    if areas is not None:
        unknown = [a for a in areas if a not in known_areas]
        if unknown:
            raise LookupFailure(f"no area {unknown[0]!r}", hint=f"known areas: {', '.join(known_areas)}")
    cube = Cube.from_frame(observations, ids, known_areas, until=period.end)
    parts = derive(config, cube, rules)

    win = _windows(defs, rules, period)
    n_areas = len(cube.areas)
    # One pass keeps only the months any window, the SPC look-back or a baseline can touch.
    need_lo = np.minimum.reduce([win["cmp_lo"] - 12, win["eval_hi"] - 11, win["ytd_lo"], win["spc_lo"]])

    uniform = len(need_lo) > 0 and need_lo.min() == need_lo.max()

    def wanted(c: Cube) -> np.ndarray:
        keep = c.start >= (need_lo[0] if uniform else need_lo[c.ind])  # a scalar spares a gather
        for s in config.strategies:
            keep |= (c.start >= s.baseline.start) & (c.end <= s.baseline.end)
        return keep

    # the base rows and the derived rows side by side: appending would copy a million rows
    derived_recent = [part.take(wanted(part)) for part in parts]
    windows = Windows([cube.take(wanted(cube)), *(d for d in derived_recent if len(d))], rules)
    period_w = windows.window(win["eval_lo"], win["eval_hi"])
    r12_w = windows.window(win["eval_hi"] - 11, win["eval_hi"])
    value, r12 = period_w.value, r12_w.value
    ytd = windows.window(win["ytd_lo"], win["eval_hi"]).value
    prev_w = windows.window(win["cmp_lo"] - 12, win["eval_hi"] - 12)
    prev = prev_w.value
    rolling = np.repeat(win["rolling"], n_areas)
    compare = np.where(rolling, r12, value)
    # the compared value's parts (summed numerator and denominator of a percentage or ratio)
    cmp_num = np.where(rolling, r12_w.numerator, period_w.numerator)
    cmp_den = np.where(rolling, r12_w.denominator, period_w.denominator)
    baselines: dict[str, Windowed] = {}
    for s in config.strategies:
        b = s.baseline
        baselines[s.id] = windows.window(np.full(len(ids), b.start), np.full(len(ids), b.end))

    rows = _rows(config, cube, windows.has_rows)
    keys = rows["key"].to_numpy()
    ind = keys // n_areas
    area = keys % n_areas
    frame = _describe(config, defs, cube, rows, ind, area, win)
    frame["value"] = value[keys]
    frame["compare_basis"] = np.where(win["rolling"][ind], "rolling_12", "period")
    frame["compare_value"] = compare[keys]
    frame["previous_value"] = prev[keys]
    frame["ytd_value"] = ytd[keys]
    frame["rolling12_value"] = r12[keys]
    gaps = tuple(d.id for d in config.derived if d.kind is DerivedKind.GAP)
    hide = np.isin(np.array(ids, dtype=object), np.array(gaps, dtype=object))[ind]  # not "x of y" counts
    for col, arr in (
        ("compare_numerator", cmp_num),
        ("compare_denominator", cmp_den),
        ("previous_numerator", prev_w.numerator),
        ("previous_denominator", prev_w.denominator),
    ):
        frame[col] = np.where(hide, np.nan, arr[keys])
    _targets_and_status(config, frame, rows, baselines, keys, ind, win, defs)
    compared_months = np.where(rolling, r12_w.months, period_w.months)[keys]
    baseline_months = {sid: w.months for sid, w in baselines.items()}
    add_coverage(
        config, frame, rows, compared_months, baseline_months, keys, ind, win,
        first_month=lambda: windows.first_start(win["cmp_lo"], win["eval_hi"])[keys],
    )  # fmt: skip
    mark_not_available(frame, notes, config)
    _judge_changes(config, frame, cube, defs, ind, area, win)
    _spc(frame, windows, rules, defs, win, keys, ind)
    frame = frame[[*INDICATOR_COLUMNS, *COVERAGE_COLUMNS, "_pol", "_order"]]
    measures = frame[frame["strategy"] != ""]
    targets = evaluate_targets(config, measures, period)
    in_scope = frame["_order"] >= 0
    if areas is not None:
        in_scope &= frame["area"].isin(areas)
    frame = frame[in_scope].sort_values("_order", kind="stable")
    frame = frame.drop(columns=["_pol", "_order"]).reset_index(drop=True)
    return Evaluation(period, config, frame, targets, cube, tuple(parts), rules, gaps, notes)


# --------------------------------------------------------------------------------------------
def _windows(defs: list[Indicator | Derived], rules: Rules, period: Period) -> dict[str, np.ndarray]:
    """Per indicator: the period evaluated, the compare window and the year-to-date start."""
    asked = KIND_MONTHS.get(period.kind, period.n_months)
    eval_lo, eval_hi, keys, labels, rolling = [], [], [], [], []
    for d in defs:  # one per indicator definition
        kind = d.frequency.period_kind
        if asked >= KIND_MONTHS[kind] or period.kind is Kind.RANGE:
            ev = period
        else:
            ev = Period.of_kind_at(kind, period.end)
            if ev.end > period.end:
                ev = ev.previous()
        eval_lo.append(ev.start)
        eval_hi.append(ev.end)
        keys.append(ev.key)
        labels.append(ev.label)
        rolling.append(d.aggregation is Aggregation.SUM and ev.kind in (Kind.MONTH, Kind.QUARTER))
    lo = np.array(eval_lo, dtype=np.int64)
    hi = np.array(eval_hi, dtype=np.int64)
    roll = np.array(rolling, dtype=bool)
    ytd_lo = np.array([Period.financial_year(financial_year_start(int(h))).start for h in hi], dtype=np.int64)
    native = rules.native_months.astype(np.int64)
    return {
        "spc_lo": hi - SPC_LOOKBACK * native + 1,
        "eval_lo": lo,
        "eval_hi": hi,
        "cmp_lo": np.where(roll, hi - 11, lo),
        "ytd_lo": ytd_lo,
        "rolling": roll,
        "key": np.array(keys, dtype=object),
        "label": np.array(labels, dtype=object),
    }


def _rows(config: Config, cube: Cube, has_data: np.ndarray) -> pd.DataFrame:
    """One row per (strategy, big target, measure) and per untargeted (indicator, area).

    An untargeted pair gets a row when it has data in the months evaluated (``has_data``, by
    series key) or is the borough's, so a borough indicator with no data shows as missing.
    """
    n_areas = len(cube.areas)
    code = {name: n for n, name in enumerate(cube.indicators)}
    borough = config.partnership.borough.id
    strategy, target, key, measure, order = [], [], [], [], []
    n = 0
    for s in config.strategies:
        for t in s.targets:
            for m in t.measures:
                a = m.area or borough
                strategy.append(s.id)
                target.append(t.id)
                key.append(code[m.indicator] * n_areas + cube.areas.index(a))
                measure.append(m)
                order.append(n)
                n += 1
    targeted = np.zeros(cube.n_series, dtype=bool)
    targeted[np.array(key, dtype=np.int64)] = True
    area_of = np.tile(np.arange(n_areas), len(cube.indicators))
    borough_series = area_of == cube.areas.index(borough)
    monitored = np.flatnonzero(~targeted & (has_data | borough_series))
    # monitored rows follow the measures, by indicator then area in config order
    mon = pd.DataFrame({"key": monitored})
    meas = pd.DataFrame({"key": np.array(key, dtype=np.int64), "strategy": strategy, "target": target})
    meas["measure"] = measure  # type: ignore[assignment]  # pandas-stubs: a list of objects is a column too
    meas["_order"] = order
    mon["strategy"] = ""
    mon["target"] = ""
    mon["measure"] = None
    mon["_order"] = n + np.arange(len(monitored))
    return pd.concat([meas, mon], ignore_index=True)


def _describe(
    config: Config,
    defs: list[Indicator | Derived],
    cube: Cube,
    rows: pd.DataFrame,
    ind: np.ndarray,
    area: np.ndarray,
    win: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The indicator's own description columns, gathered from per-definition arrays."""

    def col(get: Any) -> np.ndarray:
        return np.array([get(d) for d in defs], dtype=object)[ind]

    p = config.partnership
    name_of = {a.id: a.name for a in p.places}  # one scan, not one per area
    names = np.array([name_of.get(a, a) for a in cube.areas], dtype=object)
    frame = pd.DataFrame(
        {
            "id": col(lambda d: d.id),
            "title": col(lambda d: d.title),
            "public_title": col(lambda d: d.label),
            "owner": col(lambda d: d.owner),
            "unit": col(lambda d: d.unit.value),
            "polarity": col(lambda d: d.polarity.value),
            "frequency": col(lambda d: d.frequency.value),
            "aggregation": col(lambda d: d.aggregation.value),
            "decimals": np.array([d.decimals for d in defs], dtype=np.int64)[ind],
            "small_number_threshold": np.array([d.small_number_threshold for d in defs], dtype=np.int64)[ind],
            "strategy": rows["strategy"].to_numpy(dtype=object),
            "target": rows["target"].to_numpy(dtype=object),
            "area": np.array(cube.areas, dtype=object)[area],
            "area_name": names[area],
            "period": win["key"][ind],
            "period_label": win["label"][ind],
        }
    )
    frame["_order"] = rows["_order"].to_numpy()
    return frame


def _targets_and_status(
    config: Config,
    frame: pd.DataFrame,
    rows: pd.DataFrame,
    baselines: dict[str, Windowed],
    keys: np.ndarray,
    ind: np.ndarray,
    win: dict[str, np.ndarray],
    defs: list[Indicator | Derived],
) -> None:
    """Baseline, target, trajectory and RAG status, in place (direction and improvement are
    :func:`_judge_changes`'s, once the changes are known in their units)."""
    n = len(frame)
    baseline = np.full(n, np.nan)
    base_num = np.full(n, np.nan)  # the baseline's parts, when it comes from data
    base_den = np.full(n, np.nan)
    base_months = np.full(n, np.nan)
    relative_target = np.full(n, np.nan)
    target_value = np.full(n, np.nan)
    tolerance = np.full(n, np.nan)
    frac = np.full(n, np.nan)
    monitor = np.array([d.monitor_only for d in defs], dtype=bool)[ind]
    base_period = np.full(n, None, dtype=object)
    target_period = np.full(n, None, dtype=object)
    strategies = {s.id: s for s in config.strategies}
    measures = rows["measure"].to_numpy(dtype=object)
    eval_hi = win["eval_hi"][ind]
    targeted_rows = np.flatnonzero(rows["strategy"].to_numpy(dtype=object) != "")
    for i in targeted_rows.tolist():  # one per measure in the config: dozens
        m = measures[i]
        s = strategies[str(rows["strategy"].iat[i])]
        if m.baseline_value is not None:
            base = m.baseline_value
        else:
            bw = baselines[s.id]
            base = bw.value[keys[i]]
            base_num[i] = np.nan if bw.numerator is None else bw.numerator[keys[i]]
            base_den[i] = np.nan if bw.denominator is None else bw.denominator[keys[i]]
            base_months[i] = s.baseline.end - s.baseline.start + 1
        baseline[i] = base
        base_period[i] = s.baseline.key
        target_period[i] = s.target.key
        monitor[i] |= m.monitor_only
        tolerance[i] = m.tolerance_pct
        if m.target_value is not None:
            target_value[i] = m.target_value
        elif m.change_pct is not None:
            target_value[i] = base * (1 + m.change_pct / 100.0)
            relative_target[i] = m.change_pct
        span = s.target.end - s.baseline.end
        frac[i] = min(max((eval_hi[i] - s.baseline.end) / span, 0.0), 1.0)
    trajectory = baseline + (target_value - baseline) * frac

    cv = frame["compare_value"].to_numpy(dtype=float)
    prev = frame["previous_value"].to_numpy(dtype=float)
    pol = np.array([POLARITY_SIGN[d.polarity] for d in defs], dtype=np.int64)[ind]

    # Percentages change in points ("Up 5.0 points"); counts and rates relatively ("Down 25%")
    in_points = np.array([d.unit is Unit.PERCENTAGE for d in defs], dtype=bool)[ind]
    frame["baseline_period"] = base_period
    frame["baseline_value"] = baseline
    frame["change_unit"] = np.where(in_points, POINTS, "percent").astype(object)
    pct = change_pct(cv, baseline)
    points = np.where(in_points, cv - baseline, np.nan)
    frame["change_pct"] = pct
    frame["change_points"] = points
    frame["change_label"] = unit_change_labels(pct, points, in_points)
    frame["change_difference"] = cv - baseline  # "2,607 fewer" on the baseline, as yoy_difference on the year
    yoy = change_pct(cv, prev)
    yoy_points = np.where(in_points, cv - prev, np.nan)
    frame["yoy_change_pct"] = yoy
    frame["yoy_change_points"] = yoy_points
    frame["yoy_change_label"] = unit_change_labels(yoy, yoy_points, in_points)
    frame["yoy_difference"] = cv - prev
    frame["target_period"] = target_period
    frame["target_value"] = target_value
    frame["target_change_words"] = _target_words(relative_target, in_points)
    frame["_base_num"] = base_num
    frame["_base_den"] = base_den
    frame["_base_months"] = base_months
    frame["trajectory_value"] = trajectory
    frame["gap_pct"] = change_pct(cv, trajectory)

    # RAG: how far the value falls short of the trajectory, in the "worse" direction
    shortfall = (cv - trajectory) * -pol
    band = np.abs(trajectory) * tolerance / 100.0
    eps = 1e-9 * np.maximum(1.0, np.abs(trajectory))
    with np.errstate(invalid="ignore"):
        rag = np.where(shortfall <= eps, "green", np.where(shortfall <= band + eps, "amber", "red"))
    untargeted = frame["strategy"].to_numpy(dtype=object) == ""
    grey = untargeted | monitor | (pol == 0)
    no_value = np.isnan(cv)
    status = np.where(
        no_value, "no_data", np.where(grey, "grey", np.where(np.isnan(trajectory), "no_data", rag))
    )
    frame["status"] = status.astype(object)
    frame["status_text"] = pd.Series(status).map(STATUS_WORDS).to_numpy(dtype=object)
    frame["missing"] = np.isnan(frame["value"].to_numpy(dtype=float))
    frame["_pol"] = pol


def _spc(
    frame: pd.DataFrame,
    rows: Windows,
    rules: Rules,
    defs: list[Indicator | Derived],
    win: dict[str, np.ndarray],
    keys: np.ndarray,
    ind: np.ndarray,
) -> None:
    """SPC columns from the native series of each indicator, one SPC call per frequency.

    ``rows`` hold the recent native rows (:class:`Windows` has found them), in the cube's order."""
    from reportgen.evaluate.spc import classify_assurance, segment_starts, spc_latest

    n = rows.n
    n_areas = rows.n_areas
    mean = np.full(n, np.nan)
    ucl = np.full(n, np.nan)
    lcl = np.full(n, np.nan)
    signal = np.full(n, "", dtype=object)
    variation = np.full(n, "insufficient_data", dtype=object)
    needs_rebase = np.zeros(n, dtype=bool)
    direction = np.full(n, "", dtype=object)  # high / low: which side a special cause is on
    pol_ind = np.array([POLARITY_SIGN[d.polarity] for d in defs], dtype=np.int64)
    for step in np.unique(rules.native_months):  # at most three: monthly, quarterly, annual
        codes = np.flatnonzero(rules.native_months == step)
        hi = int(win["eval_hi"][codes].max())
        t_report = (hi + 1) // int(step)
        key_parts: list[np.ndarray] = []
        t_parts: list[np.ndarray] = []
        value_parts: list[np.ndarray] = []
        # t numbers the native periods, (end + 1) // step; the look-back in t is a range of
        # end months, so rows are picked by comparing end as it is and t is worked out for them only
        end_lo = (t_report - SPC_LOOKBACK + 1) * int(step) - 1
        end_hi = (t_report + 1) * int(step) - 2
        # each indicator's rebase periods in the same t: (end month + 1) // native months
        rebase = [[(Period.parse(r).end + 1) // int(step) for r in d.spc_rebase] for d in defs]
        starts = np.array([segment_starts(r, t_report) for r in rebase], dtype=float).reshape(-1, 2)
        for part in rows.parts:
            mine: np.ndarray = (part.end >= end_lo) & (part.end <= end_hi)
            if len(codes) < len(defs):  # native rows of these indicators are `step` months long
                mine &= np.isin(part.ind, codes)
            key_parts.append(part.key[mine])
            t_parts.append((part.end[mine].astype(np.int64) + 1) // int(step))
            value_parts.append(part.value[mine])
        key, t, value = (np.concatenate(a) if a else np.empty(0) for a in (key_parts, t_parts, value_parts))
        if not len(key):
            continue
        # A dense (series x period) grid: SPC then works on columns, with no sorting or
        # factorising of 33,000 series keys. Two rows for one cell is an input error that
        # spc_summary reports, so that rare case takes the long-format path.
        has_rows = np.bincount(key, minlength=n) > 0
        series = np.flatnonzero(has_rows)  # grid rows only for series with data: memory ~ rows
        row = (np.cumsum(has_rows) - 1)[key]
        cell = row * SPC_LOOKBACK + (t - (t_report - SPC_LOOKBACK + 1))
        filled = np.zeros(len(series) * SPC_LOOKBACK, dtype=bool)
        filled[cell] = True
        if np.count_nonzero(filled) < len(cell):  # some cell was written twice
            out = _spc_long(key, t, value, n_areas, t_report, pol_ind, rebase)
            k = out["key"].to_numpy(dtype=np.int64)
            needs_rebase[k] = out["spc_needs_rebase"].to_numpy(dtype=bool)
            direction[k] = out["spc_direction"].to_numpy(dtype=object)
            mean[k] = out["spc_mean"].to_numpy(dtype=float)
            ucl[k] = out["spc_ucl"].to_numpy(dtype=float)
            lcl[k] = out["spc_lcl"].to_numpy(dtype=float)
            signal[k] = out["spc_signal"].to_numpy(dtype=object)
            variation[k] = out["spc_variation"].to_numpy(dtype=object)
            continue
        grid: np.ndarray = np.full(len(series) * SPC_LOOKBACK, np.nan)
        grid[cell] = value
        grid = grid.reshape(len(series), SPC_LOOKBACK)
        mine = series // n_areas
        got = spc_latest(
            grid,
            pol_ind[mine],
            t=np.arange(t_report - SPC_LOOKBACK + 1, t_report + 1),
            segment_start=starts[mine, 0],
            previous_start=starts[mine, 1],
        )
        k = series[got["reported"]]
        needs_rebase[k] = got["needs_rebase"][got["reported"]]
        direction[k] = got["direction"][got["reported"]]
        mean[k] = got["mean"][got["reported"]]
        ucl[k] = got["ucl"][got["reported"]]
        lcl[k] = got["lcl"][got["reported"]]
        signal[k] = got["signal"][got["reported"]]
        variation[k] = got["variation"][got["reported"]]
    frame["spc_mean"] = mean[keys]
    frame["spc_ucl"] = ucl[keys]
    frame["spc_lcl"] = lcl[keys]
    frame["spc_signal"] = signal[keys]
    frame["spc_variation"] = variation[keys]
    frame["spc_direction"] = direction[keys]
    frame["spc_needs_rebase"] = needs_rebase[keys]
    # the trajectory brought to one native period: sums scale with the months they cover
    months = (win["eval_hi"] - win["cmp_lo"] + 1)[ind]
    native = rules.native_months[ind]
    is_sum = rules.aggregation[ind] == 0
    traj = frame["trajectory_value"].to_numpy(dtype=float)
    point_target = np.where(is_sum, traj * native / months, traj)
    assurance = classify_assurance(lcl[keys], ucl[keys], point_target, frame["_pol"].to_numpy())
    frame["spc_assurance"] = np.asarray(assurance, dtype=object)


def _spc_long(
    key: np.ndarray,
    t: np.ndarray,
    value: np.ndarray,
    n_areas: int,
    t_report: int,
    pol_ind: np.ndarray,
    rebase: list[list[int]],
) -> pd.DataFrame:
    """SPC by :func:`~reportgen.evaluate.spc.spc_summary` on long rows (it validates them)."""
    from reportgen.evaluate.spc import spc_summary

    data = pd.DataFrame({"key": key, "t": t, "value": value})
    uniq = np.unique(key)
    words = pd.Series(pol_ind[uniq // n_areas]).map(SPC_POLARITY).to_numpy()
    cuts = [rebase[i] for i in uniq // n_areas]
    return spc_summary(data, ["key"], t_report, series=pd.DataFrame({"key": uniq, "polarity": words, "rebase": cuts}))


# --------------------------------------------------------------------------------------------
PROPORTION, COUNT, RATE = "proportion", "count", "rate"  # which test a definition's changes get


def _test_kind(config: Config, defs: list[Indicator | Derived]) -> np.ndarray:
    """Per definition: ``proportion`` (a percentage of two counts: Wilson interval and the
    two-proportion test), ``count`` (a summed count of events: exact Poisson test), ``rate`` (a
    summed rate per 1,000 of a count: the Poisson test on the counts, populations being fixed)
    or "" (no test applies: percentages given as such, gaps, means, latest values, scores)."""
    units = config.indicators
    out = []
    for d in defs:  # one per definition
        summed = d.aggregation is Aggregation.SUM
        if isinstance(d, Derived) and d.kind is DerivedKind.PERCENTAGE:
            out.append(PROPORTION)
        elif d.unit is Unit.COUNT and summed:
            out.append(COUNT)
        elif (
            isinstance(d, Derived) and d.kind is DerivedKind.RATE_PER_1000 and summed
            and units[d.of[0]].unit is Unit.COUNT and units[d.of[0]].aggregation is Aggregation.SUM
        ):  # fmt: skip
            out.append(RATE)
        else:
            out.append("")
    return np.array(out, dtype=object)


def _target_words(relative: np.ndarray, in_points: np.ndarray) -> np.ndarray:
    """Words such as "a 10% relative increase" for a percentage measure whose target is a relative change
    (so it is not read as 10 points); "a 22% reduction" for other relative targets; None else."""
    out = np.full(len(relative), None, dtype=object)
    for value in np.unique(relative[np.isfinite(relative)]).tolist():  # a handful of distinct targets
        words = relative_target_words(value) or ""
        here = relative == value
        out[here & in_points] = words
        out[here & ~in_points] = words.replace(" relative", "")
    return out


def _verdicts(
    is_prop: np.ndarray, prop_p: np.ndarray, is_count: np.ndarray, count_p: np.ndarray, small: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The test that judged each change, its p-value (NaN when none was run) and whether the
    change is significant (True/False, None when no test applies)."""
    test = np.select(
        [is_prop & np.isfinite(prop_p), is_count & small & np.isfinite(count_p), is_count & np.isfinite(count_p)],
        [sig.TWO_PROPORTION, sig.TOO_SMALL, sig.POISSON_EXACT],
        default=sig.NOT_TESTED,
    ).astype(object)
    p = np.select([test == sig.TWO_PROPORTION, test == sig.POISSON_EXACT], [prop_p, count_p], default=np.nan)
    tested = test != sig.NOT_TESTED
    significant = np.full(len(test), None, dtype=object)
    with np.errstate(invalid="ignore"):
        significant[tested] = (p < sig.ALPHA)[tested]  # too small: p is NaN, never significant
    return test, p, significant


def _judge_changes(
    config: Config,
    frame: pd.DataFrame,
    cube: Cube,
    defs: list[Indicator | Derived],
    ind: np.ndarray,
    area: np.ndarray,
    win: dict[str, np.ndarray],
) -> None:
    """Intervals and significance (:mod:`~reportgen.evaluate.significance`), then direction of
    travel and improvement, in place. See ``docs/statistics.md``."""
    f = frame
    n = len(f)
    cv = f["compare_value"].to_numpy(dtype=float)
    prev = f["previous_value"].to_numpy(dtype=float)
    baseline = f["baseline_value"].to_numpy(dtype=float)
    pol = f["_pol"].to_numpy()
    kind = _test_kind(config, defs)[ind]
    nan = np.full(n, np.nan)

    # proportions of counts: the interval of the compared value, tests on the year and baseline
    is_prop = kind == PROPORTION
    cn = np.where(is_prop, f["compare_numerator"].to_numpy(dtype=float), np.nan)
    cd = np.where(is_prop, f["compare_denominator"].to_numpy(dtype=float), np.nan)
    low, high = sig.wilson_interval(cn, cd)
    f["sample_size"] = np.where(np.isfinite(low), cd, np.nan)
    f["ci_low"] = low * 100.0
    f["ci_high"] = high * 100.0
    pn, pd_ = f["previous_numerator"].to_numpy(dtype=float), f["previous_denominator"].to_numpy(dtype=float)
    yoy_prop_p = sig.two_proportion_p(cn, cd, pn, pd_) if is_prop.any() else nan
    base_prop_p = sig.two_proportion_p(cn, cd, f["_base_num"].to_numpy(), f["_base_den"].to_numpy()) if (
        is_prop.any()) else nan  # fmt: skip

    # counts (rates per 1,000 turned back into counts with the area's fixed population)
    p = config.partnership
    population = {a.id: a.population for a in p.places}
    per_area = np.array([population.get(a, np.nan) for a in cube.areas], dtype=float)
    is_count = (kind == COUNT) | (kind == RATE)
    scale = np.where(kind == RATE, per_area[area] / 1000.0, 1.0)
    a = np.where(is_count, cv * scale, np.nan)
    b = prev * scale
    base_b = np.where(np.isfinite(f["_base_months"].to_numpy()), baseline * scale, np.nan)
    with np.errstate(invalid="ignore"):  # snap float dust (a rate x population) to whole counts
        a, b, base_b = (np.where(np.abs(x - np.round(x)) < 1e-6, np.round(x), x) for x in (a, b, base_b))
    min_count = np.array([d.min_count_for_trend for d in defs], dtype=float)[ind]
    cmp_months = (win["eval_hi"] - win["cmp_lo"] + 1)[ind].astype(float)
    yoy_count_p = sig.poisson_exact_p(a, b) if is_count.any() else nan
    base_count_p = sig.poisson_exact_p(a, base_b, cmp_months, f["_base_months"].to_numpy()) if (
        is_count.any()) else nan  # fmt: skip

    yoy_test, yoy_p, yoy_sig = _verdicts(is_prop, yoy_prop_p, is_count, yoy_count_p, sig.too_small(a, b, min_count))
    f["yoy_test"] = yoy_test
    f["yoy_p_value"] = yoy_p
    f["yoy_significant"] = yoy_sig
    base_test, base_p, base_sig = _verdicts(
        is_prop, base_prop_p, is_count, base_count_p, sig.too_small(a, base_b, min_count)
    )
    f["change_test"] = base_test
    f["change_p_value"] = base_p
    f["change_significant"] = base_sig

    # direction of travel: the year-on-year change as labelled (whole percent, or points to
    # one decimal), by polarity; a change not beyond chance is "similar" whatever its sign
    in_points = f["change_unit"].to_numpy(dtype=object) == POINTS

    def shown(pct: np.ndarray, points: np.ndarray, diff: np.ndarray) -> np.ndarray:
        r = np.where(in_points, round_half_up_array(points, POINT_DECIMALS), round_half_up_array(pct))
        with np.errstate(invalid="ignore"):
            return np.sign(np.where(np.isfinite(r), r, diff))

    sign = shown(f["yoy_change_pct"].to_numpy(float), f["yoy_change_points"].to_numpy(float), cv - prev)
    not_beyond_chance = (yoy_test != sig.NOT_TESTED) & (yoy_sig != True)  # noqa: E712 (object array)
    direction = np.select(
        [np.isnan(cv) | np.isnan(prev), sign == 0, not_beyond_chance, pol == 0, sign * pol > 0],
        ["no_data", "no_change", "similar", np.where(sign > 0, "up", "down"), "improving"],
        default="worsening",
    ).astype(object)
    f["direction"] = direction
    text = pd.Series(direction).map(DIRECTION_WORDS).to_numpy(dtype=object)
    similar = direction == "similar"
    text[similar] = pd.Series(yoy_test[similar]).map(SIMILAR_WORDS).to_numpy(dtype=object)
    f["direction_text"] = text

    # improved (big-target rules): better than the baseline as labelled and, where a test
    # applies, beyond chance: a survey share up 0.4 points is not an improvement
    base_sign = shown(f["change_pct"].to_numpy(float), f["change_points"].to_numpy(float), cv - baseline)
    better = np.nan_to_num(base_sign * pol) > 0
    unproven = (base_test != sig.NOT_TESTED) & (base_sig != True)  # noqa: E712
    f["improved"] = better & ~unproven
    for col in ("_base_num", "_base_den", "_base_months"):
        del f[col]
