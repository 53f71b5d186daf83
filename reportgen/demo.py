"""Generate the bundled demo partnership's data: illustrative, deterministic, not real.

The demo (``data_sources/``) is modelled on the Wigan & Leigh Community Safety
Partnership's 2005-2008 strategy. Its data returns are generated here from a fixed seed,
so the committed CSVs can be rebuilt byte for byte::

    python -m reportgen.demo                      # rewrite data_sources/data/
    python -m reportgen.demo --out /tmp/demo-data

The series are built to agree with every figure the strategy publishes (the 2002-05
priorities' 2001/02 and 2004/05 totals, 13% and over 4,000 fewer crimes in 2004/05 than
2003/04, 655 fewer house burglaries), with seasonality and a late-1990s rise in crime.
Financial-year totals are fixed first; months get Poisson noise and are then rescaled to
the exact total by a largest-remainder rule. Neighbourhood counts are a multinomial split
of the borough count, so they always sum to it exactly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import math
import os
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from reportgen.config import load_config
from reportgen.config.models import Partnership
from reportgen.errors import ConfigError
from reportgen.periods import Kind, Period

log = logging.getLogger(__name__)

SEED = 20050301
FIRST_FY, LAST_FY = 1995, 2007  # April 1995 to March 2008
FYS = list(range(FIRST_FY, LAST_FY + 1))

# Financial-year totals by start year. Published figures are marked; the rest are made up
# to follow the strategy's story (rising to 2001/02, falling fast from 2003/04).
BCS_CURVE = [0.80, 0.84, 0.89, 0.95, 1.01, 1.05, 1.07, 1.05, 1.00, None, 0.83, 0.80, 0.76]
CRIME_FY: dict[str, list[int]] = {
    # house burglary: 2001/02 2,916 and 2004/05 2,176 published; 2003/04 2,831 (655 fewer)
    "house_burglary": [3650, 3500, 3400, 3250, 3150, 3050, 2916, 2990, 2831, 2176, 2080, 1990, 1900],
    # vehicle crime (the three types) sums to 6,987 in 2001/02 and 4,664 in 2004/05
    "theft_from_vehicle": [3300, 3450, 3600, 3750, 3850, 3950, 3900, 3500, 3050, 2700, 2550, 2450, 2300],
    "theft_of_vehicle": [2600, 2550, 2500, 2450, 2400, 2380, 2300, 2050, 1800, 1480, 1400, 1330, 1250],
    "vehicle_interference": [600, 640, 690, 730, 760, 790, 787, 700, 600, 484, 460, 440, 420],
}
# other types: 2003/04 level and 2004/05 total (the ten types together fall 13%, like all
# crime); other years follow BCS_CURVE
CRIME_LEVELS: dict[str, tuple[int, int]] = {
    "cycle_theft": (420, 380),
    "theft_from_person": (260, 230),
    "criminal_damage": (6300, 5644),
    "common_assault": (1650, 1500),
    "wounding": (2900, 2650),
    "robbery": (240, 200),
}
CRIME_TYPES = [
    "theft_of_vehicle",
    "theft_from_vehicle",
    "vehicle_interference",
    "house_burglary",
    "cycle_theft",
    "theft_from_person",
    "criminal_damage",
    "common_assault",
    "wounding",
    "robbery",
]
# all recorded crime: 2003/04 32,150 -> 2004/05 27,970 (13% and 4,180 fewer)
ALL_CRIME_FY = [26900, 27800, 29200, 30600, 32100, 33300, 34100, 33700, 32150, 27970, 26900, 26100, 24950]
# comparators, rate per 1,000 residents a year (Wigan stays below Greater Manchester)
GM_RATE = [118, 121, 126, 131, 137, 141, 145, 146, 141, 128, 122, 117, 111]
EW_RATE = [100, 101, 103, 106, 111, 114, 116, 118, 114, 108, 104, 101, 95]

# (calendar month of peak, amplitude) of a cosine seasonal pattern
SEASON: dict[str, tuple[int, float]] = {
    "house_burglary": (12, 0.15),
    "theft_from_vehicle": (11, 0.10),
    "theft_of_vehicle": (11, 0.08),
    "vehicle_interference": (10, 0.08),
    "cycle_theft": (7, 0.30),
    "theft_from_person": (12, 0.12),
    "criminal_damage": (7, 0.12),
    "common_assault": (7, 0.12),
    "wounding": (7, 0.14),
    "robbery": (1, 0.10),
    "other_crime": (8, 0.05),
    "asb_incidents": (7, 0.20),
    "dv_incidents": (12, 0.08),
    "town_centre_crime": (12, 0.12),
    "hate_crime": (7, 0.05),
    "public_transport_incidents": (11, 0.06),
    "fly_tipping": (8, 0.15),
    "graffiti": (6, 0.10),
    "dog_fouling": (1, 0.15),
    "malicious_calls": (7, 0.10),
    "ae_assaults": (12, 0.10),
    "vs_referrals": (7, 0.05),
    "vs_witnesses_supported": (3, 0.05),
}
# deliberate secondary fires peak with spring grass fires and bonfire night (April..March)
FIRE_PROFILE = [1.5, 1.2, 1.1, 1.0, 1.0, 0.8, 1.0, 1.6, 0.7, 0.6, 0.7, 1.0]

# relative crime risk per resident, before the priority-neighbourhood uplift
RISK = {
    "wigan-centre": 2.8,
    "leigh-centre": 2.2,
    "norley": 1.3,
    "ince": 1.25,
    "hindley": 1.1,
    "atherton": 1.05,
    "standish": 0.7,
    "shevington": 0.65,
    "winstanley": 0.7,
    "orrell": 0.8,
    "lowton": 0.75,
    "astley": 0.8,
    "aspull": 0.8,
}
# the gap (priority neighbourhoods' rate above the borough's, as a fraction) by year:
# worsening to 2003/04, then narrowing below the 33% target by 2007/08
GAP_FY = [0.44, 0.44, 0.44, 0.44, 0.44, 0.44, 0.45, 0.46, 0.47, 0.43, 0.39, 0.35, 0.30]


# --- numeric helpers ------------------------------------------------------------------------
def exact_round(values: Sequence[float] | np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``values`` summing exactly to ``total`` (largest remainder)."""
    v = np.asarray(values, dtype=float)
    if v.sum() <= 0:
        v = np.ones_like(v)
    scaled = v * total / v.sum()
    out = np.floor(scaled).astype(np.int64)
    short = int(total - out.sum())
    if short:
        order = np.argsort(-(scaled - out), kind="stable")
        out[order[:short]] += 1
    return out


