"""Derived indicators and aggregation, on a hand-built config and a real SQLite store."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from reportgen.evaluate.engine import evaluate, evaluate_store
from reportgen.periods import Kind, Period
from tests.evalkit import AREA_SCALE, load, make, monthly

P = Period.parse
FIRST, LAST = P("2000/01"), P("2005/06")


def burglary(i: int) -> float:
    return 100 + (i % 7)


def vehicle(i: int) -> float:
    return 40 + (i % 5) * 3


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("derived")
    config, store = make(tmp)
    frames = [
        monthly("burglary", FIRST, LAST, burglary),
        monthly("vehicle", FIRST, LAST, vehicle),
        # an annual survey: 150 of 536 in 2003/04, 160 of 540 in 2004/05
        pd.DataFrame(
            [
                ("survey_yes", "borough", "2003/04", 150),
                ("survey_n", "borough", "2003/04", 536),
                ("survey_yes", "borough", "2004/05", 160),
                ("survey_n", "borough", "2004/05", 540),
            ],
            columns=["indicator", "area", "period", "value"],
        ),
    ]
    raw = pd.concat(frames, ignore_index=True)
    load(store, raw)
    return config, store, raw


def raw_value(raw: pd.DataFrame, indicator: str, area: str, period: Period) -> float:
    keys = {Period(i, i, Kind.MONTH).key for i in period.months} | {period.key}
    rows = raw[(raw.indicator == indicator) & (raw.area == area) & raw.period.isin(keys)]
    return float(rows.value.sum())


def row(ev, indicator: str, area: str = "borough") -> pd.Series:
    df = ev.indicators
    hit = df[(df.id == indicator) & (df.area == area)]
    assert len(hit) >= 1, f"no row for {indicator}/{area}"
    return hit.iloc[0]


def test_sum_rate_and_gap_for_a_year(world) -> None:
    config, store, raw = world
    fy = P("2004/05")
    ev = evaluate_store(config, store, fy, areas=None)
    for area in AREA_SCALE:
        expected = raw_value(raw, "burglary", area, fy) + raw_value(raw, "vehicle", area, fy)
        assert row(ev, "crime", area)["value"] == expected
        pop = config.partnership.population(area)
        assert row(ev, "crime_rate", area)["value"] == pytest.approx(expected * 1000 / pop)
    crime = {a: raw_value(raw, "burglary", a, fy) + raw_value(raw, "vehicle", a, fy) for a in AREA_SCALE}
    priority_rate = (crime["north"] + crime["east"]) / (10_000 + 5_000) * 1000
    borough_rate = crime["borough"] / 100_000 * 1000
    gap = row(ev, "crime_gap")
    assert gap["value"] == pytest.approx((priority_rate - borough_rate) / borough_rate * 100)
    assert set(ev.indicators[ev.indicators.id == "crime_gap"].area) == {"borough"}


def test_gap_of_a_month_and_its_rolling_year(world) -> None:
    config, store, raw = world
    month = P("2004-11")
    ev = evaluate_store(config, store, month, areas=["borough"])
    gap = row(ev, "crime_gap")

    def rate(area: str, period: Period) -> float:
        count = raw_value(raw, "burglary", area, period) + raw_value(raw, "vehicle", area, period)
        return count

    b = rate("borough", month) / 100_000
    pr = (rate("north", month) + rate("east", month)) / 15_000
    assert gap["value"] == pytest.approx((pr - b) / b * 100)
    # the rolling year's gap comes from the year's counts, not a sum of monthly gaps
    r12 = month.rolling_12()
    b12 = rate("borough", r12) / 100_000
    pr12 = (rate("north", r12) + rate("east", r12)) / 15_000
    assert gap["compare_basis"] == "rolling_12"
    assert gap["compare_value"] == pytest.approx((pr12 - b12) / b12 * 100)


def test_percentage_keeps_numerator_and_denominator(world) -> None:
    config, store, _ = world
    ev = evaluate_store(config, store, P("2004/05"))
    pct = row(ev, "police_good_pct")
    assert pct["value"] == pytest.approx(160 / 540 * 100)
    assert pct["previous_value"] == pytest.approx(150 / 536 * 100)
    values = ev.values[ev.values.indicator == "police_good_pct"].set_index("period")
    assert values.loc["2003/04", "numerator"] == 150
    assert values.loc["2003/04", "denominator"] == 536
    assert round(values.loc["2003/04", "value"]) == 28  # "28% (150 of 536)"
    # gap parts are rates, not counts: blanked in the values documents read
    gaps = ev.values[ev.values.indicator == "crime_gap"]
    assert len(gaps) and gaps["numerator"].isna().all()


def test_month_quarter_year_aggregation_and_completeness(world) -> None:
    config, store, raw = world
    ev = evaluate_store(config, store, P("2005-08"))
    month = row(ev, "burglary")
    assert month["period"] == "2005-08"
    assert month["value"] == burglary(P("2005-08").start)
    ytd = sum(burglary(i) for i in range(P("2005-04").start, P("2005-08").end + 1))
    assert month["ytd_value"] == ytd
    r12 = sum(burglary(i) for i in P("2005-08").rolling_12().months)
    assert month["rolling12_value"] == r12 == month["compare_value"]
    prev = sum(burglary(i) for i in P("2004-08").rolling_12().months)
    assert month["previous_value"] == prev

    quarterly = ev.series("burglary", kind=Kind.QUARTER)
    assert quarterly["2005-Q2"] == sum(burglary(i) for i in P("2005-Q2").months)
    assert "2005-Q3" not in quarterly.index  # July and August only: incomplete
    yearly = ev.series("burglary", kind=Kind.FINANCIAL_YEAR)
    assert yearly["2004/05"] == sum(burglary(i) for i in P("2004/05").months)
    assert "2005/06" not in yearly.index
    assert list(ev.series("burglary").index[-2:]) == ["2005-07", "2005-08"]  # nothing after the period


def test_incomplete_year_has_no_value(world) -> None:
    config, store, _ = world
    frame = store.frame()
    frame = frame[frame.period_end <= P("2005-08").end]  # the year so far: April to August
    ev = evaluate(config, frame, P("2005/06"))
    b = row(ev, "burglary")
    assert math.isnan(b["value"]) and b["missing"] and b["status"] == "no_data"
    assert math.isnan(b["ytd_value"])  # a year's "year to date" is the whole year: incomplete too
    full = evaluate(config, store.frame(), P("2005/06"))
    assert row(full, "burglary")["value"] == sum(burglary(i) for i in P("2005/06").months)


def test_sum_needs_every_input(tmp_path) -> None:
    config, store = make(tmp_path)
    load(store, monthly("burglary", P("2004/05"), P("2004/05"), burglary))
    ev = evaluate_store(config, store, P("2004/05"))
    assert math.isnan(row(ev, "crime")["value"])  # no vehicle crime: no total
    assert not np.isnan(row(ev, "burglary")["value"])


def test_yearly_series_of_a_gap_is_recomputed_from_its_parts(world) -> None:
    config, store, raw = world
    ev = evaluate_store(config, store, P("2004/05"))
    yearly = ev.series("crime_gap", kind=Kind.FINANCIAL_YEAR)
    assert yearly["2004/05"] == pytest.approx(row(ev, "crime_gap")["value"])
    monthly_sum = ev.series("crime_gap")[[Period(i, i, Kind.MONTH).key for i in P("2004/05").months]].sum()
    assert yearly["2004/05"] != pytest.approx(monthly_sum)  # not a sum of monthly percentages


def test_period_keys_alone_are_enough(world) -> None:
    config, _, raw = world
    ev = evaluate(config, raw, P("2004/05"))  # no period_start / period_end columns
    expected = raw_value(raw, "burglary", "borough", P("2004/05"))
    assert row(ev, "burglary")["value"] == expected
