"""Laws of the engine, checked with hypothesis on a hand-built config (evaluate() on frames)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.config import load_config
from reportgen.evaluate.engine import evaluate
from reportgen.periods import Period
from tests.evalkit import monthly, with_bounds, write_config

P = Period.parse
BASE, TARGET = P("2001/02"), P("2004/05")  # the hand-built strategy s1
levels = st.integers(min_value=1, max_value=2_000)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_config(write_config(tmp_path_factory.mktemp("laws") / "config"))


def two_years(indicator: str, before: int, after: int) -> pd.DataFrame:
    """``before`` a month through 2001/02, ``after`` a month through 2002/03 (all areas)."""
    a = monthly(indicator, P("2001/02"), P("2001/02"), lambda _i: before)
    b = monthly(indicator, P("2002/03"), P("2002/03"), lambda _i: after)
    return with_bounds(pd.concat([a, b], ignore_index=True))


def rows_of(ev, indicator: str) -> pd.DataFrame:
    return ev.indicators[ev.indicators.id == indicator]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=levels, after=levels, period=st.sampled_from(["2002/03", "2003-03", "2003-Q1"]))
def test_a_rise_in_lower_is_better_is_never_improving(config, before: int, after: int, period: str) -> None:
    ev = evaluate(config, two_years("burglary", before, after), P(period), areas=None)
    for _, r in rows_of(ev, "burglary").iterrows():
        if r["compare_value"] > r["previous_value"]:
            assert r["direction"] != "improving"
        if r["compare_value"] > r["baseline_value"]:
            assert not r["improved"]
        if r["compare_value"] < r["previous_value"]:
            assert r["direction"] in ("improving", "no_change", "similar")
        # a verdict only where the exact Poisson test finds the change beyond chance
        assert (r["direction"] in ("improving", "worsening")) == (r["yoy_significant"] is True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=levels, after=levels)
def test_a_fall_in_higher_is_better_is_never_improving(config, before: int, after: int) -> None:
    ev = evaluate(config, two_years("arrests", before, after), P("2002/03"), areas=None)
    rows = rows_of(ev, "arrests")
    assert len(rows) == 5  # every area with data
    for _, r in rows.iterrows():
        if r["compare_value"] < r["previous_value"]:
            assert r["direction"] != "improving"
        if r["compare_value"] > r["previous_value"]:
            assert r["direction"] in ("improving", "no_change", "similar")
        if r["direction"] == "similar":
            assert r["yoy_test"] in ("poisson_exact", "too_small") and r["yoy_significant"] is False
        if r["compare_value"] == r["previous_value"]:
            assert r["direction"] == "no_change"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=levels, after=levels)
def test_contextual_indicators_go_up_or_down_and_are_grey(config, before: int, after: int) -> None:
    ev = evaluate(config, two_years("dv", before, after), P("2002/03"))
    r = rows_of(ev, "dv").iloc[0]
    assert r["direction"] in ("up", "down", "no_change", "similar")
    assert r["status"] == "grey" and not r["improved"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(level=levels, drift=st.integers(-5, 5))
def test_trajectory_passes_through_baseline_and_target(config, level: int, drift: int) -> None:
    frame = with_bounds(
        monthly("burglary", P("2001/02"), P("2005/06"), lambda i: max(level + drift * (i - BASE.start), 0))
    )

    def measure(period: str) -> pd.Series:
        ev = evaluate(config, frame, P(period))
        r = ev.indicators
        return r[(r.id == "burglary") & (r.target == "burglary")].iloc[0]  # s1: reduce by 20%

    at_base = measure("2001/02")
    baseline = at_base["baseline_value"]
    assert baseline == at_base["compare_value"]
    assert at_base["trajectory_value"] == pytest.approx(baseline)
    target = baseline * 0.8
    at_target = measure("2004/05")
    assert at_target["target_value"] == pytest.approx(target)
    assert at_target["trajectory_value"] == pytest.approx(target)
    assert measure("2005/06")["trajectory_value"] == pytest.approx(target)  # clamped after the target year
    # straight line by months elapsed: 2002/03 ends 12 of 36 months after the baseline's end
    assert measure("2002/03")["trajectory_value"] == pytest.approx(baseline + (target - baseline) / 3)
    assert measure("2003-09")["trajectory_value"] == pytest.approx(baseline + (target - baseline) * 18 / 36)


def test_rag_against_trajectory_with_tolerance(config) -> None:
    # baseline 100 a month (1,200 a year); target -20% -> 960 in 2004/05
    base = monthly("burglary", P("2001/02"), P("2001/02"), lambda _i: 100)

    def status(per_month: float) -> str:
        now = monthly("burglary", P("2004/05"), P("2004/05"), lambda _i: per_month)
        ev = evaluate(config, with_bounds(pd.concat([base, now])), P("2004/05"))
        r = ev.indicators
        return r[(r.target == "burglary") & (r.area == "borough")].iloc[0]["status"]

    assert status(80) == "green"  # 960: exactly on target
    assert status(79) == "green"
    assert status(84) == "amber"  # 1,008: 5% above 960 is the default tolerance
    assert status(85) == "red"  # 1,020: beyond tolerance