def season_weights(kind: str) -> np.ndarray:
    """Twelve weights, April to March."""
    months = np.array([4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3])
    if kind == "secondary_fires":
        return np.array(FIRE_PROFILE)
    peak, amp = SEASON.get(kind, (1, 0.0))
    return 1 + amp * np.cos(2 * math.pi * (months - peak) / 12)


def monthly(rng: np.random.Generator, kind: str, fy_totals: Iterable[int]) -> np.ndarray:
    """Monthly counts, April to March of each year, with seasonality and Poisson noise,
    each financial year summing exactly to its total."""
    w = season_weights(kind)
    out = []
    for total in fy_totals:
        expected = total * w / w.sum()
        out.append(exact_round(rng.poisson(expected).astype(float), int(total)))
    return np.concatenate(out)


def quarterly_split(rng: np.random.Generator, fy_totals: Iterable[int]) -> np.ndarray:
    """Four quarterly counts per financial year summing exactly to its total."""
    out = []
    for total in fy_totals:
        out.append(exact_round(rng.poisson(np.full(4, total / 4)).astype(float), int(total)))
    return np.concatenate(out)


def split_areas(rng: np.random.Generator, counts: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split each month's borough count between the neighbourhoods, summing exactly.

    Half a multinomial draw, half the expected split: noisy enough to look real and leave
    small counts in small places, steady enough that the priority-neighbourhood gap
    follows its designed path (a pure multinomial moves it by 1-2 points a year)."""
    out = []
    for n, p in zip(counts, shares, strict=True):
        drawn = rng.multinomial(int(n), p)
        out.append(exact_round(0.5 * drawn + 0.5 * n * p, int(n)))
    return np.array(out)


def month_keys(first_fy: int, last_fy: int = LAST_FY) -> list[str]:
    return [Period(i, i, Kind.MONTH).key for i in _months(first_fy, last_fy)]


def _months(first_fy: int, last_fy: int) -> range:
    return range(Period.financial_year(first_fy).start, Period.financial_year(last_fy).end + 1)


def quarter_keys(first_fy: int, last_fy: int = LAST_FY) -> list[str]:
    """Calendar quarters from April of ``first_fy`` (financial Q1 = calendar Q2)."""
    keys = []
    for i in _months(first_fy, last_fy)[::3]:
        keys.append(Period.of_kind_at(Kind.QUARTER, i).key)
    return keys


def fy_key(start_year: int) -> str:
    return Period.financial_year(start_year).key


# --- the generator ---------------------------------------------------------------------------
Rows = list[tuple[str, str, str, str]]


def _fmt(value: float, decimals: int = 0) -> str:
    return f"{value:.{decimals}f}" if decimals else str(int(value))


def _crime_fy_totals() -> dict[str, list[int]]:
    totals = dict(CRIME_FY)
    for kind, (level, fy0405) in CRIME_LEVELS.items():
        totals[kind] = [fy0405 if factor is None else round(level * factor) for factor in BCS_CURVE]
    bcs = np.sum([totals[t] for t in CRIME_TYPES], axis=0)
    other = np.array(ALL_CRIME_FY) - bcs
    if (other <= 0).any():
        raise ValueError("all crime must exceed the ten recorded-crime types in every year")
    totals["other_crime"] = [int(v) for v in other]
    return totals


def _area_weights(partnership: Partnership, n_months: int) -> tuple[list[str], np.ndarray]:
    """Per month, each neighbourhood's share of the borough's crime.

    The priority neighbourhoods' uplift ``k`` is solved each month so that their combined
    rate per 1,000 is ``gap`` above the borough's:
    ``1 + gap = k Wp Pb / (Pp (k Wp + Wo))``.
    """
    areas = partnership.neighbourhoods
    ids = [a.id for a in areas]
    pop = np.array([a.population for a in areas], dtype=float)
    base = pop * np.array([RISK.get(a.id, 1.0) for a in areas])
    prio = np.array([a.priority for a in areas], dtype=bool)
    if not prio.any() or prio.all():
        raise ConfigError(
            "partnership.toml",
            "neighbourhoods",
            "the demo generator needs some neighbourhoods marked priority and some not",
            hint="set priority = true on the neighbourhoods with most crime",
        )
    mid = np.arange(len(FYS)) * 12 + 5.5  # middle of each financial year
    gap = np.interp(np.arange(n_months), mid, GAP_FY)
    pb, pp = pop.sum(), pop[prio].sum()
    wp, wo = base[prio].sum(), base[~prio].sum()
    k = (1 + gap) * pp * wo / (wp * (pb - (1 + gap) * pp))
    weights = np.tile(base, (n_months, 1))
    weights[:, prio] *= k[:, None]
    return ids, weights / weights.sum(axis=1, keepdims=True)


def generate(
    partnership: Partnership, seed: int = SEED, deadlines: dict[str, int] | None = None, scale: float = 1.0
) -> dict[str, str]:
    """Every demo data file as text, keyed by file name. A pure function of the seed,
    the partnership's neighbourhoods and ``deadlines`` (file name -> its partner's
    ``return_deadline_days``, for the ``received`` column; default 10 days).

    ``scale`` multiplies the recorded crime and police incident totals (1.0: Wigan's, about
    301,000 residents), so a synthetic partnership of another size has rates per 1,000
    residents like Wigan's rather than its counts."""

    def sized(totals: list[int]) -> list[int]:
        return totals if scale == 1.0 else [max(1, round(v * scale)) for v in totals]

    def stream(name: str) -> np.random.Generator:
        # one independent stream per series, so editing one series leaves the others as they were
        return np.random.default_rng([seed, zlib.crc32(name.encode())])

    files: dict[str, Rows] = {}

    # police: recorded crime by type, borough and neighbourhood, April 1995 - March 2008
    months = month_keys(FIRST_FY)
    ids, shares = _area_weights(partnership, len(months))
    totals = _crime_fy_totals()
    rows: Rows = []
    area_all = np.zeros((len(months), len(ids)), dtype=np.int64)
    borough_all = np.zeros(len(months), dtype=np.int64)
    for kind in [*CRIME_TYPES, "other_crime"]:
        series = monthly(stream(kind), kind, sized(totals[kind]))
        split = split_areas(stream(f"{kind}/areas"), series, shares)
        area_all += split
        borough_all += series
        if kind == "other_crime":
            continue
        rows += _area_rows(kind, months, series, ids, split)
    rows += _area_rows("all_crime", months, borough_all, ids, area_all)
    files["police_crime.csv"] = rows

    # police: comparators
    rows = []
    for area, rates, pop in (("gm", GM_RATE, 2_500_000), ("ew", EW_RATE, 52_000_000)):
        fy = [round(r * pop / 1000) for r in rates]
        rows += _rows("all_crime", area, months, monthly(stream(f"all_crime/{area}"), "other_crime", fy))
    files["police_comparators.csv"] = rows

    # police: incidents, April 2000 - March 2008
    months00 = month_keys(2000)
    ids00, shares00 = ids, shares[-len(months00) :]
    incidents = {
        # 2001/02 and 2004/05 are the published totals
        "asb_incidents": [22100, 22953, 23600, 23300, 22431, 21500, 20600, 19800],
        "dv_incidents": [4150, 4306, 4500, 4700, 4888, 5050, 5150, 5200],
        "town_centre_crime": [2100, 2065, 2080, 2030, 1959, 1900, 1850, 1800],
        "hate_crime": [190, 210, 215, 205, 198, 215, 230, 240],
        "public_transport_incidents": [350, 339, 330, 315, 294, 285, 270, 262],
    }
    rows = []
    for kind, fy in incidents.items():
        series = monthly(stream(kind), kind, sized(fy))
        if kind == "asb_incidents":
            split = split_areas(stream(f"{kind}/areas"), series, shares00)
            rows += _area_rows(kind, months00, series, ids00, split)
        else:
            rows += _rows(kind, "borough", months00, series)
    files["police_incidents.csv"] = rows

    months02 = month_keys(2002)
    quarters02 = quarter_keys(2002)
    fys02 = [fy_key(y) for y in range(2002, LAST_FY + 1)]

    # council: environment (2002/03 - 2007/08) and the citizens' panel survey
    rows = []
    for kind, fy in {
        "fly_tipping": [2500, 2400, 2150, 1950, 1780, 1600],
        "graffiti": [950, 900, 860, 800, 750, 700],
        "dog_fouling": [630, 640, 660, 670, 685, 690],
    }.items():
        rows += _rows(kind, "borough", months02, monthly(stream(kind), kind, fy))
    streets = _quarterly_pct(stream("streets_below_standard"), [26, 24, 21, 19, 17, 15], spread=1.0)
    rows += _rows("streets_below_standard", "borough", quarters02, streets, 1)
    files["council_environment.csv"] = rows
    files["council_survey.csv"] = _survey_rows()

    # drug and alcohol services: quarterly returns from 2002/03, annual totals from 2000/01
    rows = []
    n_q = len(quarters02)
    rng = stream("drugs")
    caseload = np.round(np.linspace(420, 1050, n_q) + rng.normal(0, 12, n_q))
    starts = rng.poisson(np.repeat([110, 130, 150, 160, 165, 170], 4))
    retained = np.round(starts * np.repeat([0.62, 0.68, 0.74, 0.77, 0.79, 0.80], 4)) + rng.integers(
        -2, 3, n_q
    )
    discharges = rng.poisson(np.repeat([60, 75, 90, 100, 105, 110], 4))
    success = np.round(discharges * np.repeat([0.24, 0.28, 0.33, 0.34, 0.35, 0.355], 4)) + rng.integers(
        -1, 2, n_q
    )
    rows += _rows("drug_in_treatment", "borough", quarters02, caseload)
    rows += _rows("drug_new_starts", "borough", quarters02, starts)
    rows += _rows("drug_retained_12wk", "borough", quarters02, np.minimum(retained, starts))
    rows += _rows("drug_discharges", "borough", quarters02, discharges)
    rows += _rows("drug_discharged_successfully", "borough", quarters02, np.minimum(success, discharges))
    # 2001/02 558 and 2004/05 1,500 are the published totals
    yearly = [470, 558, 790, 1120, 1500, 1640, 1720, 1790]
    rows += _rows("drug_people_in_treatment_year", "borough", [fy_key(y) for y in range(2000, 2008)], yearly)
    files["drugs_treatment.csv"] = rows

    # probation: quarterly reoffending cohorts and the prolific offender scheme
    rng = stream("probation")
    cohort = rng.poisson(280, n_q)
    rate = np.repeat([0.45, 0.44, 0.436, 0.432, 0.429, 0.426], 4)
    reoffenders = np.round(cohort * rate) + rng.integers(-2, 3, n_q)
    rows = _rows("reoffending_cohort", "borough", quarters02, cohort)
    rows += _rows("reoffenders", "borough", quarters02, reoffenders)
    rows += _rows("ppo_caseload", "borough", quarters02, np.clip(rng.normal(35, 2, n_q).round(), 28, 40))
    ppo = rng.poisson(np.repeat([6, 5.5, 4.5, 3.5, 3, 3], 4))
    rows += _rows("ppo_reconvictions", "borough", quarters02, ppo)
    files["probation_reoffending.csv"] = rows

    files["yot_performance.csv"] = _yot_rows(stream("yot"), quarters02, fys02)

    # fire: monthly from April 2000
    rows = _rows(
        "secondary_fires",
        "borough",
        months00,
        monthly(
            stream("secondary_fires"), "secondary_fires", [2300, 2200, 2000, 1850, 1700, 1550, 1420, 1300]
        ),
    )
    rows += _rows(
        "malicious_calls",
        "borough",
        months00,
        monthly(stream("malicious_calls"), "malicious_calls", [600, 580, 550, 520, 480, 430, 390, 360]),
    )
    files["fire_incidents.csv"] = rows

    # NHS trust
    rows = _rows(
        "ae_assaults",
        "borough",
        months02,
        monthly(stream("ae_assaults"), "ae_assaults", [1900, 1850, 1780, 1700, 1650, 1600]),
    )
    rows += _rows(
        "alcohol_admissions",
        "borough",
        quarters02,
        quarterly_split(stream("alcohol_admissions"), [1150, 1230, 1310, 1400, 1480, 1550]),
    )
    files["nhs_hospital.csv"] = rows

    # Victim Support
    rows = _rows(
        "vs_referrals",
        "borough",
        months02,
        monthly(stream("vs_referrals"), "vs_referrals", [3900, 3850, 3600, 3500, 3400, 3300]),
    )
    rows += _rows(
        "vs_witnesses_supported",
        "borough",
        months02,
        monthly(stream("vs_witnesses_supported"), "vs_witnesses_supported", [620, 650, 700, 720, 740, 760]),
    )
    files["victim_support.csv"] = rows

    # voluntary and community sector: counts at the end of each quarter
    rows = []
    for kind, year_end, noise in (
        ("volunteers", [290, 310, 322, 340, 356, 372], 3),
        ("homewatch_schemes", [172, 185, 192, 203, 212, 221], 2),
        ("community_representatives", [38, 42, 44, 46, 48, 49], 1),
    ):
        rows += _rows(kind, "borough", quarters02, _quarter_path(stream(kind), year_end, noise))
    files["voluntary_participation.csv"] = rows

    deadlines = deadlines or {}
    return {
        name: _csv(rows, _received_dates(stream(f"received:{name}"), name, rows, deadlines.get(name, 10)))
        for name, rows in files.items()
    }


