"""The vectorised engine against a slow, independent reference, series by series.

The synthetic partnership of the evaluation benchmark (100 monthly indicators, 10 derived),
cut down to a few areas and with 3% of the observations dropped so that windows are
sometimes incomplete and SPC has gaps. For every monitored (indicator, area) row the
reference recomputes, from the long values frame with plain pandas and
:func:`reportgen.evaluate.spc.xmr_points` (the per-series SPC), the period value, the
rolling 12 months, the year to date, the same basis a year earlier and the SPC columns.
Two more tests pin what the fast paths rely on: windows over the base and derived rows side
by side equal one window over them appended, and the order of the input rows does not matter.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from reportgen.evaluate.aggregate import Cube, Windows, window
from reportgen.evaluate.derive import derive
from reportgen.evaluate.engine import evaluate, indicator_rules
from reportgen.evaluate.spc import xmr_points
from reportgen.periods import Kind, Period, financial_year_start
from tests.benchmarks.bench_evaluate import synthetic_config, synthetic_frame

SPC_WORDS = {"lower_is_better": "lower", "higher_is_better": "higher", "contextual": "neutral"}


@pytest.fixture(scope="module")
def world():
    config = synthetic_config()
    frame = synthetic_frame(config)
    frame = frame[frame["area"].cat.codes.to_numpy() % 60 == 0]  # 5 of the 300 areas
    rng = np.random.default_rng(7)
    frame = frame[rng.random(len(frame)) > 0.03].reset_index(drop=True)
    return config, frame


def _window(series: dict[int, float], lo: int, hi: int) -> float:
    """Sum over months lo..hi, only when every month is there."""
    if any(m not in series for m in range(lo, hi + 1)):
        return math.nan
    return float(sum(series[m] for m in range(lo, hi + 1)))


def _spc(series: dict[int, float], end: int, polarity: str) -> dict[str, object]:
    months = sorted(m for m in series if end - 36 < m <= end)
    if not months:
        return {"spc_mean": math.nan, "spc_variation": "insufficient_data", "spc_signal": ""}
    points = xmr_points([series[m] for m in months], t=months, polarity=polarity)
    last = points.iloc[-1]
    return {
        "spc_mean": last["mean"],
        "spc_ucl": last["ucl"],
        "spc_lcl": last["lcl"],
        "spc_signal": last["rule"],
        "spc_variation": last["variation"],
    }


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("asked", ["2012-03", "2006-Q2", "2005/06", "2001-02"])
def test_monitored_rows_match_the_slow_reference(world, asked: str) -> None:
    config, frame = world
    period = Period.parse(asked)
    result = evaluate(config, frame, period)
    values = result.values
    monthly = values[values["period_end"] == values["period_start"]]
    by_series = {
        (str(i), str(a)): dict(zip(g["period_start"].tolist(), g["value"].tolist(), strict=True))
        for (i, a), g in monthly.groupby(["indicator", "area"], observed=True)
    }
    rows = result.indicators[result.indicators["strategy"] == ""]
    rng = np.random.default_rng(0)
    sample = rows.iloc[np.sort(rng.choice(len(rows), size=min(len(rows), 120), replace=False))]
    hi = period.end
    lo = period.start if period.kind is not Kind.MONTH else hi
    ytd_lo = Period.financial_year(financial_year_start(hi)).start
    rolling = period.kind in (Kind.MONTH, Kind.QUARTER)
    checked = 0
    for row in sample.to_dict("records"):
        series = by_series.get((row["id"], row["area"]), {})
        if row["aggregation"] != "sum" or row["unit"] == "percentage":
            continue  # the percentages and the gap are recomputed from parts: see test_evaluate_derived
        r12 = _window(series, hi - 11, hi)
        expected = {
            "value": _window(series, lo, hi),
            "rolling12_value": r12,
            "ytd_value": _window(series, ytd_lo, hi),
            "compare_value": r12 if rolling else _window(series, lo, hi),
            "previous_value": _window(series, hi - 23, hi - 12) if rolling else _window(series, lo - 12, hi - 12),
        }
        for name, want in expected.items():
            assert _close(row[name], want), (row["id"], row["area"], name, row[name], want)
        spc = _spc(series, hi, SPC_WORDS[row["polarity"]])
        for name, want in spc.items():
            if isinstance(want, str):
                assert row[name] == want, (row["id"], row["area"], name, row[name], want)
            else:
                assert _close(row[name], float(want)), (row["id"], row["area"], name, row[name], want)
        checked += 1
    assert checked >= 50  # the sample really exercised the comparison


def test_every_series_with_recent_data_gets_spc(world) -> None:
    """SPC covers every series with data in its look-back, not just the targeted ones."""
    config, frame = world
    period = Period.parse("2012-03")
    result = evaluate(config, frame, period)
    values = result.values
    recent = values[(values["period_end"] > period.end - 36) & (values["period_end"] <= period.end)]
    with_data = set(zip(recent["indicator"].astype(str), recent["area"].astype(str), strict=True))
    rows = result.indicators
    has_spc = rows["spc_mean"].notna().to_numpy()
    pairs = list(zip(rows["id"], rows["area"], strict=True))
    assert [p in with_data for p in pairs] == has_spc.tolist()
    assert has_spc.sum() > 500
    assert set(rows["spc_variation"]) <= {"improvement", "concern", "neutral", "common_cause", "insufficient_data"}


def test_windows_over_parts_equal_one_window_over_the_appended_cube(world) -> None:
    """Windows reads the base and derived rows side by side; the sums must not change by a bit."""
    config, frame = world
    ids, _, rules = indicator_rules(config)
    p = config.partnership
    areas = [p.borough.id, *(a.id for a in p.neighbourhoods), *(c.id for c in p.comparators)]
    cube = Cube.from_frame(frame, ids, areas, until=Period.parse("2012-03").end)
    parts = derive(config, cube, rules)
    windows = Windows([cube, *parts], rules)
    appended = cube.append(parts)
    end = Period.parse("2012-03").end
    ragged = end - np.arange(len(ids)) % 13  # a different window per indicator
    for lo, hi in [(end, end), (end - 11, end), (ragged - 11, ragged), (end - 40, end - 28)]:
        lo, hi = np.broadcast_to(lo, len(ids)).copy(), np.broadcast_to(hi, len(ids)).copy()
        got, want = windows.window(lo, hi), window(appended, lo, hi, rules)
        np.testing.assert_array_equal(got.value, want.value)
        np.testing.assert_array_equal(got.complete, want.complete)
        assert np.isfinite(got.value).sum() > 100


def test_row_order_does_not_change_the_evaluation(world) -> None:
    """The SPC grid and the windows do not depend on the order the store hands rows over in."""
    config, frame = world
    period = Period.parse("2012-03")
    shuffled = frame.sample(frac=1.0, random_state=11)
    a = evaluate(config, frame, period)
    b = evaluate(config, shuffled, period)
    pd.testing.assert_frame_equal(a.indicators, b.indicators)
    pd.testing.assert_frame_equal(a.targets, b.targets)
