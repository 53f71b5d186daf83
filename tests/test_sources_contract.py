"""One contract, every connector: CSV, Excel, SQL and police.uk files must all read the
same logical observations and reject the same kinds of bad input, naming the place."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from returns_fixtures import (
    POLICEUK_SOURCE,
    SQL_SOURCE,
    canonical_rows,
    write_config,
    write_csv,
    write_police_files,
    write_sqlite,
    write_xlsx,
    xlsx_value_cell,
)

from reportgen.config import load_config
from reportgen.errors import DataError
from reportgen.periods import Period
from reportgen.sources import get_source_class
from reportgen.store import Store


@dataclass
class Case:
    """How one connector kind stores the canonical rows, and how to break them."""

    kind: str
    source_toml: str
    write: Callable[[Path, list[tuple]], None]  # (config folder, rows)
    # (config folder, rows, index of the row to break) -> text the error must name
    corrupt: Callable[[Path, list[tuple], int], list[str]]
    # rows whose indicator is replaced, and how the connector is told about it
    unknown_indicator: Callable[[Path, list[tuple]], None]
    empty: Callable[[Path], None]


def _csv_corrupt(root: Path, rows: list[tuple], i: int) -> list[str]:
    bad = list(rows)
    bad[i] = (*bad[i][:3], "twelve")
    write_csv(root / "data" / "police.csv", bad)
    return [f"line {i + 2}", "'twelve' is not a number", "police.csv"]


def _xlsx_corrupt(root: Path, rows: list[tuple], i: int) -> list[str]:
    bad = list(rows)
    bad[i] = (*bad[i][:3], "twelve")
    write_xlsx(root / "data" / "police.xlsx", bad)
    return [f"{xlsx_value_cell(bad, i)}: 'twelve' is not a number", "police.xlsx", "sheet 'Return'"]


def _sql_corrupt(root: Path, rows: list[tuple], i: int) -> list[str]:
    bad = list(rows)
    bad[i] = (*bad[i][:3], "twelve")
    write_sqlite(root / "db" / "police.sqlite", bad)
    return [f"query row {i + 1}", "'twelve' is not a number"]


def _police_corrupt(root: Path, rows: list[tuple], i: int) -> list[str]:
    # a police.uk file has no value cells: the record that can be wrong is its month
    paths = write_police_files(root / "policeuk", rows, gzip_last=False)
    lines = paths[0].read_text().splitlines()
    cells = lines[i + 1].split(",")
    cells[1] = "twelve"
    lines[i + 1] = ",".join(cells)
    paths[0].write_text("\n".join(lines) + "\n")
    return [f"line {i + 2}", "'twelve' is not a month", paths[0].name]


def _unknown_rows(rows: list[tuple]) -> list[tuple]:
    return [("burglry" if r[0] == "burglary" else r[0], *r[1:]) for r in rows]


def _police_unknown(root: Path, rows: list[tuple]) -> None:
    write_police_files(root / "policeuk", rows)
    toml = (root / "partners" / "police.toml").read_text()
    (root / "partners" / "police.toml").write_text(
        toml.replace('"Burglary" = "burglary"', '"Burglary" = "burglry"')
    )


def _police_empty(root: Path) -> None:
    folder = root / "policeuk"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2022-03-testshire-street.csv").write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
        "Crime type,Last outcome category,Context\n"
    )


def _empty_sqlite(root: Path) -> None:
    write_sqlite(root / "db" / "police.sqlite", [])


CASES = [
    Case(
        "csv",
        '[[sources]]\nid = "main"\ntype = "csv"\npath = "data/police.csv"\n',
        lambda root, rows: write_csv(root / "data" / "police.csv", rows),
        _csv_corrupt,
        lambda root, rows: write_csv(root / "data" / "police.csv", _unknown_rows(rows)),
        lambda root: (root / "data").mkdir() or (root / "data" / "police.csv").write_bytes(b""),
    ),
    Case(
        "excel",
        '[[sources]]\nid = "main"\ntype = "excel"\npath = "data/police.xlsx"\nsheet = "Return"\n',
        lambda root, rows: write_xlsx(root / "data" / "police.xlsx", rows),
        _xlsx_corrupt,
        lambda root, rows: write_xlsx(root / "data" / "police.xlsx", _unknown_rows(rows)),
        lambda root: write_xlsx(root / "data" / "police.xlsx", []),
    ),
    Case(
        "sql",
        SQL_SOURCE.format(),
        lambda root, rows: write_sqlite(root / "db" / "police.sqlite", rows),
        _sql_corrupt,
        lambda root, rows: write_sqlite(root / "db" / "police.sqlite", _unknown_rows(rows)),
        _empty_sqlite,
    ),
    Case(
        "policeuk",
        POLICEUK_SOURCE.format(),
        lambda root, rows: write_police_files(root / "policeuk", rows),
        _police_corrupt,
        _police_unknown,
        _police_empty,
    ),
]


@pytest.fixture(params=CASES, ids=[c.kind for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param


def _source(root: Path, **kwargs):  # type: ignore[no-untyped-def]
    config = load_config(root)
    partner = config.partner("police")
    spec = partner.sources[0]
    return get_source_class(spec.type)(spec, partner, config, **kwargs)


def _as_set(frame: pd.DataFrame) -> set[tuple]:
    return {(r.indicator, r.area, r.period, float(r.value)) for r in frame.itertuples()}


def test_reads_the_canonical_observations(tmp_path: Path, case: Case) -> None:
    root = write_config(tmp_path / "cfg", case.source_toml)
    rows = canonical_rows()
    case.write(root, rows)
    data = _source(root).load()
    assert _as_set(data.frame) == {(i, a, p, float(v)) for i, a, p, v in rows}
    assert data.files and all(Path(f).exists() for f in data.files)
    assert list(data.frame.columns) == ["indicator", "area", "period", "value", "row"]


FEEDS = [c for c in CASES if c.kind in ("sql", "policeuk")]  # a returned file holds what it holds


@pytest.mark.parametrize("case", FEEDS, ids=[c.kind for c in FEEDS])
def test_period_limits_what_is_read(tmp_path: Path, case: Case) -> None:
    root = write_config(tmp_path / "cfg", case.source_toml)
    rows = canonical_rows()
    case.write(root, rows)
    data = _source(root, period=Period.parse("2022-04")).load()
    assert _as_set(data.frame) == {(i, a, p, float(v)) for i, a, p, v in rows if p == "2022-04"}


@pytest.mark.parametrize("index", [0, 5])
def test_bad_record_is_rejected_naming_its_place(tmp_path: Path, case: Case, index: int) -> None:
    root = write_config(tmp_path / "cfg", case.source_toml)
    expected = case.corrupt(root, canonical_rows(), index)
    with pytest.raises(DataError) as info:
        _source(root).load()
    for text in expected:
        assert text in str(info.value)


def test_unknown_indicator_is_rejected(tmp_path: Path, case: Case) -> None:
    root = write_config(tmp_path / "cfg", case.source_toml)
    case.unknown_indicator(root, canonical_rows())
    with pytest.raises(DataError, match="'burglry' is not a known indicator"):
        _source(root).load()


def test_empty_input_is_rejected(tmp_path: Path, case: Case) -> None:
    root = write_config(tmp_path / "cfg", case.source_toml)
    case.empty(root)
    with pytest.raises(DataError, match=r"empty|no rows|no observations"):
        _source(root).load()


def test_loads_all_or_nothing_and_reloading_changes_nothing(tmp_path: Path, case: Case) -> None:
    root = write_config(tmp_path / "cfg", case.source_toml)
    rows = canonical_rows()
    case.write(root, rows)
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}", partnership="testborough-csp")
    first = store.load(_source(root).load().frame, source="police/main", partner="police")
    second = store.load(_source(root).load().frame, source="police/main", partner="police")
    assert (first.new, first.revised) == (len(rows), 0)
    assert (second.new, second.revised, second.unchanged) == (0, 0, len(rows))
    stored = store.frame()
    assert _as_set(stored) == {(i, a, p, float(v)) for i, a, p, v in rows}


def test_policeuk_reads_gzipped_files_and_ignores_other_districts(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", POLICEUK_SOURCE.format())
    paths = write_police_files(root / "policeuk", canonical_rows())
    assert paths[-1].suffix == ".gz"
    with gzip.open(paths[-1], "rt") as fh:
        assert "E01999999" in fh.read()  # the snapped row is there, and must be left out
    frame = _source(root).load().frame
    april = frame[(frame.period == "2022-04") & (frame.indicator == "burglary") & (frame.area == "borough")]
    assert april.value.tolist() == [4.0]
