"""What each connector does beyond the shared contract: Excel cell types, SQL errors and
parameters, police.uk filtering and mapping."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from returns_fixtures import (
    POLICEUK_SOURCE,
    SQL_SOURCE,
    canonical_rows,
    police_rows,
    write_config,
    write_police_files,
    write_sqlite,
)

from reportgen.config import load_config
from reportgen.errors import ConfigError, DataError
from reportgen.sources import get_source_class, known_types
from reportgen.sources.base import DropReason


def _source(root: Path):  # type: ignore[no-untyped-def]
    config = load_config(root)
    partner = config.partner("police")
    return get_source_class(partner.sources[0].type)(partner.sources[0], partner, config)


def test_registry_knows_every_connector() -> None:
    assert known_types() == ["csv", "excel", "policeuk", "sql"]
    for name in known_types():
        assert get_source_class(name).type_name == name


EXCEL = '[[sources]]\nid = "main"\ntype = "excel"\npath = "data/r.xlsx"\n'


def test_excel_takes_values_as_excel_stores_them(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", EXCEL)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["indicator", "area", "period", "value"])
    ws.append(["burglary", "north", dt.datetime(2022, 3, 1), 12])  # a date cell, an integer
    ws.append(["burglary", "south", "2022-03", 12.0])  # text period, a float that is whole
    ws.append(["asb", "north", dt.date(2022, 3, 31), "1,234"])  # a typed number with a comma
    ws.append(["asb", "south", "2022-03", 3.0])  # (a count: 0.5 would be refused as not whole)
    (root / "data").mkdir()
    wb.save(root / "data" / "r.xlsx")
    frame = _source(root).load().frame
    got = {(r.indicator, r.area, r.period): r.value for r in frame.itertuples()}
    assert got == {
        ("burglary", "north", "2022-03"): 12.0,
        ("burglary", "south", "2022-03"): 12.0,
        ("asb", "north", "2022-03"): 1234.0,
        ("asb", "south", "2022-03"): 3.0,
    }


def test_excel_reports_true_and_false_as_not_numbers(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", EXCEL)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Indicator ", "AREA", "Period", "Value"])  # headers typed by hand
    ws.append(["burglary", "north", "2022-03", True])
    (root / "data").mkdir()
    wb.save(root / "data" / "r.xlsx")
    with pytest.raises(DataError, match=r"D2: 'True' is not a number"):
        _source(root).load()


def test_excel_without_the_columns_says_which_it_found(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", EXCEL)
    wb = openpyxl.Workbook()
    wb.active.append(["Crime", "Ward", "Month", "Count"])
    (root / "data").mkdir()
    wb.save(root / "data" / "r.xlsx")
    with pytest.raises(DataError, match="has no header row naming area, indicator, period, value"):
        _source(root).load()


def test_sql_query_failure_names_the_database_not_the_password(tmp_path: Path) -> None:
    source = SQL_SOURCE.format().replace("FROM kpi", "FROM kpis")
    root = write_config(tmp_path / "cfg", source)
    write_sqlite(root / "db" / "police.sqlite", canonical_rows())
    with pytest.raises(DataError, match="the query failed: no such table: kpis"):
        _source(root).load()


def test_sql_url_may_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = SQL_SOURCE.format().replace('url = "sqlite:///db/police.sqlite"', 'url_env = "RG_TEST_POLICE_DB"')
    root = write_config(tmp_path / "cfg", source)
    rows = canonical_rows()
    write_sqlite(root / "db" / "police.sqlite", rows)
    monkeypatch.delenv("RG_TEST_POLICE_DB", raising=False)
    with pytest.raises(ConfigError, match=r"url_env: the environment variable 'RG_TEST_POLICE_DB' is not set"):
        _source(root).load()
    monkeypatch.setenv("RG_TEST_POLICE_DB", "sqlite:///db/police.sqlite")
    frame = _source(root).load().frame
    assert len(frame) == len(rows)


def test_sql_source_needs_exactly_one_of_url_and_url_env(tmp_path: Path) -> None:
    source = SQL_SOURCE.format().replace('url = "sqlite:///db/police.sqlite"', 'url = "sqlite:///x"\nurl_env = "X"')
    root = write_config(tmp_path / "cfg", source)
    with pytest.raises(ConfigError, match="not both"):
        _source(root).load()


def test_sql_passes_only_the_parameters_the_query_uses(tmp_path: Path) -> None:
    query = "SELECT code, ward, month_start, n FROM kpi WHERE month_start >= :first_day AND n >= :least"
    source = SQL_SOURCE.format().replace(
        'query = "SELECT code, ward, month_start, n FROM kpi WHERE month_start BETWEEN :first_day AND :last_day"',
        f'query = "{query}"\nparams = {{ least = 3 }}\nsince = "2022-04"',
    )
    root = write_config(tmp_path / "cfg", source)
    rows = canonical_rows()
    write_sqlite(root / "db" / "police.sqlite", rows)
    frame = _source(root).load().frame
    expected = {(i, a, p, float(v)) for i, a, p, v in rows if p >= "2022-04" and v >= 3}
    assert {(r.indicator, r.area, r.period, r.value) for r in frame.itertuples()} == expected


def test_policeuk_counts_by_lsoa_not_by_falls_within(tmp_path: Path) -> None:
    rows = canonical_rows()
    raw = police_rows(rows)
    assert any(r[3] == "Durham Constabulary" for r in raw)  # some of ours say another force
    root = write_config(tmp_path / "cfg", POLICEUK_SOURCE.format())
    write_police_files(root / "policeuk", rows)
    frame = _source(root).load().frame
    assert {(r.indicator, r.area, r.period, r.value) for r in frame.itertuples()} == {
        (i, a, p, float(v)) for i, a, p, v in rows
    }


def test_policeuk_accounts_for_every_row_it_leaves_out(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", POLICEUK_SOURCE.format())
    rows = canonical_rows()
    write_police_files(root / "policeuk", rows)
    account = _source(root).load().account
    months = sorted({p for _, _, p, _ in rows})
    # police_rows(): every neighbourhood unit is one row, plus one Drugs row (ignored by the
    # config) and one row in an LSOA of another district per month
    ours = sum(int(v) for _, a, _, v in rows if a != "borough")
    assert (account.read, account.loaded) == (ours + 2 * len(months), ours)
    assert account.balanced()
    drops = {d.reason: d for d in account.drops}
    assert drops[DropReason.IGNORED_CRIME_TYPE].rows == len(months) and not drops[DropReason.IGNORED_CRIME_TYPE].fails
    assert drops[DropReason.OUTSIDE].rows == len(months) and not drops[DropReason.OUTSIDE].fails
    assert drops[DropReason.OUTSIDE].detail.startswith("Elsewhere ")
    assert set(drops) == {DropReason.IGNORED_CRIME_TYPE, DropReason.OUTSIDE}


def test_policeuk_file_without_its_columns_is_rejected(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", POLICEUK_SOURCE.format())
    folder = root / "policeuk"
    folder.mkdir()
    (folder / "2022-03-x-street.csv").write_text("Month,Area,Type\n2022-03,E01000101,Burglary\n")
    with pytest.raises(DataError, match="lacks the police.uk columns 'LSOA code', 'Crime type'"):
        _source(root).load()


def test_policeuk_needs_lsoas_in_the_config(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", POLICEUK_SOURCE.format())
    toml = (root / "partnership.toml").read_text()
    (root / "partnership.toml").write_text(toml.replace("lsoas = ", "# lsoas = "))
    write_police_files(root / "policeuk", canonical_rows())
    with pytest.raises(Exception, match="no LSOA codes are configured"):
        _source(root).load()


def test_sqlite_file_used_is_real(tmp_path: Path) -> None:
    path = write_sqlite(tmp_path / "x.sqlite", canonical_rows())
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*) FROM kpi").fetchone()[0] == len(canonical_rows())
    con.close()