# Returns around the demo's report months that did not arrive on time, so the board pack's
# data-quality annex has something to say: (file, period) -> days after the deadline.
LATE_RETURNS = {
    ("voluntary_participation.csv", "2005-Q1"): 6,  # Q4 2004/05
    ("nhs_hospital.csv", "2005-03"): 8,
}


def _received_dates(rng: np.random.Generator, name: str, rows: Rows, deadline_days: int) -> dict[str, str]:
    """When each period's return in a file was submitted (one submission per period):
    police data 5-8 days after the month closes, partners' returns by their deadline,
    except the designed late ones. Drawn from the file's own stream, so values are untouched."""
    out: dict[str, str] = {}
    for key in dict.fromkeys(r[2] for r in rows):
        if name.startswith("police_"):
            days = int(rng.integers(5, 9))
        else:
            days = int(rng.integers(max(1, deadline_days - 7), deadline_days + 1))
        hour, minute = int(rng.integers(9, 17)), int(rng.integers(0, 60))
        if (name, key) in LATE_RETURNS:
            days = deadline_days + LATE_RETURNS[(name, key)]
        day = Period.parse(key).last_day + dt.timedelta(days=days)
        out[key] = f"{day.isoformat()}T{hour:02d}:{minute:02d}"
    return out


def _rows(
    indicator: str, area: str, periods: Sequence[str], values: Iterable[float], decimals: int = 0
) -> Rows:
    return [(indicator, area, p, _fmt(float(v), decimals)) for p, v in zip(periods, values, strict=True)]


