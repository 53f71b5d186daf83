"""The right unit of change and significance before adjectives, through the real engine.

Percentages change in points, counts and rates relatively; a change carries a direction word
only when a test finds it beyond chance. Oracles: hand-worked figures, scipy's ``binomtest`` and
statsmodels' ``proportions_ztest`` (scalar calls the engine does not make), the Wilson formula by
hand; and the demo partnership pulled into a real store and read through ``reportgen evaluate``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import demo_reports
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportions_ztest

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.evaluate.engine import evaluate
from reportgen.evaluate.labels import (
    interval_label,
    points_label,
    points_labels,
    relative_target_words,
    unit_change_labels,
)
from reportgen.periods import Period
from tests.evalkit import STRATEGY, monthly, with_bounds, write_config

P = Period.parse
DEMO = Path(__file__).resolve().parents[1] / "data_sources"
Z = 1.959963984540054

SURVEY_STRATEGY = (
    STRATEGY
    + """
[[targets]]
id = "confidence"
number = 5
title = "Increase confidence in the police by 5%"
[[targets.measures]]
indicator = "police_good_pct"
change_pct = 5
"""
)


# --- labels --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("points", "label"),
    [
        (32.94460641399417 - 27.956989247311824, "Up 5.0 points"),  # treatment completions
        (44.23304798731274 - 46.538299434753775, "Down 2.3 points"),  # the priority gap
        (0.43, "Up 0.4 points"),
        (0.05, "Up 0.1 points"),  # half up, not to even
        (-0.05, "Down 0.1 points"),
        (0.25, "Up 0.3 points"),
        (0.049, "No change"),
        (-0.04, "No change"),
        (1.0, "Up 1.0 point"),
        (0.15 + 0.1 - 0.2, "Up 0.1 points"),  # 0.04999999999999999 as a float: snapped to 0.05
    ],
)
def test_points_labels(points: float, label: str) -> None:
    assert points_label(points) == label
    assert points_labels(np.array([points]))[0] == label


def test_labels_pick_the_unit_per_row() -> None:
    pct = np.array([17.84, 17.84, np.nan])
    points = np.array([4.99, np.nan, np.nan])
    got = unit_change_labels(pct, points, np.array([True, False, True]))
    assert list(got) == ["Up 5.0 points", "Up 18%", None]


def test_interval_label() -> None:
    assert interval_label(24.351542, 31.931918) == "24.4% to 31.9%"
    assert interval_label(0.05, 12.25) == "0.1% to 12.3%"  # half up
    assert interval_label(float("nan"), 3.0) is None


def test_relative_target_words() -> None:
    assert relative_target_words(10) == "a 10% relative increase"
    assert relative_target_words(-5) == "a 5% relative reduction"
    assert relative_target_words(2.5) == "a 2.5% relative increase"
    assert relative_target_words(None) is None


# --- the engine on a hand-built partnership ----------------------------------------------------
@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_config(write_config(tmp_path_factory.mktemp("units") / "config", strategy=SURVEY_STRATEGY))


def survey(yes_then: int, n_then: int, yes_now: int, n_now: int) -> pd.DataFrame:
    rows = [
        ("survey_yes", "borough", "2001/02", yes_then),
        ("survey_n", "borough", "2001/02", n_then),
        ("survey_yes", "borough", "2002/03", yes_now),
        ("survey_n", "borough", "2002/03", n_now),
    ]
    return with_bounds(pd.DataFrame(rows, columns=["indicator", "area", "period", "value"]))


def row(ev, indicator: str, area: str = "borough", strategy: str | None = None) -> pd.Series:
    rows = ev.indicators[(ev.indicators.id == indicator) & (ev.indicators.area == area)]
    if strategy is not None:
        rows = rows[rows.strategy == strategy]
    assert len(rows) >= 1, (indicator, area)
    return rows.iloc[0]


def test_survey_change_within_chance_is_no_significant_change(config) -> None:
    # the demo's police rating: 151 of 548 (27.55%) then 150 of 536 (27.99%)
    r = row(evaluate(config, survey(151, 548, 150, 536), P("2002/03")), "police_good_pct")
    assert r["change_unit"] == "points"
    assert r["change_points"] == pytest.approx(150 / 536 * 100 - 151 / 548 * 100)
    assert r["change_label"] == "Up 0.4 points" and r["yoy_change_label"] == "Up 0.4 points"
    assert r["change_pct"] == pytest.approx((150 / 536 - 151 / 548) / (151 / 548) * 100)  # kept beside
    assert (r["compare_numerator"], r["compare_denominator"]) == (150, 536)
    assert (r["previous_numerator"], r["previous_denominator"]) == (151, 548)
    assert r["sample_size"] == 536
    p = 150 / 536
    centre = (p + Z * Z / (2 * 536)) / (1 + Z * Z / 536)
    half = Z * math.sqrt(p * (1 - p) / 536 + Z * Z / (4 * 536**2)) / (1 + Z * Z / 536)
    assert r["ci_low"] == pytest.approx((centre - half) * 100) and r["ci_high"] == pytest.approx((centre + half) * 100)
    assert r["yoy_test"] == "two_proportion"
    assert r["yoy_p_value"] == pytest.approx(proportions_ztest([150, 151], [536, 548])[1])
    assert r["yoy_significant"] is False
    assert r["direction"] == "similar" and r["direction_text"] == "No significant change"
    # not an improvement for the big targets either, and the reason says why
    assert r["change_significant"] is False and not r["improved"]
    assert r["target_change_words"] == "a 5% relative increase"
    assert r["target_value"] == pytest.approx(151 / 548 * 100 * 1.05)
    reasons = evaluate(config, survey(151, 548, 150, 536), P("2002/03")).targets.set_index("id").loc["confidence"]
    assert any("no significant change: up 0.4 points on 2001/02" in x for x in reasons["reasons"])


def test_survey_change_beyond_chance_is_improving(config) -> None:
    r = row(evaluate(config, survey(100, 500, 200, 500), P("2002/03")), "police_good_pct")
    assert r["change_label"] == "Up 20.0 points"
    assert r["yoy_p_value"] == pytest.approx(proportions_ztest([200, 100], [500, 500])[1])
    assert r["yoy_significant"] is True and r["direction"] == "improving" and r["direction_text"] == "Improving"
    assert r["improved"]


def counts(indicator: str, before, after, areas) -> pd.DataFrame:
    a = monthly(indicator, P("2001/02"), P("2001/02"), before, areas=areas)
    b = monthly(indicator, P("2002/03"), P("2002/03"), after, areas=areas)
    return pd.concat([a, b], ignore_index=True)


def test_counts_get_a_verdict_only_beyond_chance(config) -> None:
    frame = with_bounds(
        pd.concat(
            [
                counts("burglary", lambda _i: 100, lambda _i: 80, {"borough": 1.0}),  # 1,200 -> 960
                counts("burglary", lambda _i: 100, lambda _i: 98, {"south": 1.0}),  # 1,200 -> 1,176
                counts("burglary", lambda _i: 1, lambda i: 1 + i % 2, {"east": 1.0}),  # 12 -> 18
                counts("robbery", lambda _i: 8, lambda _i: 9, {"borough": 1.0}),  # 96 -> 108
            ],
            ignore_index=True,
        )
    )
    ev = evaluate(config, frame, P("2002/03"))
    big = row(ev, "burglary", "borough", strategy="s1")
    assert big["change_unit"] == "percent" and math.isnan(big["change_points"])
    assert big["yoy_change_label"] == "Down 20%" and big["yoy_difference"] == -240
    assert big["change_difference"] == -240  # the baseline is 2001/02, the year before
    assert big["yoy_test"] == "poisson_exact"
    assert big["yoy_p_value"] == pytest.approx(binomtest(960, 2160, 0.5).pvalue, rel=1e-9)
    assert big["direction"] == "improving" and big["improved"]
    assert big["target_change_words"] == "a 20% reduction"  # a count's relative target: no "relative"

    near = row(ev, "burglary", "south")
    assert near["yoy_change_label"] == "Down 2%"
    assert near["yoy_p_value"] == pytest.approx(binomtest(1176, 2376, 0.5).pvalue, rel=1e-9)
    assert near["direction"] == "similar" and near["direction_text"] == "Similar to a year ago"

    small = row(ev, "burglary", "east")
    assert small["yoy_change_label"] == "Up 50%"
    assert small["yoy_test"] == "too_small" and small["yoy_significant"] is False
    assert small["direction"] == "similar" and math.isnan(small["yoy_p_value"])

    rob = row(ev, "robbery")  # up 13%, lower is better: within chance (p = 0.44), so never "worsening"
    assert rob["yoy_change_label"] == "Up 13%"
    assert rob["direction"] == "similar"


def test_rates_are_tested_on_their_counts_and_gaps_change_in_points(config) -> None:
    areas = {"borough": 1.0, "north": 0.2, "east": 0.1}
    frame = with_bounds(
        pd.concat(
            [
                counts("burglary", lambda _i: 100, lambda _i: 80, areas),
                counts("vehicle", lambda _i: 100, lambda _i: 80, areas),
            ],
            ignore_index=True,
        )
    )
    ev = evaluate(config, frame, P("2002/03"))
    rate = row(ev, "crime_rate")  # 2,400 -> 1,920 crimes in 100,000 people: 24.0 -> 19.2 per 1,000
    assert (rate["compare_value"], rate["previous_value"]) == pytest.approx((19.2, 24.0))
    assert rate["change_unit"] == "percent" and rate["yoy_change_label"] == "Down 20%"
    assert rate["yoy_test"] == "poisson_exact"
    assert rate["yoy_p_value"] == pytest.approx(binomtest(1920, 4320, 0.5).pvalue, rel=1e-9)
    gap = row(ev, "crime_gap", strategy="s1")
    assert gap["change_unit"] == "points"
    assert gap["yoy_change_points"] == pytest.approx(gap["compare_value"] - gap["previous_value"])
    assert math.isnan(gap["compare_numerator"]) and gap["yoy_test"] == "none"  # its parts are not counts
    assert gap["yoy_significant"] is None


def test_min_count_for_trend_is_configurable(tmp_path) -> None:
    root = write_config(tmp_path / "config", strategy=SURVEY_STRATEGY)
    police = (root / "partners" / "police.toml").read_text()
    police = police.replace('id = "robbery"\n', 'id = "robbery"\nmin_count_for_trend = 5\n')
    (root / "partners" / "police.toml").write_text(police)
    config = load_config(root)
    frame = with_bounds(counts("robbery", lambda _i: 1, lambda i: 1 + i % 2, {"borough": 1.0}))  # 12 -> 18
    r = row(evaluate(config, frame, P("2002/03")), "robbery")
    assert r["yoy_test"] == "poisson_exact"  # judged now, and still within chance
    assert r["yoy_p_value"] == pytest.approx(binomtest(18, 30, 0.5).pvalue, rel=1e-9)
    assert r["direction"] == "similar"


# --- the demo, as `reportgen evaluate --format json` prints it ------------------------------------
@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> str:
    return demo_reports.demo_store(tmp_path_factory.mktemp("units-demo"))  # pulled once per session, copied


def demo_rows(store: str, fmt: str) -> str:
    args = ["evaluate", "--period", "2005-03", "--config", str(DEMO), "--store", store, "--format", fmt]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.skipif(not DEMO.is_dir(), reason="the demo partnership is not in this checkout")
def test_demo_treatment_completions_and_survey_rating(demo_store: str) -> None:
    records = json.loads(demo_rows(demo_store, "json"))
    rows = {
        r["id"]: r
        for r in records
        if r["type"] == "indicator" and r["area"] == "borough" and r["strategy"] == "2005-08"
    }
    drug = rows["drug_successful_discharge_pct"]  # 78 of 279 (27.96%) -> 113 of 343 (32.94%)
    assert (drug["compare_numerator"], drug["compare_denominator"]) == (113, 343)
    assert (drug["previous_numerator"], drug["previous_denominator"]) == (78, 279)
    assert drug["change_points"] == pytest.approx(113 / 343 * 100 - 78 / 279 * 100)
    assert drug["change_points"] == pytest.approx(5.0, abs=0.05)
    assert drug["change_label"] == "Up 5.0 points" and drug["change_unit"] == "points"
    assert drug["target_change_words"] == "a 10% relative increase"
    assert drug["yoy_p_value"] == pytest.approx(proportions_ztest([113, 78], [343, 279])[1])
    assert drug["direction"] == "similar"  # p = 0.18: five points on a few hundred discharges is within chance

    police = rows["survey_police_good_pct"]  # 151 of 548 (27.55%) -> 150 of 536 (27.99%)
    assert (police["compare_numerator"], police["compare_denominator"]) == (150, 536)
    assert police["direction_text"] == "No significant change" and police["direction"] == "similar"
    assert police["yoy_change_label"] == "Up 0.4 points"
    assert police["sample_size"] == 536
    assert (police["ci_low"], police["ci_high"]) == pytest.approx((24.3515, 31.9319), abs=1e-4)
    assert police["improved"] is False

    gap = rows["priority_gap"]  # 46.5% -> 44.2%: points, not "Down 5%"
    assert gap["change_label"] == "Down 2.3 points"
    crime = rows["recorded_crime"]
    assert crime["change_unit"] == "percent" and crime["change_label"] == "Down 13%"
    assert crime["direction"] == "improving" and crime["yoy_significant"] is True

    # no row has a verdict without a significant test, where a test applied
    for r in records:
        if r["type"] == "indicator" and r["yoy_test"] != "none":
            assert (r["direction"] in ("improving", "worsening", "up", "down")) == bool(r["yoy_significant"]), r


@pytest.mark.skipif(not DEMO.is_dir(), reason="the demo partnership is not in this checkout")
def test_demo_csv_carries_the_new_columns(demo_store: str) -> None:
    rows = list(csv.DictReader(io.StringIO(demo_rows(demo_store, "csv"))))
    drug = next(r for r in rows if r["id"] == "drug_successful_discharge_pct" and r["area"] == "borough")
    assert drug["change_label"] == "Up 5.0 points"
    assert (drug["compare_numerator"], drug["compare_denominator"]) == ("113.0", "343.0")
    assert drug["yoy_test"] == "two_proportion" and drug["direction_text"] == "No significant change"


def test_parts_of_a_latest_percentage_are_the_latest_periods(tmp_path) -> None:
    # a monthly "latest" share asked for a year is March's share: its parts are March's counts,
    # not the year's sums (which would give an interval for a different figure)
    root = write_config(tmp_path / "config", strategy=SURVEY_STRATEGY)
    with (root / "derived.toml").open("a") as f:
        f.write(
            '\n[[derived]]\nid = "burglary_share"\ntitle = "Burglary share of crime"\nkind = "percentage"\n'
            'numerator = "burglary"\ndenominator = "crime"\nunit = "percentage"\npolarity = "lower_is_better"\n'
            'aggregation = "latest"\n'
        )
    config = load_config(root)
    frame = with_bounds(
        pd.concat(
            [
                counts("burglary", lambda i: 10 + i % 12, lambda i: 30 + i % 12, {"borough": 1.0}),
                counts("vehicle", lambda _i: 90, lambda _i: 70, {"borough": 1.0}),
            ],
            ignore_index=True,
        )
    )
    r = row(evaluate(config, frame, P("2002/03")), "burglary_share")
    march = P("2003-03").start
    burglary_march = 30 + march % 12
    assert r["compare_value"] == pytest.approx(burglary_march / (burglary_march + 70) * 100)
    assert (r["compare_numerator"], r["compare_denominator"]) == (burglary_march, burglary_march + 70)
    assert r["sample_size"] == burglary_march + 70
