"""The Hartlepool example: real police.uk files, real Census 2021 populations. Its monthly
totals must equal the figures its README (and the acceptance-data README) publish."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from returns_fixtures import POLICE_HEADER, REPO, SHARED

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.store import Store

EXAMPLE = REPO / "examples" / "hartlepool"


def readme_counts(text: str) -> dict[str, int]:
    """The month -> rows table of the example's README."""
    return {m: int(n) for m, n in re.findall(r"^\| (\d{4}-\d{2}) \| (\d+) \|$", text, re.MULTILINE)}


def bundled_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in sorted((EXAMPLE / "data" / "police-uk").glob("*.csv.gz")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(df.columns) == POLICE_HEADER  # genuine police.uk files, every column kept
        assert df["LSOA name"].str.startswith("Hartlepool ").all()
        for month, n in df.groupby("Month").size().items():
            counts[month] = counts.get(month, 0) + int(n)
    return counts


def test_readme_table_is_complete_and_adds_up() -> None:
    text = (EXAMPLE / "README.md").read_text()
    counts = readme_counts(text)
    assert len(counts) == 13
    total = int(re.search(r"\*\*Total\*\* \| \*\*([\d,]+)\*\*", text)[1].replace(",", ""))
    assert sum(counts.values()) == total
    assert "Open Government Licence v3.0" in text and "data.police.uk" in text and "Census 2021" in text


def test_bundled_files_hold_the_published_monthly_counts() -> None:
    assert bundled_counts() == readme_counts((EXAMPLE / "README.md").read_text())


def test_published_counts_match_the_acceptance_data_readme() -> None:
    shared_readme = SHARED / "acceptance-data" / "README.md"
    if not shared_readme.exists():
        pytest.skip(f"shared acceptance data not found at {SHARED}")
    line = next(x for x in shared_readme.read_text().splitlines() if x.strip().startswith("- Hartlepool:"))
    published = [int(n) for n in line.split(":", 1)[1].split("(")[0].split()]
    ours = readme_counts((EXAMPLE / "README.md").read_text())
    assert [ours[m] for m in sorted(ours)] == published


def test_bundled_rows_are_byte_for_byte_lines_of_the_published_files() -> None:
    source = SHARED / "acceptance-data" / "police-uk" / "cleveland-street"
    if not source.is_dir():
        pytest.skip(f"shared acceptance data not found at {SHARED}")
    for path in sorted((EXAMPLE / "data" / "police-uk").glob("*.csv.gz")):
        with gzip.open(path, "rb") as fh:
            ours = fh.read().splitlines(keepends=True)
        theirs = (source / path.name.removesuffix(".gz")).read_bytes().splitlines(keepends=True)
        assert ours[0] == theirs[0]
        assert set(ours[1:]) <= set(theirs[1:])
        # every Hartlepool row of the published file, in its original order
        hartlepool = [x for x in theirs[1:] if b",Hartlepool " in x]
        assert ours[1:] == hartlepool


def test_config_covers_every_lsoa_in_the_files() -> None:
    config = load_config(EXAMPLE)
    configured = {code for n in config.partnership.neighbourhoods for code in n.lsoas}
    seen: set[str] = set()
    for path in (EXAMPLE / "data" / "police-uk").glob("*.csv.gz"):
        seen |= set(pd.read_csv(path, usecols=["LSOA code"], dtype=str)["LSOA code"])
    assert seen == configured
    assert sum(n.population for n in config.partnership.neighbourhoods) == config.partnership.borough.population


def test_pull_loads_monthly_totals_equal_to_the_readme(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hartlepool.sqlite'}"
    result = CliRunner().invoke(cli, ["pull", "--config", str(EXAMPLE), "--store", url])
    assert result.exit_code == 0, result.output
    assert "police" in result.output
    frame = Store(url, partnership="hartlepool").frame()
    borough = frame[frame["area"] == "borough"]
    loaded = borough.groupby("period")["value"].sum().astype(int).to_dict()
    assert loaded == readme_counts((EXAMPLE / "README.md").read_text())
    # neighbourhoods partition the borough: their counts add up to the borough's
    hoods = frame[frame["area"] != "borough"].groupby(["indicator", "period"])["value"].sum()
    whole = borough.set_index(["indicator", "period"])["value"]
    pd.testing.assert_series_equal(hoods.sort_index(), whole.sort_index(), check_names=False)


def test_evaluate_runs_on_the_example(tmp_path: Path) -> None:
    if "evaluate" not in cli.commands:
        pytest.skip("the evaluate command is not on this branch yet (it comes from branch eval)")
    url = f"sqlite:///{tmp_path / 'hartlepool.sqlite'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["pull", "--config", str(EXAMPLE), "--store", url]).exit_code == 0
    args = ["evaluate", "--config", str(EXAMPLE), "--store", url, "--period", "2023-03"]
    table = runner.invoke(cli, args)
    assert table.exit_code == 0, table.output
    assert "Illustrative community safety targets" in table.output
    result = runner.invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    records = [r for r in json.loads(result.output) if r.get("type") == "indicator" and r["area"] == "borough"]
    by_id = {r["id"]: r["value"] for r in records}
    # the month's values, counted straight from the bundled police.uk files
    march = pd.concat(pd.read_csv(p, dtype=str) for p in (EXAMPLE / "data" / "police-uk").glob("2023-03-*.gz"))
    asb = int((march["Crime type"] == "Anti-social behaviour").sum())
    assert by_id["asb"] == asb
    assert by_id["all_crime"] == len(march) - asb
    assert by_id["burglary"] == int((march["Crime type"] == "Burglary").sum())
