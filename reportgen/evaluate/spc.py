"""Statistical process control: XmR charts and special-cause rules, many series at once.

Method: NHS England / NHS Improvement, "Making Data Count" (MDC), XmR (individuals and moving
range) chart, as also implemented by the NHS-R community package NHSRplotthedots.

* Centre line: the mean of the baseline window.
* Moving range: ``|x_i - x_{i-1}|`` between consecutive observations inside the window (a window
  of n points has n - 1 ranges); ``MR-bar`` is their mean.
* Process limits: ``mean +/- 2.66 * MR-bar`` (2.66 = 3 / 1.128, i.e. three estimated sigmas).
* Special-cause rules, checked in this order of precedence:

  1. ``outside_limits``: a point strictly above the upper or below the lower limit.
  2. ``run``: ``run_length`` (7) or more consecutive points on the same side of the mean. A point
     exactly on the mean breaks a run (as in NHSRplotthedots).
  3. ``trend``: ``trend_length`` (7) or more consecutive points each strictly higher (or each
     strictly lower) than the one before. Two equal consecutive values break a trend.
  4. ``two_of_three``: two of three consecutive points strictly beyond 2 sigma (two thirds of the
     way from the mean to a limit, ``2/3 * 2.66 * MR-bar``), on the same side of the mean.

* Variation: a special cause is ``improvement`` or ``concern`` according to its direction and the
  indicator's polarity (for lower-is-better, high is concern); ``neutral`` when the polarity is
  neutral/contextual; otherwise ``common_cause``; ``insufficient_data`` when the baseline window
  holds fewer than ``min_points`` points (MDC advises against limits from so few points).
* Assurance against a target: ``consistently_passing`` when both limits are on the passing side,
  ``consistently_failing`` when both are on the failing side, ``inconsistent`` when the target lies
  between them; ``none`` without a target, with neutral polarity, or with insufficient data.

Conventions shared by :func:`spc_summary` and :func:`xmr_points`:

* **Gaps**: ``t`` only orders the observations. A series with a missing month is treated as
  consecutive observations in ``t`` order (the moving range spans the gap, runs and trends are not
  broken by it), and ``baseline_points`` counts observations, not months. Missing or non-finite
  values are dropped first, so they behave as gaps.
* **Baseline window**: by default the last ``baseline_points`` (24, "two-year mean") observations
  up to and including the reporting point, so the limits roll forward each month. With both
  ``baseline_start`` and ``baseline_end`` (``t`` values, inclusive) the limits are fixed from that
  window and extended to later points, as MDC advises once a process has been baselined.
* **The reporting point** is the latest observation at or before ``t_report`` (``spc_t`` says which;
  it is earlier than ``t_report`` when that month is missing).
* **Rebasing** (``rebase``: the ``t`` of each period where the process is known to have changed,
  e.g. a new recording practice or a step change the partnership has accepted): the series is cut
  into segments at those points, and each segment's limits come only from its own points (its
  last ``baseline_points``, so the limits still roll forward inside a segment). Runs, trends and
  two-of-three patterns never cross a rebase. A segment with fewer than ``min_points`` (12)
  points of its own keeps the limits of the segment before it (they are *carried*, and the
  points after the change are judged against the old process until there is enough new
  history: MDC's 12-20 points); if that segment is also short the limits are insufficient.
* **Needs rebasing**: when more than half of the points that set the current limits are part
  of a special-cause pattern judged against those limits, the limits describe no process at
  all (typically a step change inside the window) and ``needs_rebase`` is set, so documents can
  say so instead of painting every point. The count uses the window's points only.
* A point's rule membership is "this point is part of the pattern". For the latest point this means
  the run or trend ends at it, and for ``two_of_three`` that it is itself beyond 2 sigma together
  with at least one of the two points before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd

from reportgen.errors import DataError

__all__ = [
    "ASSURANCES",
    "LIMIT_FACTOR",
    "POLARITIES",
    "RULES",
    "VARIATIONS",
    "classify_assurance",
    "segment_starts",
    "spc_latest",
    "spc_summary",
    "xmr_points",
]

#: MDC's scaling constant: 3 / d2 with d2 = 1.128 for moving ranges of two points.
LIMIT_FACTOR: Final = 2.66
#: The "close to the limits" band: two thirds of the way from the mean to a limit (2 sigma).
WARNING_FACTOR: Final = LIMIT_FACTOR * 2.0 / 3.0
#: Special-cause rules in order of precedence (the first that fires names the point's signal).
RULES: Final = ("outside_limits", "run", "trend", "two_of_three")
VARIATIONS: Final = ("improvement", "concern", "neutral", "common_cause", "insufficient_data")
ASSURANCES: Final = ("consistently_passing", "consistently_failing", "inconsistent", "none")
#: Accepted polarity words -> sign of "better": +1 higher is better, -1 lower is better, 0 neutral.
POLARITIES: Final[Mapping[str, int]] = {"higher": 1, "lower": -1, "neutral": 0, "contextual": 0}

_SUMMARY_COLUMNS: Final = (
    "spc_t",
    "spc_value",
    "spc_n",
    "spc_mean",
    "spc_mr_bar",
    "spc_ucl",
    "spc_lcl",
    "spc_signal",
    "spc_direction",
    "spc_variation",
    "spc_assurance",
    "spc_polarity",
    "spc_target",
    "spc_needs_rebase",
    "spc_carried",
)


# --------------------------------------------------------------------------------------------
# Small shared helpers: both implementations call these, so they classify identically.
# --------------------------------------------------------------------------------------------
def _polarity_sign(polarity: str) -> int:
    try:
        return POLARITIES[str(polarity).strip().lower()]
    except KeyError:
        raise DataError(
            f"unknown polarity {polarity!r}",
            hint=f"use one of {', '.join(sorted(POLARITIES))}",
        ) from None


def _check_lengths(run_length: int, trend_length: int, min_points: int, baseline_points: int) -> None:
    if run_length < 2 or trend_length < 2:
        raise DataError("run_length and trend_length must be at least 2")
    if min_points < 0 or baseline_points < 1:
        raise DataError("min_points must be >= 0 and baseline_points >= 1")


def _variation(direction: np.ndarray, pol: np.ndarray, insufficient: np.ndarray) -> np.ndarray:
    """Direction (+1 high, -1 low, 0 none) x polarity sign -> variation label per element."""
    product = direction * pol
    return np.select(
        [insufficient, direction == 0, pol == 0, product > 0],
        ["insufficient_data", "common_cause", "neutral", "improvement"],
        default="concern",
    ).astype(object)


def _precedence(
    fired: Sequence[np.ndarray], directions: Sequence[np.ndarray], suppress: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First rule (in RULES order) that fired, and its direction; blank where suppressed."""
    rule = np.select(list(fired), list(RULES), default="").astype(object)
    direction = np.select(list(fired), list(directions), default=0).astype(np.int8)
    rule[suppress] = ""
    direction[suppress] = 0
    return rule, direction