def _area_rows(
    indicator: str, months: Sequence[str], borough: np.ndarray, ids: list[str], split: np.ndarray
) -> Rows:
    rows = _rows(indicator, "borough", months, borough)
    for j, area in enumerate(ids):
        rows += _rows(indicator, area, months, split[:, j])
    return rows


def _quarterly_pct(rng: np.random.Generator, fy_means: list[float], spread: float) -> np.ndarray:
    values = np.repeat(fy_means, 4) + rng.normal(0, spread, 4 * len(fy_means))
    return np.clip(values.round(1), 0, 100)


def _quarter_path(rng: np.random.Generator, year_end: list[int], noise: int) -> np.ndarray:
    """Quarter-end counts rising through each year to its March value."""
    start = year_end[0] - (year_end[1] - year_end[0])
    anchors = [start, *year_end]
    values = np.interp(np.arange(1, 4 * len(year_end) + 1), np.arange(0, 4 * len(year_end) + 1, 4), anchors)
    jitter = rng.integers(-noise, noise + 1, len(values))
    jitter[3::4] = 0  # March values are the designed year-end figures
    return np.round(values) + jitter


SURVEY = {
    # respondents, very worried, ASB big problem, police good, criminal justice good, victims, reported
    # 2004/05 is the published survey: 536 replies, 36%, 251 (47%), 28%, 16%, 80% of victims reported
    2002: (512, 195, 248, 135, 76, 61, 47),
    2003: (548, 203, 262, 151, 84, 63, 49),
    2004: (536, 193, 251, 150, 86, 59, 47),
    2005: (541, 190, 245, 157, 88, 57, 46),
    2006: (529, 181, 232, 157, 89, 54, 44),
    2007: (533, 178, 228, 163, 89, 52, 43),
}
SURVEY_FIELDS = (
    "survey_respondents",
    "survey_very_worried",
    "survey_asb_big_problem",
    "survey_police_good",
    "survey_cj_good",
    "survey_victims",
    "survey_victims_reported",
)


