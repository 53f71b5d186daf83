"""The vectorised engine against a slow, independent reference, series by series.

The synthetic partnership of the evaluation benchmark (100 monthly indicators, 10 derived),
cut down to a few areas and with 3% of the observations dropped so that windows are
sometimes incomplete and SPC has gaps. For every monitored (indicator, area) row the
reference recomputes, from the long values frame with plain pandas and
:func:`reportgen.evaluate.spc.xmr_points` (the per-series SPC), the period value, the
rolling 12 months, the year to date, the same basis a year earlier and the SPC columns.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from reportgen.evaluate.engine import evaluate
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
