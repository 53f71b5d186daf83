"""The bundled demo partnership: its data agree with the published strategy, regenerate
byte for byte, and load into a real store."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.demo import SEED, write
from reportgen.periods import Period
from reportgen.store import Store

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "data_sources"
DATA = CONFIG / "data"

# the 2002-05 priorities as printed in the 2005-08 strategy: 2001/02 and 2004/05 totals
PUBLISHED_2002_05 = {
    "house_burglary": (2916, 2176),
    "vehicle_crime": (6987, 4664),
    "asb_incidents": (22953, 22431),
    "dv_incidents": (4306, 4888),
    "drug_people_in_treatment_year": (558, 1500),
    "town_centre_crime": (2065, 1959),
    "public_transport_incidents": (339, 294),
    "hate_crime": (210, 198),
}


@pytest.fixture(scope="module")
def config():
    return load_config(CONFIG)


@pytest.fixture(scope="module")
def observations() -> pd.DataFrame:
    frames = [pd.read_csv(path, dtype={"period": str}) for path in sorted(DATA.glob("*.csv"))]
    df = pd.concat(frames, ignore_index=True)
    df["fy"] = df["period"].map(lambda k: Period.parse(k).financial_year_of_end().key)
    return df


def fy_total(df: pd.DataFrame, indicators: list[str], fy: str, area: str = "borough") -> float:
    rows = df[df["indicator"].isin(indicators) & (df["area"] == area) & (df["fy"] == fy)]
    assert not rows.empty, f"no data for {indicators} in {fy}"
    return float(rows["value"].sum())


def test_regenerating_gives_byte_identical_files(tmp_path):
    written = write(tmp_path, CONFIG, SEED)
    committed = sorted(p.name for p in DATA.glob("*.csv"))
    assert sorted(p.name for p in written) == committed
    for path in written:
        assert path.read_bytes() == (DATA / path.name).read_bytes(), (
            f"{path.name} differs from the committed file"
        )


def test_another_seed_gives_other_data_with_the_same_published_totals(tmp_path):
    write(tmp_path, CONFIG, SEED + 1)
    assert (tmp_path / "police_crime.csv").read_bytes() != (DATA / "police_crime.csv").read_bytes()
    df = pd.read_csv(tmp_path / "police_crime.csv", dtype={"period": str})
    df["fy"] = df["period"].map(lambda k: Period.parse(k).financial_year_of_end().key)
    assert fy_total(df, ["house_burglary"], "2004/05") == 2176


def test_committed_data_stays_small():
    total = sum(p.stat().st_size for p in DATA.glob("*.csv"))
    assert total < 3_000_000, f"demo data is {total:,} bytes"


@pytest.mark.parametrize("indicator", sorted(PUBLISHED_2002_05))
def test_2002_05_priorities_match_the_published_totals(observations, config, indicator):
    members = list(config.indicator(indicator).of) if indicator == "vehicle_crime" else [indicator]
    before, after = PUBLISHED_2002_05[indicator]
    assert fy_total(observations, members, "2001/02") == before
    assert fy_total(observations, members, "2004/05") == after


def test_2002_05_strategy_targets_the_published_priorities(config):
    strategy = config.strategy("2002-05")
    assert (strategy.baseline_period, strategy.target_period) == ("2001/02", "2004/05")
    targeted = {m.indicator for t in strategy.targets for m in t.measures}
    assert targeted == set(PUBLISHED_2002_05)
    titles = [t.title for t in strategy.targets]
    assert "Drug and Alcohol Misuse (people in treatment)" in titles and "House Burglary" in titles


def test_crime_fell_13_percent_and_over_4000_offences_in_2004_05(observations):
    before = fy_total(observations, ["all_crime"], "2003/04")
    after = fy_total(observations, ["all_crime"], "2004/05")
    assert before - after > 4000
    assert round((after - before) / before * 100) == -13


def test_655_fewer_house_burglaries(observations):
    before = fy_total(observations, ["house_burglary"], "2003/04")
    after = fy_total(observations, ["house_burglary"], "2004/05")
    assert (before, after) == (2831, 2176)
    assert before - after == 655


def test_recorded_crime_is_the_ten_types_and_within_all_crime(observations, config):
    ten = list(config.indicator("recorded_crime").of)
    assert len(ten) == 10
    before, after = (fy_total(observations, ten, fy) for fy in ("2003/04", "2004/05"))
    assert round((after - before) / before * 100) == -13  # the same headline either way
    assert fy_total(observations, ten, "2007/08") <= before * 0.78  # big target 1 met
    for fy in ("1995/96", "2003/04", "2007/08"):
        assert fy_total(observations, ten, fy) < fy_total(observations, ["all_crime"], fy)


def test_crime_rose_in_the_late_1990s_and_fell_from_2002(observations):
    totals = [fy_total(observations, ["all_crime"], f"{y}/{(y + 1) % 100:02d}") for y in range(1995, 2008)]
    peak = totals.index(max(totals))
    assert 2000 <= 1995 + peak <= 2002
    assert totals[: peak + 1] == sorted(totals[: peak + 1])
    assert totals[peak:] == sorted(totals[peak:], reverse=True)


def test_monthly_series_cover_april_1995_to_march_2008(observations):
    months = observations[
        (observations["indicator"] == "house_burglary") & (observations["area"] == "borough")
    ]
    assert months["period"].min() == "1995-04" and months["period"].max() == "2008-03"
    assert len(months) == 13 * 12


def test_violence_peaks_in_summer_and_burglary_in_winter(observations):
    borough = observations[
        (observations["area"] == "borough") & ~observations["period"].str.contains("[Q/]")
    ].copy()
    borough["month"] = borough["period"].str[-2:].astype(int)
    by_month = borough.pivot_table(index="month", columns="indicator", values="value", aggfunc="sum")
    summer, winter = [6, 7, 8], [11, 12, 1]
    assert by_month.loc[summer, "wounding"].sum() > by_month.loc[winter, "wounding"].sum()
    assert by_month.loc[winter, "house_burglary"].sum() > by_month.loc[summer, "house_burglary"].sum()


def test_neighbourhoods_sum_to_the_borough_every_month(observations, config):
    ids = {a.id for a in config.partnership.neighbourhoods}
    local = observations[observations["area"].isin(ids)]
    assert set(local["area"]) == ids
    summed = local.groupby(["indicator", "period"])["value"].sum()
    borough = observations[observations["area"] == "borough"].set_index(["indicator", "period"])["value"]
    assert set(local["indicator"]) >= {"all_crime", "asb_incidents", "house_burglary"}
    assert (summed == borough.reindex(summed.index)).all()
    # small counts exist, so public documents' suppression is exercised
    assert (local["value"] < 5).any()


def test_priority_gap_narrows_from_over_40_to_at_most_33_percent(observations, config):
    areas = config.partnership.neighbourhoods
    priority = {a.id for a in areas if a.priority}
    pop_priority = sum(a.population for a in areas if a.priority)
    pop_borough = config.partnership.borough.population

    def gap(fy: str) -> float:
        rate_priority = fy_total_areas(observations, priority, fy) / pop_priority
        rate_borough = fy_total(observations, ["all_crime"], fy) / pop_borough
        return (rate_priority / rate_borough - 1) * 100

    assert 40 <= gap("2003/04") <= 50
    assert gap("2007/08") <= 33 < gap("2004/05")


def fy_total_areas(df: pd.DataFrame, areas: set[str], fy: str) -> float:
    rows = df[(df["indicator"] == "all_crime") & df["area"].isin(areas) & (df["fy"] == fy)]
    return float(rows["value"].sum())


def test_wigan_stays_below_greater_manchester(observations, config):
    pops = {c.id: c.population for c in config.partnership.comparators}
    pops["borough"] = config.partnership.borough.population
    for fy in ("1995/96", "2001/02", "2003/04", "2007/08"):
        rate = {a: fy_total(observations, ["all_crime"], fy, a) / pops[a] * 1000 for a in pops}
        assert rate["borough"] < rate["gm"], fy
        assert rate["borough"] < rate["ew"] < rate["gm"], fy


def test_the_2004_05_survey_matches_the_strategy(observations):
    survey = observations[
        (observations["fy"] == "2004/05") & observations["indicator"].str.startswith("survey_")
    ]
    values = dict(zip(survey["indicator"], survey["value"], strict=True))
    n = values["survey_respondents"]
    assert n == 536
    assert round(values["survey_very_worried"] / n * 100) == 36
    assert values["survey_asb_big_problem"] == 251 and round(251 / n * 100) == 47
    assert round(values["survey_police_good"] / n * 100) == 28
    assert round(values["survey_cj_good"] / n * 100) == 16
    assert round(values["survey_victims_reported"] / values["survey_victims"] * 100) == 80


def test_drug_treatment_improves(observations):
    def pct(num: str, den: str, fy: str) -> float:
        return fy_total(observations, [num], fy) / fy_total(observations, [den], fy) * 100

    success = [
        pct("drug_discharged_successfully", "drug_discharges", f"{y}/{y + 1 - 2000:02d}")
        for y in (2003, 2007)
    ]
    assert success[1] >= success[0] * 1.10  # big target 3 met by 2007/08
    retention = [
        pct("drug_retained_12wk", "drug_new_starts", f"{y}/{y + 1 - 2000:02d}") for y in (2002, 2004)
    ]
    assert retention[1] > retention[0]


def test_reoffending_falls_but_misses_its_5_percent_target(observations):
    def rate(fy: str) -> float:
        return fy_total(observations, ["reoffenders"], fy) / fy_total(
            observations, ["reoffending_cohort"], fy
        )

    assert rate("2007/08") < rate("2003/04")
    assert rate("2007/08") > rate("2003/04") * 0.95  # "at risk": one of the targets not met


def test_demo_config_shape(config):
    p = config.partnership
    assert "Illustrative demo data" in p.notice
    assert len(config.partners) >= 8
    assert len(p.neighbourhoods) >= 22 and len(p.priority_areas) >= 4
    assert sum(a.population for a in p.neighbourhoods) == p.borough.population
    assert all(a.township for a in p.neighbourhoods)
    assert {c.id for c in p.comparators} == {"gm", "ew"}
    assert any("999" in line for line in p.report_crime)
    assert any("0800 555 111" in line for line in p.report_crime)
    assert p.contact.phone == "01942 828111" and p.alternative_formats_phone == "01942 828111"
    for partner in config.partners:
        assert partner.contacts and partner.sources and partner.indicators, partner.id
        for spec in partner.sources:
            assert (CONFIG / spec.options["path"]).is_file(), spec.options["path"]


def test_eight_big_targets_with_the_strategys_rules(config):
    strategy = config.strategy("2005-08")
    assert (strategy.baseline_period, strategy.target_period) == ("2003/04", "2007/08")
    targets = {t.number: t for t in strategy.targets}
    assert sorted(targets) == list(range(1, 9))
    assert targets[1].measures[0].indicator == "recorded_crime" and targets[1].measures[0].change_pct == -22
    assert targets[1].title.startswith("RECORDED CRIME - Reduce by 22%")
    yot = config.partner("yot")
    assert len(yot.indicators) == 14
    assert {m.indicator for m in targets[5].measures} == {i.id for i in yot.indicators}
    assert targets[5].rule == "all_improve"
    assert targets[6].rule == "threshold" and targets[6].threshold == 33
    assert targets[8].rule == "fraction_improve" and targets[8].fraction == 0.75
    assert len(targets[8].measures) >= 4
    polarities = {i.polarity for i in yot.indicators}
    assert polarities == {"lower_is_better", "higher_is_better"}


def test_every_indicator_has_data(observations, config):
    sourced = {i for p in config.partners for i in (ind.id for ind in p.indicators)}
    assert sourced <= set(observations["indicator"])


def test_pull_loads_the_demo_and_a_second_pull_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    runner = CliRunner()
    first = runner.invoke(cli, ["pull", "--config", str(CONFIG), "--store", url])
    assert first.exit_code == 0, first.output
    loads = Store(url, partnership="wigan-leigh").loads()
    expected_rows = sum(len(pd.read_csv(p)) for p in DATA.glob("*.csv"))
    assert loads["n_new"].sum() == expected_rows
    assert loads["n_rejected"].sum() == 0

    second = runner.invoke(cli, ["pull", "--config", str(CONFIG), "--store", url])
    assert second.exit_code == 0, second.output
    again = Store(url, partnership="wigan-leigh").loads().iloc[len(loads) :]
    assert len(again) == len(loads)
    assert again["n_new"].sum() == 0 and again["n_revised"].sum() == 0
    assert again["n_unchanged"].sum() == expected_rows


def test_demo_data_files_have_the_long_format_header():
    for path in DATA.glob("*.csv"):
        with path.open(encoding="utf-8") as fh:
            # received: when the partner submitted the row (the returns' own dates)
            assert fh.readline().strip() == "indicator,area,period,value,received", path.name


def test_demo_returns_arrive_after_their_period_closes_mostly_by_the_deadline(config):
    """Each file's received date follows its period's close; the partner returns meet their
    deadline except the few designed late ones around March 2005."""
    deadlines = {
        Path(str(s.options["path"])).name: p.return_deadline_days for p in config.partners for s in p.sources
    }
    late = []
    for path in sorted(DATA.glob("*.csv")):
        df = pd.read_csv(path, dtype={"period": str})
        periods = df["period"].map(Period.parse)
        closed = pd.to_datetime(periods.map(lambda p: p.last_day))
        days = (pd.to_datetime(df["received"]).dt.normalize() - closed).dt.days
        assert (days > 0).all(), path.name
        if path.name.startswith("police_"):
            assert days.between(5, 8).all(), path.name
        over = df.loc[days > deadlines[path.name], "period"].unique().tolist()
        late += [(path.name, key) for key in over]
    assert late == [("nhs_hospital.csv", "2005-03"), ("voluntary_participation.csv", "2005-Q1")]


def test_partnership_toml_is_plain_toml():
    # the README tells staff to edit these files by hand: they must parse as ordinary TOML
    for path in CONFIG.rglob("*.toml"):
        with path.open("rb") as fh:
            assert tomllib.load(fh), path


def test_generator_runs_as_a_module(tmp_path):
    out = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "reportgen.demo", "--out", str(out), "--config", str(CONFIG)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "police_crime.csv").read_bytes() == (DATA / "police_crime.csv").read_bytes()
    assert "police_crime.csv" in result.stderr  # a log line per file written


def test_each_lsoa_belongs_to_one_neighbourhood(config):
    codes = [code for area in config.partnership.neighbourhoods for code in area.lsoas]
    assert len(codes) == len(set(codes)) > 0
    assert all(code.startswith("E01") and len(code) == 9 for code in codes)
