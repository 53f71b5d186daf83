"""The evaluation says how much of each compared window exists and why a figure is missing:
"not enough months yet (9 of 12)" when the data starts inside the window, "2 of its 12 months
missing" for a gap, "no data for March 2005" when the period itself is missing. The months are
counted by hand from the observations each test builds."""

from __future__ import annotations

import pandas as pd
import pytest
from evalkit import write_config

from reportgen.config import load_config
from reportgen.evaluate.engine import evaluate
from reportgen.periods import Period


def months(first: str, last: str, skip: tuple[str, ...] = ()) -> list[str]:
    a, b = Period.parse(first), Period.parse(last)
    keys = [Period(i, i, a.kind).key for i in range(a.start, b.end + 1)]
    return [k for k in keys if k not in skip]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    return load_config(write_config(tmp_path_factory.mktemp("coverage") / "config"))


def observations() -> pd.DataFrame:
    rows = []
    # burglary starts in July 2004: 9 months of 2004/05 (July to March)
    rows += [("burglary", m) for m in months("2004-07", "2005-03")]
    # vehicle crime covers 2004/05 but for August and September 2004
    rows += [("vehicle", m) for m in months("2004-04", "2005-03", skip=("2004-08", "2004-09"))]
    # domestic violence starts in March 2004 and stops after February 2005
    rows += [("dv", m) for m in months("2004-03", "2005-02")]
    return pd.DataFrame([{"indicator": i, "area": "borough", "period": p, "value": 10.0} for i, p in rows])


def borough(config, period: str) -> pd.DataFrame:  # noqa: ANN001
    frame = evaluate(config, observations(), Period.parse(period)).indicators
    return frame[frame["area"] == "borough"].drop_duplicates("id").set_index("id")


def test_financial_year_that_starts_late_says_not_enough_months_yet(config) -> None:  # noqa: ANN001
    rows = borough(config, "2004/05")
    assert rows.loc["burglary", ["months_needed", "months_available"]].tolist() == [12, 9]
    assert rows.loc["burglary", "missing_reason"] == "not enough months yet (9 of 12)"
    assert pd.isna(rows.loc["burglary", "compare_value"])  # still no part-year total


def test_a_gap_inside_the_window_is_not_called_too_early(config) -> None:  # noqa: ANN001
    rows = borough(config, "2004/05")
    assert rows.loc["vehicle", "months_available"] == 10
    assert rows.loc["vehicle", "missing_reason"] == "2 of its 12 months missing"


def test_missing_month_is_no_data_for_it_and_a_short_rolling_year_is_not_enough_months(config) -> None:  # noqa: ANN001
    march = borough(config, "2005-03")
    assert march.loc["dv", "missing_reason"] == "no data for March 2005"
    february = borough(config, "2005-02")
    # March 2004 to February 2005 is the whole rolling year: complete; what is missing is the
    # strategy's baseline year, 2001/02, long before the data starts
    assert february.loc["dv", "months_available"] == 12
    assert february.loc["dv", "missing_reason"] == "no baseline value for 2001/02"
    january = borough(config, "2005-01")
    # February 2004 to January 2005: February 2004 is before the data starts
    assert january.loc["dv", "missing_reason"] == "not enough months yet (11 of 12)"
    # burglary in March 2005: its rolling year (April 2004 to March 2005) lacks April to June
    assert march.loc["burglary", "missing_reason"] == "not enough months yet (9 of 12)"


def test_targets_give_the_reason_not_a_bare_no_data(config) -> None:  # noqa: ANN001
    targets = evaluate(config, observations(), Period.parse("2004/05")).targets.set_index("id")
    assert "House burglary: not enough months yet (9 of 12)" in targets.loc["burglary", "reasons"]


def test_complete_figures_have_no_reason(config) -> None:  # noqa: ANN001
    full = pd.DataFrame(
        [{"indicator": "burglary", "area": "borough", "period": p, "value": 5.0} for p in months("2001-04", "2005-03")]
    )
    frame = evaluate(config, full, Period.parse("2005-03")).indicators
    row = frame[(frame["id"] == "burglary") & (frame["area"] == "borough")].iloc[0]
    assert row["months_available"] == row["months_needed"] == 12
    assert row["missing_reason"] == "" and row["compare_value"] == 60.0