def classify_assurance(
    lcl: np.ndarray | float,
    ucl: np.ndarray | float,
    target: np.ndarray | float,
    polarity_sign: np.ndarray | int,
) -> np.ndarray:
    """MDC assurance: where the target sits relative to the process limits.

    ``polarity_sign`` is +1 (higher is better), -1 (lower is better) or 0 (neutral: no assurance).
    A value equal to the target counts as meeting it. Missing target or limits give ``none``.
    """
    lcl, ucl, target, pol = np.broadcast_arrays(
        np.asarray(lcl, float), np.asarray(ucl, float), np.asarray(target, float), np.asarray(polarity_sign)
    )
    known = ~(np.isnan(lcl) | np.isnan(ucl) | np.isnan(target)) & (pol != 0)
    with np.errstate(invalid="ignore"):
        # Lower is better: the whole band at or below the target passes; all above it fails.
        passing = np.where(pol < 0, ucl <= target, lcl >= target)
        failing = np.where(pol < 0, lcl > target, ucl < target)
    out = np.select(
        [~known, passing, failing],
        ["none", "consistently_passing", "consistently_failing"],
        default="inconsistent",
    )
    return out.astype(object)


_DIRECTION_WORD: Final = np.array(["low", "", "high"], dtype=object)


def _direction_word(direction: np.ndarray) -> np.ndarray:
    return _DIRECTION_WORD[np.asarray(direction, dtype=np.int64) + 1]


def segment_starts(rebase: Sequence[int] | np.ndarray, t_report: int) -> tuple[float, float]:
    """The ``t`` where the reporting point's segment starts and where the one before it starts
    (``-inf`` when there is no such rebase): only rebases at or before ``t_report`` count."""
    done = sorted({int(r) for r in rebase if int(r) <= t_report})
    current = float(done[-1]) if done else -np.inf
    previous = float(done[-2]) if len(done) > 1 else -np.inf
    return current, previous


