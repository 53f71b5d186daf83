"""Big-target rules on the hand-built config: single, all_improve, fraction_improve, threshold."""

from __future__ import annotations

import pandas as pd
import pytest

from reportgen.config import load_config
from reportgen.evaluate.engine import evaluate
from reportgen.periods import Period
from tests.evalkit import FRACTION_STRATEGY, monthly, with_bounds, write_config

P = Period.parse


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    root = tmp_path_factory.mktemp("targets") / "config"
    return load_config(write_config(root, extra_strategies={"s2": FRACTION_STRATEGY}))


def data(changes: dict[str, float], *, base: float = 100.0) -> pd.DataFrame:
    """Each indicator ``base`` a month in 2001/02, then ``base * (1 + change)`` from 2002/03 on."""
    frames = []
    for indicator, change in changes.items():
        frames.append(monthly(indicator, P("2001/02"), P("2001/02"), lambda _i: base))
        frames.append(monthly(indicator, P("2002/03"), P("2005/06"), lambda _i, c=change: base * (1 + c)))
    if not frames:
        return pd.DataFrame(
            {"indicator": [], "area": [], "period": [], "period_start": [], "period_end": [], "value": []}
        ).astype({"period_start": "int64", "period_end": "int64", "value": float})
    return with_bounds(pd.concat(frames, ignore_index=True))


def target(ev, target_id: str) -> pd.Series:
    return ev.targets.set_index("id").loc[target_id]


def test_all_improve_is_met_only_when_every_measure_improves(config) -> None:
    both = evaluate(config, data({"burglary": -0.1, "vehicle": -0.1}), P("2004/05"))
    one = evaluate(config, data({"burglary": -0.1, "vehicle": 0.1}), P("2004/05"))
    flat = evaluate(config, data({"burglary": -0.1, "vehicle": 0.004}), P("2004/05"))
    assert target(both, "crime-all")["status"] == "met"
    assert target(both, "crime-all")["n_improved"] == 2
    assert target(one, "crime-all")["status"] == "not_met"
    assert any(r == "Vehicle crime worsened: up 10% on 2001/02" for r in target(one, "crime-all")["reasons"])
    assert target(flat, "crime-all")["status"] == "not_met"  # +0.4% rounds to "No change": not improved
    before_end = evaluate(config, data({"burglary": -0.1, "vehicle": 0.1}), P("2003/04"))
    assert target(before_end, "crime-all")["status"] == "at_risk"
    assert (
        target(evaluate(config, data({"burglary": -0.1, "vehicle": -0.1}), P("2003/04")), "crime-all")[
            "status"
        ]
        == "on_track"
    )


@pytest.mark.parametrize(
    ("changes", "n_improved", "status"),
    [
        ({"burglary": -0.2, "vehicle": -0.2, "robbery": -0.2, "damage": -0.2}, 4, "met"),
        ({"burglary": -0.2, "vehicle": -0.2, "robbery": -0.2, "damage": 0.2}, 3, "met"),
        ({"burglary": -0.2, "vehicle": -0.2, "robbery": 0.2, "damage": 0.2}, 2, "not_met"),
    ],
)
def test_three_quarters_rule(config, changes, n_improved: int, status: str) -> None:
    t = target(evaluate(config, data(changes), P("2004/05")), "three-quarters")
    assert (t["n_improved"], t["n_measures"], t["status"]) == (n_improved, 4, status)
    assert t["value"] == n_improved / 4
    assert f"{n_improved} of 4 measures improved" in t["reasons"][-1]


def test_threshold_rule_on_the_gap(config) -> None:
    # priority neighbourhoods North (10,000) and East (5,000) against the borough (100,000)
    def gap_status(north: float, east: float) -> pd.Series:
        scale = {"borough": 1.0, "north": north, "south": 0.1, "east": east, "gm": 10.0}
        frames = [
            monthly(ind, P("2001/02"), P("2004/05"), lambda _i: 1000, areas=scale)
            for ind in ("burglary", "vehicle")
        ]
        return target(evaluate(config, with_bounds(pd.concat(frames)), P("2004/05")), "gap")

    # rates: borough 2,000 x 12 / 100,000; priority (north + east) x 2,000 x 12 / 15,000
    low = gap_status(0.12, 0.06)  # priority rate = 0.18 x 2,000 x 12 / 15,000: 20% above the borough
    assert low["value"] == pytest.approx(20.0)
    assert low["status"] == "met"
    high = gap_status(0.15, 0.09)  # 60% above
    assert high["value"] == pytest.approx(60.0)
    assert high["status"] == "not_met"
    assert "worse than the aim of no more than 33% by" in high["reasons"][-1]
    before_end = gap_status(0.15, 0.09)
    assert before_end["threshold"] == 33


def test_single_rule_statuses_through_time(config) -> None:
    # burglary: reduce by 20% from 2001/02 to 2004/05 (trajectory -6.67% a year)
    on_track = evaluate(config, data({"burglary": -0.1, "vehicle": 0.0}), P("2002/03"))
    assert target(on_track, "burglary")["status"] == "on_track"  # -10% against a trajectory of -6.67%
    off_track = evaluate(config, data({"burglary": 0.1, "vehicle": 0.0}), P("2002/03"))
    assert target(off_track, "burglary")["status"] == "at_risk"  # red before the end is "at risk"
    assert (
        target(evaluate(config, data({"burglary": -0.25, "vehicle": 0.0}), P("2004/05")), "burglary")[
            "status"
        ]
        == "met"
    )
    final = target(evaluate(config, data({"burglary": -0.1, "vehicle": 0.0}), P("2004/05")), "burglary")
    assert final["status"] == "not_met"  # -10% when -20% was the target
    assert "House burglary improved: down 10% on 2001/02" in final["reasons"]


def test_no_data_and_no_baseline_never_crash(config) -> None:
    nothing = evaluate(config, data({}), P("2004/05"))
    assert set(nothing.targets["status"]) == {"no_data"}
    # data after the baseline only: the baseline cannot be resolved
    late = with_bounds(monthly("burglary", P("2003/04"), P("2004/05"), lambda _i: 90))
    ev = evaluate(config, late, P("2004/05"))
    t = target(ev, "burglary")
    assert t["status"] == "no_data"
    assert any("no baseline value for 2001/02" in r for r in t["reasons"])
    row = ev.indicators[(ev.indicators.target == "burglary")].iloc[0]
    assert row["status"] == "no_data" and row["value"] == 90 * 12


def test_records_are_json_ready(config) -> None:
    import json

    ev = evaluate(config, data({"burglary": -0.1, "vehicle": 0.1}), P("2004/05"))
    records = ev.records()
    text = json.dumps(records, allow_nan=False)
    assert {r["type"] for r in records} == {"indicator", "target"}
    assert json.loads(text)[0]["type"] == "indicator"
    assert [r for r in records if r["type"] == "target"][0]["reasons"]
