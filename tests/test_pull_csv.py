"""CSV returns into the store through `reportgen pull`, and what bad rows get."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.errors import DataError
from reportgen.sources import get_source_class
from reportgen.store import Store


def run_pull(config: Path, db: Path):
    return CliRunner().invoke(cli, ["pull", "--config", str(config), "--store", f"sqlite:///{db}"])


def test_pull_loads_then_reports_unchanged(small_config: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    first = run_pull(small_config, db)
    assert first.exit_code == 0, first.output
    assert "police" in first.output and "9" in first.output
    stored = Store(f"sqlite:///{db}", partnership="testborough-community-safety-partnership").frame()
    assert len(stored) == 9
    assert stored.loc[stored["area"] == "borough", "value"].sum() == 96
    second = run_pull(small_config, db)
    assert second.exit_code == 0, second.output
    counts = Store(f"sqlite:///{db}", partnership="testborough-community-safety-partnership").loads()[["n_new", "n_unchanged"]].values.tolist()
    assert counts == [[9, 0], [0, 9]]


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("indicator,area,period,value\nburglary,north,2005-03,twelve\n", "line 2, column 'value': 'twelve' is not a number"),
        ("indicator,area,period,value\nburglary,north,2005-03,\n", "line 2, column 'value': '' is blank"),
        ("indicator,area,period,value\nburglary,north,2005-03,1\nburglary,north,2005-04,-3\n",
         "line 3, column 'value': '-3' is negative"),
        ("indicator,area,period,value\nburglery,north,2005-03,1\n", "'burglery' is not a known indicator"),
        ("indicator,area,period,value\nburglary,west,2005-03,1\n", "'west' is not a known area"),
        ("indicator,area,period,value\nburglary,north,March 2005,1\n", "'March 2005' is not a period"),
        ("indicator,area,period,value\nburglary,north,2005-Q1,1\n", "is not of the indicator's frequency"),
        ("indicator,area,period,value\nburglary,north,2005-03,1\nburglary,north,2005-03,2\n",
         "line 3: a second value for burglary / north / 2005-03"),
        ("indicator,area,month,value\nburglary,north,2005-03,1\n", "has no column 'period'"),
        ("", "is empty"),
    ],
)
def test_bad_rows_reject_the_file_and_leave_the_store_alone(
    small_config: Path, tmp_path: Path, csv_text: str, message: str
) -> None:
    db = tmp_path / "s.sqlite"
    assert run_pull(small_config, db).exit_code == 0
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    (small_config / "data" / "police.csv").write_text(csv_text)
    result = run_pull(small_config, db)
    assert result.exit_code != 0
    assert message in result.output
    assert "police.csv" in result.output
    assert "police/returns: refused whole, nothing loaded (the error below says why)" in result.output
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert len(Store(f"sqlite:///{db}", partnership="testborough-community-safety-partnership").frame()) == 9


def test_wrong_encoding_names_the_file(small_config: Path) -> None:
    (small_config / "data" / "police.csv").write_bytes(
        "indicator,area,period,value\nburglary,north,2005-03,1 \u2013 2\n".encode("cp1252")
    )
    config = load_config(small_config)
    partner = config.partner("police")
    source = get_source_class("csv")(partner.sources[0], partner, config)
    with pytest.raises(DataError, match="is not valid utf-8 text"):
        source.load()


def test_unknown_source_type_is_named(small_config: Path, tmp_path: Path) -> None:
    police = small_config / "partners" / "police.toml"
    police.write_text(police.read_text().replace('type = "csv"', 'type = "cvs"'))
    result = run_pull(small_config, tmp_path / "s.sqlite")
    assert result.exit_code == 2  # a config error, found before any source is read
    assert "'cvs' is not a source type" in result.output and "did you mean 'csv'?" in result.output