def _run_lengths(same_as_previous: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Length of the run each cell is in, row by row: a run continues while
    ``same_as_previous`` holds and covers only cells where ``counts`` is true."""
    rows, width = counts.shape
    forward = np.zeros((rows, width), dtype=np.int64)
    backward = np.zeros((rows, width), dtype=np.int64)
    for j in range(width):  # a loop over columns (at most a few dozen), vectorised over rows
        forward[:, j] = np.where(counts[:, j], 1 + (forward[:, j - 1] if j else 0) * same_as_previous[:, j], 0)
    for j in range(width - 1, -1, -1):
        later = backward[:, j + 1] * same_as_previous[:, j + 1] if j + 1 < width else 0
        backward[:, j] = np.where(counts[:, j], 1 + later, 0)
    return np.where(counts, forward + backward - 1, 0)


def _window_special(
    xw: np.ndarray, mean_c: np.ndarray, mr_bar: np.ndarray, run_length: int, trend_length: int
) -> np.ndarray:
    """Which points of each row are part of a special-cause pattern (the rules of
    :func:`xmr_points`), judged against the row's own mean and limits.

    ``xw`` holds one row per series: the points that set its limits, in time order, NaN
    elsewhere (patterns stop at NaN). Used for the "needs rebasing" count, identically by the
    three entry points, so they agree on it."""
    finite = np.isfinite(xw)
    half = (LIMIT_FACTOR * mr_bar)[:, None]
    warn = (WARNING_FACTOR * mr_bar)[:, None]
    dev = xw - mean_c[:, None]
    with np.errstate(invalid="ignore"):
        outside = finite & ((dev > half) | (dev < -half))
        side = np.where(finite, np.sign(dev), 0).astype(np.int8)
        z = np.where(finite & (dev > warn), 1, np.where(finite & (dev < -warn), -1, 0))
    prev_side = np.concatenate([np.zeros((len(xw), 1), np.int8), side[:, :-1]], axis=1)
    in_run = _run_lengths(side == prev_side, side != 0) >= run_length
    # Trends: a run of equal, non-zero steps; a point is in a trend if the step into or out of it is.
    with np.errstate(invalid="ignore"):
        step = np.where(finite[:, 1:] & finite[:, :-1], np.sign(xw[:, 1:] - xw[:, :-1]), 0).astype(np.int8)
    prev_step = np.concatenate([np.zeros((len(xw), 1), np.int8), step[:, :-1]], axis=1)
    step_in = _run_lengths(step == prev_step, step != 0) >= trend_length - 1
    pad = np.zeros((len(xw), 1), dtype=bool)
    in_trend = np.concatenate([pad, step_in], axis=1) | np.concatenate([step_in, pad], axis=1)
    two3 = np.zeros(xw.shape, dtype=bool)
    width = xw.shape[1]
    for lag in (1, 2):  # another point beyond 2 sigma on the same side within two places
        if lag < width:
            match = (z[:, lag:] == z[:, :-lag]) & (z[:, lag:] != 0)
            two3[:, lag:] |= match
            two3[:, :-lag] |= match
    return finite & (outside | in_run | in_trend | two3)


def _needs_rebase(special: np.ndarray, n: np.ndarray, judged: np.ndarray) -> np.ndarray:
    """More than half of the window's points are special cause (only where ``judged``)."""
    return judged & (2 * special.sum(axis=1) > n)


# --------------------------------------------------------------------------------------------
# One series, every point: for charts (and as the reference the vectorised summary is tested on).
# --------------------------------------------------------------------------------------------
def xmr_points(
    values: Sequence[float] | np.ndarray | pd.Series,
    baseline_points: int = 24,
    *,
    t: Sequence[int] | np.ndarray | None = None,
    baseline_start: int | None = None,
    baseline_end: int | None = None,
    polarity: str = "neutral",
    min_points: int = 12,
    run_length: int = 7,
    trend_length: int = 7,
    rebase: Sequence[int] | np.ndarray = (),
) -> pd.DataFrame:
    """Per-point XmR frame for one series (NHS England "Making Data Count" method).

    ``values`` are in time order, or are ordered by ``t`` when given (default ``t`` = 0, 1, ...).
    The baseline window is the last ``baseline_points`` observations, or the inclusive ``t`` range
    ``[baseline_start, baseline_end]`` when both are given. ``rebase`` lists the ``t`` where the
    process changed: each segment then has its own window (see the module docstring).

    Returns one row per (finite) observation with columns ``t``, ``value``, ``segment`` (the ``t``
    where the point's segment starts; the first observation's ``t`` before any rebase),
    ``baseline`` (in its segment's own window), ``moving_range``, ``n`` (points that set the
    point's limits), ``mean``, ``mr_bar``, ``ucl``, ``lcl``, ``upper_2sigma``, ``lower_2sigma``,
    ``carried`` (the limits are the previous segment's), ``needs_rebase`` (the point's segment's
    limits are judged meaningless), one boolean per rule in :data:`RULES` (the point is part of
    that pattern), ``run_points`` (length of the same-side run the point is in; 0 on the mean),
    ``rule`` (first rule by precedence, or ``""``), ``direction`` (``high``/``low``/``""``) and
    ``variation``. Rules are left blank when the limits rest on fewer than ``min_points`` points.
    """
    _check_lengths(run_length, trend_length, min_points, baseline_points)
    pol = _polarity_sign(polarity)
    v = np.asarray(values, dtype=float)
    tt = np.arange(len(v), dtype=np.int64) if t is None else np.asarray(t, dtype=np.int64)
    if tt.shape != v.shape:
        raise DataError(f"t has {tt.size} entries but values has {v.size}")
    keep = np.isfinite(v)  # missing months are gaps: the neighbours become consecutive
    order = np.argsort(tt[keep], kind="stable")
    v, tt = v[keep][order], tt[keep][order]
    if (np.diff(tt) == 0).any():
        raise DataError(f"t value {tt[1:][np.diff(tt) == 0][0]} appears twice in one series")
    n_all = len(v)
    frame = pd.DataFrame({"t": tt, "value": v})
    if (baseline_start is None) != (baseline_end is None):
        raise DataError("give both baseline_start and baseline_end, or neither")
    cuts = np.unique(np.asarray(rebase, dtype=np.int64))
    if baseline_start is not None and len(cuts):
        raise DataError("give a fixed baseline window or rebase points, not both")
    seg = np.searchsorted(cuts, tt, side="right")  # segment number: rebases at or before t

    # Work relative to the latest value so that a constant series has a mean that is exactly that
    # constant (no rounding can then put points "above" it) and a shifted series classifies alike.
    ref = v[-1] if n_all else 0.0
    x = v - ref
    steps = np.abs(np.diff(x))

    # Each segment's own window and statistics, then the ones each point is judged against.
    own: dict[int, tuple[int, float, float, np.ndarray]] = {}
    in_win = np.zeros(n_all, dtype=bool)
    for s in np.unique(seg):
        idx = np.flatnonzero(seg == s)
        if baseline_start is not None:
            w = idx[(tt[idx] >= baseline_start) & (tt[idx] <= baseline_end)]
        else:
            w = idx[-baseline_points:]
        in_win[w] = True
        step_ok = np.zeros(len(steps), dtype=bool)
        step_ok[w[:-1]] = True  # a window is consecutive observations: each step inside it
        n = len(w)
        mean_c = x[w].sum() / n if n else np.nan
        mr_bar = steps[step_ok].sum() / step_ok.sum() if step_ok.any() else np.nan
        own[int(s)] = (n, mean_c, mr_bar, w)
    starts = np.concatenate([tt[:1], cuts])  # segment 0 starts at the first observation
    frame["segment"] = starts[seg] if n_all else np.zeros(0, np.int64)
    frame["baseline"] = in_win
    n_pt = np.zeros(n_all, dtype=np.int64)
    mean_pt = np.full(n_all, np.nan)
    mr_pt = np.full(n_all, np.nan)
    carried = np.zeros(n_all, dtype=bool)
    needs = np.zeros(n_all, dtype=bool)
    for s, (n, mean_c, mr_bar, w) in own.items():
        mine = seg == s
        before = own.get(s - 1)
        if n < min_points and before is not None and before[0] >= min_points:
            n, mean_c, mr_bar, _ = before  # too few new points yet: the old process's limits
            carried[mine] = True
        elif n >= min_points:
            special = _window_special(x[w][None, :], np.array([mean_c]), np.array([mr_bar]), run_length, trend_length)
            needs[mine] = _needs_rebase(special, np.array([n]), np.array([True]))[0]
        n_pt[mine], mean_pt[mine], mr_pt[mine] = n, mean_c, mr_bar
    half = LIMIT_FACTOR * mr_pt
    warn = WARNING_FACTOR * mr_pt

    frame["moving_range"] = np.abs(np.diff(v, prepend=np.nan))  # NaN for the first point
    mean = ref + mean_pt
    frame["n"] = n_pt
    frame["mean"] = mean
    frame["mr_bar"] = mr_pt
    frame["ucl"] = mean + half
    frame["lcl"] = mean - half
    frame["upper_2sigma"] = mean + warn
    frame["lower_2sigma"] = mean - warn
    frame["carried"] = carried
    frame["needs_rebase"] = needs

    dev = x - mean_pt
    with np.errstate(invalid="ignore"):
        # Rule 1: outside the process limits.
        side_out = np.where(dev > half, 1, np.where(dev < -half, -1, 0))
        # Rule 2: runs on one side of the mean, found by cumulative group ids over side changes.
        side = np.sign(dev)
        side = np.where(np.isnan(side), 0, side).astype(np.int8)
        # Rule 4's side: beyond 2 sigma.
        z = np.where(dev > warn, 1, np.where(dev < -warn, -1, 0))
    side_s = pd.Series(side)
    seg_s = pd.Series(seg)
    new_segment = (seg_s != seg_s.shift()).to_numpy()
    run_id = ((side_s != side_s.shift()).to_numpy() | new_segment).cumsum()  # runs stop at a rebase
    run_len = side_s.groupby(run_id).transform("size").to_numpy()
    run_len = np.where(side != 0, run_len, 0)
    frame["run_points"] = run_len
    in_run = run_len >= run_length

    # Rule 3: trends. Steps are the signs of consecutive differences; a trend of k points is
    # k - 1 equal, non-zero steps. A point is in a trend if the step into it or out of it is.
    # A step across a rebase counts as flat, so no trend crosses it.
    step_sign = pd.Series(np.where(seg[1:] == seg[:-1], np.sign(np.diff(x)), 0).astype(np.int8))
    step_id = (step_sign != step_sign.shift()).cumsum()
    step_len = step_sign.groupby(step_id).transform("size").to_numpy()
    step_in = (step_sign.to_numpy() != 0) & (step_len >= trend_length - 1)
    step_dir = np.where(step_in, step_sign.to_numpy(), 0)
    into = np.concatenate([[0], step_dir])  # the step ending at each point
    out_of = np.concatenate([step_dir, [0]])  # the step starting at each point
    trend_dir = np.where(into != 0, into, out_of) if n_all else np.zeros(0, np.int8)

    # Rule 4: a point beyond 2 sigma with another on the same side within two places (and the
    # same segment), so that both fall in one window of three consecutive points.
    zs = pd.Series(z)
    same = np.zeros(n_all, dtype=bool)
    for lag in (-2, -1, 1, 2):  # four shifts, not a loop over points
        same |= (zs.shift(lag).to_numpy() == z) & (z != 0) & (seg_s.shift(lag).to_numpy() == seg)

    insufficient = n_pt < min_points
    fired = [side_out != 0, in_run, trend_dir != 0, same]
    dirs = [side_out, side, trend_dir, z]
    rule, direction = _precedence(fired, dirs, insufficient)
    for name, hit in zip(RULES, fired, strict=True):
        frame[name] = hit & ~insufficient
    frame["rule"] = rule
    frame["direction"] = _direction_word(direction)
    frame["variation"] = _variation(direction, np.full(n_all, pol), insufficient)
    return frame


# --------------------------------------------------------------------------------------------
# Many series, the reporting point only: vectorised over series (no Python loop per series).
# --------------------------------------------------------------------------------------------
def _settings(
    series: pd.DataFrame | None,
    keys: list[str],
    uniq: pd.DataFrame,
    defaults: dict[str, str | float | None],
) -> pd.DataFrame:
    """Per-series settings aligned with ``uniq`` (one row per series), defaults filled in."""
    out = uniq[keys].copy()
    if series is not None:
        if series.duplicated(keys).any():
            raise DataError("the per-series settings frame has duplicate keys", hint=f"keys are {keys}")
        cols = [c for c in defaults if c in series.columns]
        out = out.merge(series[keys + cols], on=keys, how="left", sort=False)
    for name, default in defaults.items():
        if name not in out.columns:
            out[name] = default
        elif default is not None:
            out[name] = out[name].where(out[name].notna(), default)
    return out


def spc_summary(
    data: pd.DataFrame,
    keys: Sequence[str],
    t_report: int,
    *,
    series: pd.DataFrame | None = None,
    t_col: str = "t",
    value_col: str = "value",
    baseline_points: int = 24,
    baseline_start: int | None = None,
    baseline_end: int | None = None,
    polarity: str = "neutral",
    target: float | None = None,
    min_points: int = 12,
    run_length: int = 7,
    trend_length: int = 7,
    rebase: Sequence[int] = (),
) -> pd.DataFrame:
    """SPC verdict for every series at the reporting point ``t_report`` (NHS "Making Data Count").

    ``data`` is long: the ``keys`` columns name a series, ``t_col`` is an integer time index of
    consecutive periods (e.g. ``year * 12 + month``) and ``value_col`` the value. Rows after
    ``t_report`` are ignored. The scalar settings apply to every series; ``series`` (the key columns
    plus any of ``polarity``, ``target``, ``baseline_points``, ``baseline_start``, ``baseline_end``,
    ``rebase`` (a sequence of ``t``)) overrides them per series, a missing value falling back to
    the scalar.

    Returns one row per series with a recent observation, sorted by the keys. "Recent" means within
    the ``lookback`` periods up to ``t_report``, where ``lookback`` is the largest
    ``baseline_points`` in use (at least the longest rule): a series with nothing that recent is
    stale, and is left out (missing data is the data-quality report's business, not SPC's). The
    columns are the keys, then ``spc_t`` (t of the reporting point), ``spc_value``, ``spc_n`` (points in
    the baseline window), ``spc_mean``, ``spc_mr_bar``, ``spc_ucl``, ``spc_lcl``, ``spc_signal`` (one
    of :data:`RULES` or ``""``), ``spc_direction`` (``high``/``low``/``""``), ``spc_variation``,
    ``spc_assurance``, ``spc_polarity``, ``spc_target``, ``spc_needs_rebase`` (more than half of
    the window's points are special cause) and ``spc_carried`` (the limits are the previous
    segment's: too few points since the last rebase).

    Vectorised: the rows are filtered to the recent window first, sorted once by (series, t), and
    every statistic is a ``bincount`` over series codes or an operation on a (series x last-k
    points) matrix. Series whose recent window is short (gaps, short history) get their older rows
    from a few extra passes over older time slices of doubling width (none when nothing is short).
    """
    keys = list(keys)
    _check_lengths(run_length, trend_length, min_points, baseline_points)
    _check_summary_args(data, keys, [t_col, value_col], baseline_start, baseline_end)
    _polarity_sign(polarity)  # validate the default early
    tail = max(run_length, trend_length, 3)  # the latest points any rule looks at

    # -- 1. Filter early: only the recent rows (and any fixed window) matter for t_report. -------
    max_bp, lo, hi = _widest_windows(series, baseline_points, baseline_start, baseline_end)
    lookback = max(max_bp, tail)
    t_all = data[t_col].to_numpy()
    upto = t_all <= t_report
    wanted = upto & (t_all > t_report - lookback)  # enough when a series has no gaps
    if lo is not None and hi is not None:  # one-sided windows are rejected below
        wanted |= upto & (t_all >= lo) & (t_all <= hi)
    recent = data.loc[wanted, [*keys, t_col, value_col]]
    recent = recent[np.isfinite(_floats(recent[value_col]))]

    # -- 2. Series codes: factorise each key column, combine, factorise again (sorted). ---------
    key_uniques, series_combined, code = _series_codes(recent, keys)
    n_series = len(series_combined)
    radices = [len(u) for u in key_uniques]
    uniq_frame = pd.DataFrame(
        {k: u.take(_digit(series_combined, radices, i)) for i, (k, u) in enumerate(zip(keys, key_uniques, strict=True))}
    )
    cfg = _settings(
        series,
        keys,
        uniq_frame,
        {
            "polarity": polarity,
            "target": target,
            "baseline_points": baseline_points,
            "baseline_start": baseline_start,
            "baseline_end": baseline_end,
            "rebase": None,
        },
    )
    pol_map = {p: _polarity_sign(p) for p in pd.unique(cfg["polarity"])}  # validate each word once
    pol = cfg["polarity"].map(pol_map).to_numpy(dtype=np.int8)
    bp = cfg["baseline_points"].to_numpy(dtype=np.int64)
    b_lo = pd.to_numeric(cfg["baseline_start"]).to_numpy(dtype=float)
    b_hi = pd.to_numeric(cfg["baseline_end"]).to_numpy(dtype=float)
    fixed = ~(np.isnan(b_lo) | np.isnan(b_hi))
    one_sided = np.isnan(b_lo) != np.isnan(b_hi)
    if one_sided.any():
        who = uniq_frame.iloc[int(np.flatnonzero(one_sided)[0])].to_dict()
        raise DataError(f"series {who} has only one of baseline_start and baseline_end", hint="give both")
    if (bp < 1).any():
        raise DataError("baseline_points must be at least 1 for every series")
    tgt = pd.to_numeric(cfg["target"]).to_numpy(dtype=float)
    seg_lo, prev_lo = _segment_starts_per_series(cfg["rebase"].to_numpy(), rebase, t_report)
    rebased = np.isfinite(seg_lo)
    if (rebased & fixed).any():
        who = uniq_frame.iloc[int(np.flatnonzero(rebased & fixed)[0])].to_dict()
        raise DataError(f"series {who} has a fixed baseline window and rebase points", hint="give one or the other")

    t_arr = recent[t_col].to_numpy(dtype=np.int64)
    v_arr = _floats(recent[value_col])

    # -- 3. Fallback for series that may have older points we filtered out. ---------------------
    # A series with fewer rows in the recent range than it needs has gaps or a short history.
    # Step back through older time slices of doubling width (a handful of vectorised passes over
    # slices of the frame, not a loop over series) until every such series has enough points or
    # the data runs out. Nothing is done when no series is short (the usual, complete case).
    # after a recent rebase the previous segment's window may be needed too (limits carried)
    need = np.where(fixed, tail, np.maximum(bp, tail) + np.where(rebased, min_points, 0))
    edge = t_report - lookback  # rows with t > edge have all been gathered
    have = np.bincount(code, weights=(t_arr > edge), minlength=n_series)
    short = have < need
    if short.any():
        code, t_arr, v_arr = _gather_older(
            data, [*keys, t_col, value_col], key_uniques, series_combined, (code, t_arr, v_arr),
            need=need, have=have, upto=upto, wanted=wanted, edge=edge, width=lookback,
        )  # fmt: skip

    # -- 4. Sort once by (series, t); positions from the start and from the end of each series. -
    order = np.lexsort((t_arr, code))
    code, t_arr, v_arr = code[order], t_arr[order], v_arr[order]
    same_series = code[1:] == code[:-1]
    dup = same_series & (t_arr[1:] == t_arr[:-1])
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        who = uniq_frame.iloc[code[i]].to_dict()
        raise DataError(f"series {who} has two rows for t={t_arr[i]}", column=t_col)
    counts = np.bincount(code, minlength=n_series)
    ends = np.cumsum(counts)
    last = ends - 1
    rev = ends[code] - 1 - np.arange(len(code))  # 0 = the reporting point of its series

    # Relative to the latest value: see xmr_points (exact constants, shift invariance).
    ref = v_arr[last]
    x = v_arr - ref[code]

    # -- 5. Window statistics by bincount over series codes. ------------------------------------
    # The current segment is a suffix of each series, the previous one the block just before it.
    cur = t_arr >= seg_lo[code]
    n_cur_all = np.bincount(code, weights=cur, minlength=n_series).astype(np.int64)
    prev = ~cur & (t_arr >= prev_lo[code])
    win_cur = cur & (rev < bp[code])
    win_prev = prev & (rev - n_cur_all[code] < bp[code])
    n_cur = np.bincount(code, weights=win_cur, minlength=n_series)
    n_prev = np.bincount(code, weights=win_prev, minlength=n_series)
    carried = rebased & (n_cur < min_points) & (n_prev >= min_points)
    in_win = np.where(
        fixed[code], (t_arr >= b_lo[code]) & (t_arr <= b_hi[code]), np.where(carried[code], win_prev, win_cur)
    )
    n = np.bincount(code, weights=in_win, minlength=n_series)
    x_sum = np.bincount(code, weights=np.where(in_win, x, 0.0), minlength=n_series)
    step_ok = same_series & in_win[1:] & in_win[:-1]
    step = np.abs(x[1:] - x[:-1])
    mr_sum = np.bincount(code[1:], weights=np.where(step_ok, step, 0.0), minlength=n_series)
    mr_n = np.bincount(code[1:], weights=step_ok, minlength=n_series)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_c = np.where(n > 0, x_sum / n, np.nan)
        mr_bar = np.where(mr_n > 0, mr_sum / mr_n, np.nan)
    half = LIMIT_FACTOR * mr_bar

    # -- 6. The last `tail` points of each series as a matrix; the rules are column operations. -
    mat = np.full((n_series, tail), np.nan)
    sel = (rev < tail) & cur  # patterns never reach back across a rebase
    mat[code[sel], rev[sel]] = x[sel]  # column 0 = reporting point, 1 = the one before, ...
    insufficient = n < min_points
    rule, direction = _latest_rules(mat, mean_c, mr_bar, insufficient, run_length, trend_length)
    # The window's own points, right-aligned, for the "needs rebasing" count.
    judged = ~insufficient & ~carried
    after = np.cumsum(in_win[::-1])[::-1]  # window points from here to the end of the data
    pos = after - np.concatenate([after, [0]])[ends[code]] - 1  # 0 = the window's last point
    width = int(n.max()) if n_series else 0
    xw = np.full((n_series, max(width, 1)), np.nan)
    pick = in_win & judged[code]
    xw[code[pick], width - 1 - pos[pick]] = x[pick]
    special = _window_special(xw, mean_c, mr_bar, run_length, trend_length)
    needs = _needs_rebase(special, n, judged)
    mean = ref + mean_c
    ucl, lcl = mean + half, mean - half
    assurance = classify_assurance(lcl, ucl, tgt, pol)
    assurance[insufficient] = "none"

    out = uniq_frame
    out["spc_t"] = t_arr[last]
    out["spc_value"] = v_arr[last]
    out["spc_n"] = n.astype(np.int64)
    out["spc_mean"] = mean
    out["spc_mr_bar"] = mr_bar
    out["spc_ucl"] = ucl
    out["spc_lcl"] = lcl
    out["spc_signal"] = rule
    out["spc_direction"] = _direction_word(direction)
    out["spc_variation"] = _variation(direction, pol, insufficient)
    out["spc_assurance"] = assurance
    out["spc_polarity"] = cfg["polarity"].to_numpy()
    out["spc_target"] = tgt
    out["spc_needs_rebase"] = needs
    out["spc_carried"] = carried
    return out[[*keys, *_SUMMARY_COLUMNS]]


def _check_summary_args(
    data: pd.DataFrame, keys: list[str], columns: list[str], baseline_start: int | None, baseline_end: int | None
) -> None:
    """spc_summary's frame has its columns, at least one key, and a whole fixed window if any."""
    missing = [c for c in [*keys, *columns] if c not in data.columns]
    if missing:
        raise DataError(f"columns {missing} not found", hint=f"the frame has {list(data.columns)}")
    if not keys:
        raise DataError("at least one key column is needed to tell the series apart")
    if (baseline_start is None) != (baseline_end is None):
        raise DataError("give both baseline_start and baseline_end, or neither")


def _widest_windows(
    series: pd.DataFrame | None, baseline_points: int, lo: int | None, hi: int | None
) -> tuple[int, int | None, int | None]:
    """The most baseline points any series uses, and the span of every fixed window (the
    defaults widened by the per-series settings): what to keep when filtering early."""
    max_bp = baseline_points
    if series is None:
        return max_bp, lo, hi
    if "baseline_points" in series.columns and series["baseline_points"].notna().any():
        max_bp = max(max_bp, int(series["baseline_points"].max()))
    for col in ("baseline_start", "baseline_end"):
        if col in series.columns and series[col].notna().any():
            lo = series[col].min() if lo is None else min(lo, series[col].min())
            hi = series[col].max() if hi is None else max(hi, series[col].max())
    return max_bp, lo, hi


def _series_codes(recent: pd.DataFrame, keys: list[str]) -> tuple[list[pd.Index], np.ndarray, np.ndarray]:
    """Each key column's sorted distinct values, the combined code of each series present
    (sorted) and each row's series number (an index into those codes)."""
    key_uniques: list[pd.Index] = []
    combined = np.zeros(len(recent), dtype=np.int64)
    for k in keys:
        col = recent[k]
        if col.isna().any():
            raise DataError(f"key column {k!r} has missing values", column=k)
        codes, uniq = pd.factorize(col, sort=True)
        key_uniques.append(pd.Index(uniq))
        combined = combined * len(uniq) + codes
    if np.prod([float(len(u)) for u in key_uniques]) >= 2.0**62:  # the combined code must fit in int64
        raise DataError(f"too many distinct key combinations in {keys} to code as int64")
    series_combined, code = np.unique(combined, return_inverse=True)
    return key_uniques, series_combined, code


def _segment_starts_per_series(
    cuts_per_series: np.ndarray, default: Sequence[int], t_report: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rebasing: where each series' current segment and the one before it start (-inf: none);
    a series with no rebase setting of its own takes ``default``."""
    seg_lo = np.full(len(cuts_per_series), -np.inf)
    prev_lo = np.full(len(cuts_per_series), -np.inf)
    for i, cuts in enumerate(cuts_per_series):
        cuts = default if cuts is None or (np.ndim(cuts) == 0 and pd.isna(cuts)) else cuts
        seg_lo[i], prev_lo[i] = segment_starts(cuts, t_report)
    return seg_lo, prev_lo


def _gather_older(
    data: pd.DataFrame,
    columns: list[str],
    key_uniques: list[pd.Index],
    series_combined: np.ndarray,
    gathered: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    need: np.ndarray,
    have: np.ndarray,
    upto: np.ndarray,
    wanted: np.ndarray,
    edge: int,
    width: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows gathered so far (series number, t, value) plus the older rows of the series
    that have fewer than they ``need``: slices of doubling width stepping back from ``edge``
    until every series has enough or the data runs out. ``columns``: the keys, t and value."""
    keys, t_col, value_col = columns[:-2], columns[-2], columns[-1]
    t_all = data[t_col].to_numpy()
    n_series = len(series_combined)
    short = have < need
    t_first = t_all[upto].min() if upto.any() else edge
    codes_parts, t_parts, v_parts = ([part] for part in gathered)
    while short.any() and edge >= t_first:
        in_slice = upto & (t_all > edge - width) & (t_all <= edge)
        older = data.loc[in_slice, columns]
        finite = np.isfinite(_floats(older[value_col]))
        taken = wanted[in_slice]  # fixed-window rows already gathered: count, do not repeat
        pos, hit = _locate(older, keys, key_uniques, series_combined)
        hit &= finite & short[pos]
        have = have + np.bincount(pos[hit], minlength=n_series)
        add = hit & ~taken
        codes_parts.append(pos[add])
        t_parts.append(older[t_col].to_numpy(dtype=np.int64)[add])
        v_parts.append(_floats(older[value_col])[add])
        short &= have < need
        edge -= width
        width *= 2
    return np.concatenate(codes_parts), np.concatenate(t_parts), np.concatenate(v_parts)


def spc_latest(
    values: np.ndarray,
    polarity_sign: np.ndarray,
    *,
    baseline_points: int = 24,
    min_points: int = 12,
    run_length: int = 7,
    trend_length: int = 7,
    t: np.ndarray | None = None,
    segment_start: np.ndarray | None = None,
    previous_start: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """:func:`spc_summary` for series held as a dense matrix: one row per series, one column
    per period, oldest first, the reporting point in the last column, NaN where missing.

    Gives the same numbers and words as :func:`spc_summary` on the long form of ``values``
    (``t`` = column, ``t_report`` = the last column; no fixed window, no target): missing
    months are gaps, the limits come from the last ``baseline_points`` observations. A
    series with no observation in the last ``max(baseline_points, 7)`` columns is stale
    (``spc_summary`` leaves it out): ``reported`` is False and its limits are NaN.

    Rebasing: ``t`` gives each column's time index (default 0, 1, ...), and ``segment_start`` /
    ``previous_start`` each row's current and previous segment starts in ``t`` (``-inf`` or NaN
    for none; :func:`segment_starts` works them out from a list of rebases), as
    ``spc_summary`` does with a ``rebase`` setting.

    Returns arrays over the rows: ``reported``, ``n``, ``mean``, ``mr_bar``, ``ucl``, ``lcl``,
    ``signal`` (one of :data:`RULES` or ``""``), ``direction``, ``variation``, ``needs_rebase``
    and ``carried``.
    """
    _check_lengths(run_length, trend_length, min_points, baseline_points)
    v = np.asarray(values, dtype=float)
    pol = np.asarray(polarity_sign, dtype=np.int8)
    n_series, width = v.shape
    tail = max(run_length, trend_length, 3)
    lookback = max(baseline_points, tail)
    present = np.isfinite(v)
    reported = present[:, max(width - lookback, 0) :].any(axis=1)
    tcol = np.broadcast_to(np.arange(width) if t is None else np.asarray(t), v.shape).astype(float)
    seg_lo = _starts(segment_start, n_series)
    prev_lo = _starts(previous_start, n_series)
    rebased = np.isfinite(seg_lo)
    gappy = np.flatnonzero(~present.all(axis=1))
    if len(gappy):
        # Close the gaps: each series' observations moved to the right end, in time order
        # (a stable sort puts the missing cells first), so column = observation, not month.
        order = np.argsort(present[gappy], axis=1, kind="stable")
        v = v.copy()
        v[gappy] = np.take_along_axis(v[gappy], order, axis=1)
        tcol = tcol.copy()
        tcol[gappy] = np.take_along_axis(tcol[gappy], order, axis=1)
        present = np.isfinite(v)
    # only the latest `lookback` observations can matter (and the previous segment's after a rebase)
    k = min(lookback + (min_points if rebased.any() else 0), width)
    v, present, tcol = v[:, width - k :], present[:, width - k :], tcol[:, width - k :]

    ref = v[:, -1] if k else np.full(n_series, np.nan)  # relative to the latest: see xmr_points
    x = v - ref[:, None]
    # The current segment is a suffix of each row's observations, the previous one the block before.
    cur = present & (tcol >= seg_lo[:, None])
    from_end = k - 1 - np.arange(k)
    win_cur = cur & (from_end < baseline_points)
    prev = present & ~cur & (tcol >= prev_lo[:, None])
    win_prev = prev & (from_end[None, :] - cur.sum(axis=1)[:, None] < baseline_points)
    carried = rebased & (win_cur.sum(axis=1) < min_points) & (win_prev.sum(axis=1) >= min_points)
    in_win = np.where(carried[:, None], win_prev, win_cur)
    n = in_win.sum(axis=1)
    # Column by column, oldest first: the very additions, in the same order, that
    # spc_summary's bincount over (series, t)-sorted rows makes, so the sums agree to the bit.
    x_sum = np.zeros(n_series)
    mr_sum = np.zeros(n_series)
    mr_n = np.zeros(n_series, dtype=np.int64)
    for j in range(k):
        x_sum += np.where(in_win[:, j], x[:, j], 0.0)
        if j:
            ok = in_win[:, j] & in_win[:, j - 1]
            mr_sum += np.where(ok, np.abs(x[:, j] - x[:, j - 1]), 0.0)
            mr_n += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_c = np.where(n > 0, x_sum / n, np.nan)
        mr_bar = np.where(mr_n > 0, mr_sum / mr_n, np.nan)

    mat = np.full((n_series, tail), np.nan)
    cols = min(tail, k)
    recent = np.where(cur, x, np.nan)  # patterns never reach back across a rebase
    mat[:, :cols] = recent[:, ::-1][:, :cols]  # column 0 = reporting point, 1 = the one before, ...
    insufficient = n < min_points
    rule, direction = _latest_rules(mat, mean_c, mr_bar, insufficient, run_length, trend_length)
    judged = ~insufficient & ~carried
    special = _window_special(np.where(in_win & judged[:, None], x, np.nan), mean_c, mr_bar, run_length, trend_length)
    needs = _needs_rebase(special, n, judged)
    mean = ref + mean_c
    half = LIMIT_FACTOR * mr_bar
    variation = _variation(direction, pol, insufficient)
    stale = ~reported
    rule[stale], direction[stale], variation[stale] = "", 0, "insufficient_data"
    needs[stale], carried[stale] = False, False
    mean, mr_bar = np.where(stale, np.nan, mean), np.where(stale, np.nan, mr_bar)
    return {
        "reported": reported,
        "n": n,
        "mean": mean,
        "mr_bar": mr_bar,
        "ucl": mean + half,
        "lcl": mean - half,
        "signal": rule,
        "direction": _direction_word(direction),
        "variation": variation,
        "needs_rebase": needs,
        "carried": carried,
    }


def _starts(values: np.ndarray | None, n_series: int) -> np.ndarray:
    """Per-row segment starts as floats, ``-inf`` where there is none."""
    if values is None:
        return np.full(n_series, -np.inf)
    out = np.asarray(values, dtype=float).copy()
    out[np.isnan(out)] = -np.inf
    return out


def _latest_rules(
    mat: np.ndarray,
    mean_c: np.ndarray,
    mr_bar: np.ndarray,
    insufficient: np.ndarray,
    run_length: int,
    trend_length: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The rule firing at each series' reporting point, and its direction.

    ``mat`` holds each series' latest points relative to its latest value, column 0 the
    reporting point, 1 the one before, ... (NaN where the series is shorter); shared by
    :func:`spc_summary` and :func:`spc_latest` so both classify identically."""
    half = LIMIT_FACTOR * mr_bar
    warn = WARNING_FACTOR * mr_bar
    dev = mat - mean_c[:, None]
    with np.errstate(invalid="ignore"):
        out_dir = np.where(dev[:, 0] > half, 1, np.where(dev[:, 0] < -half, -1, 0))
        side = np.sign(dev[:, :run_length])  # NaN for missing points never matches: no run
        in_run = (side[:, 0] != 0) & (side == side[:, :1]).all(axis=1)
        steps = mat[:, : trend_length - 1] - mat[:, 1:trend_length]
        trend_dir = np.where((steps > 0).all(axis=1), 1, np.where((steps < 0).all(axis=1), -1, 0))
        z = np.where(dev[:, :3] > warn[:, None], 1, np.where(dev[:, :3] < -warn[:, None], -1, 0))
    two3 = (z[:, 0] != 0) & ((z[:, 1] == z[:, 0]) | (z[:, 2] == z[:, 0]))
    run_dir = np.where(np.isnan(side[:, 0]), 0, side[:, 0]).astype(np.int8)
    return _precedence(
        [out_dir != 0, in_run, trend_dir != 0, two3], [out_dir, run_dir, trend_dir, z[:, 0]], insufficient
    )


def _floats(values: pd.Series) -> np.ndarray:
    """Values as float64, with pandas' missing markers (pd.NA in nullable columns) as NaN."""
    return values.to_numpy(dtype=float, na_value=np.nan)


def _digit(combined: np.ndarray, radices: list[int], i: int) -> np.ndarray:
    """The i-th mixed-radix digit of ``combined`` (undoes the key-code combination)."""
    below = int(np.prod(radices[i + 1 :], dtype=np.int64)) if i + 1 < len(radices) else 1
    return (combined // below) % radices[i]


def _locate(
    frame: pd.DataFrame, keys: list[str], key_uniques: list[pd.Index], series_combined: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Series code of each row of ``frame`` (by its key columns) and whether the series is known."""
    combined = np.zeros(len(frame), dtype=np.int64)
    known = np.ones(len(frame), dtype=bool)
    for k, u in zip(keys, key_uniques, strict=True):
        idx = u.get_indexer(pd.Index(frame[k]))  # an Index keeps pandas' fast path for categories
        known &= idx >= 0
        combined = combined * len(u) + np.maximum(idx, 0)
    if len(series_combined) == 0:
        return np.zeros(len(frame), dtype=np.int64), np.zeros(len(frame), dtype=bool)
    pos = np.searchsorted(series_combined, combined).clip(0, len(series_combined) - 1)
    return pos, known & (series_combined[pos] == combined)
