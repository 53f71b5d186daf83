"""A small partnership for the public-document tests: real TOML config, real SQLite store,
real evaluation. One neighbourhood ("Tiny Estate") is small enough that some of its
counts fall below the disclosure threshold, so suppression is exercised on real runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from reportgen.config import Config, load_config
from reportgen.periods import Period
from reportgen.store import Store

PARTNERSHIP = """
name = "Testshire Community Safety Partnership"
notice = "Test data: not real figures"
alternative_formats_phone = "01234 500500"
public_advice = [
  "Lock doors and windows, even when you pop out.",
  "Keep valuables out of sight.",
]
report_crime = [
  "In an emergency call 999.",
  "Crimestoppers (anonymous): 0800 555 111.",
]
[contact]
name = "Community Safety Team"
phone = "01234 567890"
email = "safer@testshire.example"
web = "www.testshire.example/safer"

[borough]
id = "borough"
name = "Testshire"
population = 120000
"""

# (id, name, population, priority, monthly scale of crime)
HOODS = [
    ("north", "North Town", 30000, True, 1.4),
    ("south", "South Park", 40000, False, 0.9),
    ("east", "East Vale", 25000, False, 0.8),
    ("west", "West Hill", 23500, True, 1.1),
    ("tiny", "Tiny Estate", 1500, False, 0.6),
]
COMPARATORS = [("gm", "Greater Manchester", 2500000, 1.35), ("ew", "England and Wales", 52000000, 1.2)]

# (id, title, public title, threshold, monthly count per 1,000 residents at scale 1, yearly trend)
TYPES = [
    ("burglary", "Domestic burglary", "House burglary", 5, 0.9, -0.25),
    ("vehicle", "Vehicle crime", "Vehicle crime", 5, 1.6, -0.30),
    ("robbery", "Robbery", "Robbery", 5, 0.12, 0.10),
    ("damage", "Criminal damage", "Criminal damage", 5, 2.0, -0.05),
    ("assault", "Assaults", "Violence against the person", 5, 1.1, 0.08),
]


def write_config(root: Path) -> Path:
    (root / "partners").mkdir(parents=True, exist_ok=True)
    (root / "strategies").mkdir(exist_ok=True)
    text = PARTNERSHIP
    for hid, name, pop, priority, _scale in HOODS:
        text += (f'\n[[neighbourhoods]]\nid = "{hid}"\nname = "{name}"\npopulation = {pop}\n'
                 f"priority = {'true' if priority else 'false'}\n")
    for cid, name, pop, _scale in COMPARATORS:
        text += f'\n[[comparators]]\nid = "{cid}"\nname = "{name}"\npopulation = {pop}\n'
    (root / "partnership.toml").write_text(text)
    police = ('id = "police"\nname = "Testshire Police"\n'
              '[[contacts]]\nname = "Non-emergency line"\nphone = "0161 872 5050"\n'
              '[[sources]]\nid = "crimes"\ntype = "csv"\npath = "crimes.csv"\n')
    for tid, title, public, threshold, _rate, _trend in TYPES:
        police += (f'[[indicators]]\nid = "{tid}"\ntitle = "{title}"\npublic_title = "{public}"\n'
                   f'unit = "count"\npolarity = "lower_is_better"\nsource = "crimes"\n'
                   f"small_number_threshold = {threshold}\n")
    (root / "partners" / "police.toml").write_text(police)
    (root / "partners" / "victims.toml").write_text(
        'id = "victims"\nname = "Victim Support"\n[[contacts]]\nname = "Victim Support"\nphone = "0845 30 30 900"\n'
    )
    of = ", ".join(f'"{t[0]}"' for t in TYPES)
    (root / "derived.toml").write_text(
        f'[[derived]]\nid = "crime"\ntitle = "Recorded crime"\npublic_title = "All recorded crime"\n'
        f'kind = "sum"\nof = [{of}]\nunit = "count"\npolarity = "lower_is_better"\n'
        f'[[derived]]\nid = "crime_rate"\ntitle = "Crimes per 1,000 residents"\nkind = "rate_per_1000"\n'
        f'of = ["crime"]\nunit = "rate_per_1000"\npolarity = "lower_is_better"\ndecimals = 1\n'
    )
    (root / "strategies" / "s.toml").write_text(
        'id = "s2005"\ntitle = "Strategy 2005-2008"\nbaseline_period = "2003/04"\ntarget_period = "2007/08"\n'
        '[[targets]]\nid = "crime"\nnumber = 1\ntitle = "Reduce recorded crime by 22%"\n'
        'public_title = "Reduce crime by 22%"\n'
        '[[targets.measures]]\nindicator = "crime"\nchange_pct = -22\n'
        '[[targets]]\nid = "burglary"\nnumber = 2\ntitle = "Reduce burglary by 20%"\n'
        'public_title = "Cut house burglary by a fifth"\n'
        '[[targets.measures]]\nindicator = "burglary"\nchange_pct = -20\n'
    )
    return root


def observations(first: str = "2002-04", last: str = "2005-06", seed: int = 7) -> pd.DataFrame:
    """Monthly counts per neighbourhood and type; the borough is their sum (as the police
    return it), comparators are scaled from their own populations."""
    rng = np.random.default_rng(seed)
    start, end = Period.parse(first), Period.parse(last)
    rows = []
    for i in range(start.start, end.end + 1):
        key = Period(i, i, start.kind).key
        years = (i - start.start) / 12
        season = 1 + 0.1 * np.sin(i / 12 * 2 * np.pi)
        for tid, _title, _public, _threshold, rate, trend in TYPES:
            level = rate * season * (1 + trend) ** years
            borough = 0
            for hid, _name, pop, _priority, scale in HOODS:
                n = int(rng.poisson(level * scale * pop / 1000))
                borough += n
                rows.append((tid, hid, key, n))
            rows.append((tid, "borough", key, borough))
            for cid, _name, pop, scale in COMPARATORS:
                rows.append((tid, cid, key, int(round(level * scale * pop / 1000))))
    return pd.DataFrame(rows, columns=["indicator", "area", "period", "value"])


def make(tmp_path: Path) -> tuple[Config, Store, Path]:
    config_dir = write_config(tmp_path / "config")
    config = load_config(config_dir)
    store_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store(store_url, partnership=config.partnership.id)
    store.load(observations(), source="crimes", partner="police",
               now=dt.datetime(2005, 7, 12, 9, 0, tzinfo=dt.UTC))
    return config, store, config_dir