def _survey_rows() -> Rows:
    rows: Rows = []
    for n, field in enumerate(SURVEY_FIELDS):
        for year, values in SURVEY.items():
            rows.append((field, "borough", fy_key(year), str(values[n])))
    return rows


# the 14 youth offending team measures, 2002/03 to 2007/08; all improve on 2003/04 by
# 2007/08 except custodial sentences, so big target 5 ("improve all 14") is not met
YOT_COUNTS: dict[str, list[int]] = {
    "yot_first_time_entrants": [540, 520, 505, 480, 455, 430],
    "yot_youth_offences": [2250, 2150, 2190, 2050, 1960, 1880],
}
YOT_QUARTERLY_PCT: dict[str, list[float]] = {
    "yot_final_warnings_supported": [74, 78, 82, 86, 89, 91],
    "yot_ete": [68, 70, 69, 72, 74, 76],
}
YOT_ANNUAL_PCT: dict[str, list[float]] = {
    "yot_reoffending": [40.2, 39.5, 38.8, 37.9, 36.8, 36.0],
    "yot_secure_remands": [32, 31, 33, 30, 28, 27],
    "yot_custody": [5.6, 5.8, 6.1, 6.0, 6.2, 6.4],
    "yot_victims_offered_rj": [52, 60, 68, 75, 81, 85],
    "yot_victim_satisfaction": [80, 82, 84, 85, 86, 87],
    "yot_parenting": [12, 14, 16, 18, 20, 21],
    "yot_accommodation": [92, 93, 94, 95, 95.5, 96],
    "yot_substance_screening": [65, 71, 78, 84, 88, 90],
    "yot_mental_health": [55, 62, 68, 74, 78, 81],
    "yot_psr_on_time": [85, 88, 90, 92, 93, 94],
}


