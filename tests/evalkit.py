"""A small hand-built partnership for the evaluation tests: TOML files written to a folder,
loaded with the real ``load_config``, and observations loaded into a real SQLite store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from reportgen.config import Config, load_config
from reportgen.periods import Kind, Period
from reportgen.store import Store

PARTNERSHIP = """
name = "Testshire Community Safety Partnership"
[contact]
name = "Community Safety Team"
[borough]
id = "borough"
name = "Testshire"
population = 100000
[[neighbourhoods]]
id = "north"
name = "North"
population = 10000
priority = true
[[neighbourhoods]]
id = "south"
name = "South"
population = 20000
[[neighbourhoods]]
id = "east"
name = "East"
population = 5000
priority = true
[[comparators]]
id = "gm"
name = "Greater Manchester"
population = 1000000
"""

POLICE = """
id = "police"
name = "Testshire Police"
[[sources]]
id = "crimes"
type = "csv"
path = "crimes.csv"
[[indicators]]
id = "burglary"
title = "House burglary"
unit = "count"
polarity = "lower_is_better"
source = "crimes"
[[indicators]]
id = "vehicle"
title = "Vehicle crime"
unit = "count"
polarity = "lower_is_better"
source = "crimes"
[[indicators]]
id = "robbery"
title = "Robbery"
unit = "count"
polarity = "lower_is_better"
source = "crimes"
[[indicators]]
id = "damage"
title = "Criminal damage"
unit = "count"
polarity = "lower_is_better"
source = "crimes"
[[indicators]]
id = "arrests"
title = "Arrests"
unit = "count"
polarity = "higher_is_better"
source = "crimes"
[[indicators]]
id = "dv"
title = "Domestic violence"
unit = "count"
polarity = "contextual"
source = "crimes"
[[indicators]]
id = "treated"
title = "People in treatment"
unit = "count"
polarity = "higher_is_better"
frequency = "quarterly"
aggregation = "latest"
[[indicators]]
id = "survey_yes"
title = "Residents rating police good"
unit = "count"
polarity = "higher_is_better"
frequency = "annual"
[[indicators]]
id = "survey_n"
title = "Residents surveyed"
unit = "count"
polarity = "contextual"
frequency = "annual"
"""

DERIVED = """
[[derived]]
id = "crime"
title = "Recorded crime"
kind = "sum"
of = ["burglary", "vehicle"]
unit = "count"
polarity = "lower_is_better"
[[derived]]
id = "crime_rate"
title = "Crimes per 1,000 residents"
kind = "rate_per_1000"
of = ["crime"]
unit = "rate_per_1000"
polarity = "lower_is_better"
decimals = 1
[[derived]]
id = "crime_gap"
title = "Priority neighbourhood gap"
kind = "gap"
of = ["crime"]
unit = "percentage"
polarity = "lower_is_better"
decimals = 1
[[derived]]
id = "police_good_pct"
title = "Residents rating police good (%)"
kind = "percentage"
numerator = "survey_yes"
denominator = "survey_n"
unit = "percentage"
polarity = "higher_is_better"
frequency = "annual"
"""

STRATEGY = """
id = "s1"
title = "Strategy 2002-2005"
baseline_period = "2001/02"
target_period = "2004/05"

[[targets]]
id = "burglary"
number = 1
title = "Reduce burglary by 20%"
[[targets.measures]]
indicator = "burglary"
change_pct = -20

[[targets]]
id = "crime-all"
number = 2
title = "All crime types improve"
rule = "all_improve"
[[targets.measures]]
indicator = "burglary"
change_pct = -10
[[targets.measures]]
indicator = "vehicle"
change_pct = -10

[[targets]]
id = "gap"
number = 3
title = "Gap no more than 33%"
rule = "threshold"
threshold = 33
[[targets.measures]]
indicator = "crime_gap"
target_value = 33

[[targets]]
id = "dv"
number = 4
title = "Domestic violence (monitored)"
[[targets.measures]]
indicator = "dv"
monitor_only = true
"""


def write_config(
    root: Path, *, strategy: str = STRATEGY, extra_strategies: dict[str, str] | None = None
) -> Path:
    (root / "partners").mkdir(parents=True, exist_ok=True)
    (root / "strategies").mkdir(exist_ok=True)
    (root / "partnership.toml").write_text(PARTNERSHIP)
    (root / "partners" / "police.toml").write_text(POLICE)
    (root / "derived.toml").write_text(DERIVED)
    (root / "strategies" / "s1.toml").write_text(strategy)
    for name, text in (extra_strategies or {}).items():
        (root / "strategies" / f"{name}.toml").write_text(text)
    return root


AREA_SCALE = {"borough": 1.0, "north": 0.2, "south": 0.15, "east": 0.1, "gm": 12.0}


FRACTION_STRATEGY = """
id = "s2"
title = "Three quarters"
baseline_period = "2001/02"
target_period = "2004/05"
[[targets]]
id = "three-quarters"
number = 1
title = "Three quarters of crime types improve"
rule = "fraction_improve"
fraction = 0.75
[[targets.measures]]
indicator = "burglary"
change_pct = -5
[[targets.measures]]
indicator = "vehicle"
change_pct = -5
[[targets.measures]]
indicator = "robbery"
change_pct = -5
[[targets.measures]]
indicator = "damage"
change_pct = -5
"""


def monthly(indicator: str, first: Period, last: Period, per_month, areas=AREA_SCALE) -> pd.DataFrame:
    """Observations ``round(per_month(month_index) * area scale)`` for every month first..last."""
    rows = []
    for i in range(first.start, last.end + 1):
        for area, scale in areas.items():
            rows.append((indicator, area, Period(i, i, Kind.MONTH).key, round(per_month(i) * scale)))
    return pd.DataFrame(rows, columns=["indicator", "area", "period", "value"])


def with_bounds(frame: pd.DataFrame) -> pd.DataFrame:
    """Add period_start / period_end, as ``store.frame()`` returns them."""
    bounds = {k: Period.parse(k) for k in frame["period"].unique()}
    return frame.assign(
        period_start=frame["period"].map(lambda k: bounds[k].start).astype("int64"),
        period_end=frame["period"].map(lambda k: bounds[k].end).astype("int64"),
        value=frame["value"].astype(float),
    )


def load(store: Store, frame: pd.DataFrame) -> None:
    store.load(frame, source="test", partner="police", now=dt.datetime(2006, 1, 1, tzinfo=dt.UTC))


def make(tmp_path: Path, **kwargs) -> tuple[Config, Store]:
    config = load_config(write_config(tmp_path / "config", **kwargs))
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}", partnership=config.partnership.id)
    return config, store