def _yot_rows(rng: np.random.Generator, quarters: list[str], fys: list[str]) -> Rows:
    rows: Rows = []
    for kind, counts in YOT_COUNTS.items():
        rows += _rows(kind, "borough", quarters, quarterly_split(rng, counts))
    for kind, fy in YOT_QUARTERLY_PCT.items():
        values = np.repeat(fy, 4) + rng.normal(0, 1.0, 4 * len(fy))
        # keep each year's mean exactly on the designed value, so statuses are as intended
        values = values - np.repeat(values.reshape(-1, 4).mean(axis=1) - np.array(fy), 4)
        rows += _rows(kind, "borough", quarters, np.clip(values, 0, 100), 1)
    for kind, fy in YOT_ANNUAL_PCT.items():
        rows += _rows(kind, "borough", fys, fy, 1)
    return rows


def _csv(rows: Rows, received: dict[str, str]) -> str:
    lines = ["indicator,area,period,value,received"] + [",".join((*r, received[r[2]])) for r in rows]
    return "\n".join(lines) + "\n"


# --- writing ---------------------------------------------------------------------------------
def write(out_dir: Path | str, config_dir: Path | str = "data_sources", seed: int = SEED) -> list[Path]:
    """Generate the demo data and write each file atomically into ``out_dir``."""
    config = load_config(config_dir)
    deadlines = {
        Path(str(spec.options.get("path", ""))).name: partner.return_deadline_days
        for partner in config.partners
        for spec in partner.sources
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate(config.partnership, seed, deadlines).items():
        path = out / name
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes files private; these are shared data
        os.replace(tmp, path)
        log.info("wrote %s (%d rows)", path, text.count("\n") - 1)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the demo partnership's data files (illustrative, not real).

    Example: python -m reportgen.demo --out data_sources/data
    """
    parser = argparse.ArgumentParser(prog="python -m reportgen.demo", description=main.__doc__)
    parser.add_argument("--out", default="data_sources/data", help="folder for the CSV files")
    parser.add_argument("--config", default="data_sources", help="the demo config folder (for its areas)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    write(args.out, args.config, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
