"""Property: however a valid return is corrupted, ingesting it ends in either a clean
load (every row in the store, as in the file) or a clean rejection (a message, the file
in quarantine, the store's bytes unchanged). Never a crash, never half a load."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from returns_fixtures import file_digest, fill_template, write_config

from reportgen.config import load_config
from reportgen.periods import Period
from reportgen.returns.ingest import ingest_file
from reportgen.returns.template import write_template
from reportgen.store import Store


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("property")
    root = write_config(tmp / "cfg")
    config = load_config(root)
    db = tmp / "pristine.sqlite"
    store = Store(f"sqlite:///{db}", partnership="testborough-csp")
    feb = write_template(config, "council", [Period.parse("2022-02")], tmp / "feb.xlsx").path
    assert ingest_file(config, store, fill_template(feb), data_dir=tmp / "setup").status == "loaded"
    store.dispose()
    march = write_template(config, "council", [Period.parse("2022-03")], tmp / "march.xlsx").path
    return {"config": config, "db": db, "good": fill_template(march, tmp / "good.xlsx")}


cell_values = st.one_of(
    st.integers(min_value=0, max_value=1000),  # a plausible figure: most such edits still load
    st.none(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12),  # what a cell can hold
    st.sampled_from(["=1+1", "+1", "-1", "@x", "1,234", " 12 ", "twelve", "2022-03", "2021-01", "graffiti",
                     "borough", "westside", "2022-Q1", "cleanliness", "wellbeing", "burglary", "1e3", "NaN"]),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
)  # fmt: skip
cell_edit = st.tuples(
    st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=5), cell_values
)
structural = st.sampled_from(
    ["none", "delete_row", "duplicate_row", "rename_sheet", "drop_about", "blank_rows"]
)
byte_damage = st.one_of(
    st.none(),
    st.tuples(st.just("truncate"), st.floats(min_value=0.0, max_value=0.99)),
    st.tuples(st.just("flip"), st.lists(st.floats(min_value=0.0, max_value=0.999), min_size=1, max_size=5)),
)


def corrupt(good: Path, target: Path, edits: list, change: str, damage: tuple | None) -> None:
    wb = openpyxl.load_workbook(good)
    ws = wb["Return"]
    for row, col, value in edits:
        ws.cell(row, col).value = value
    if change == "delete_row":
        ws.delete_rows(3)
    elif change == "duplicate_row":
        last = ws.max_row
        for col in range(1, 5):
            ws.cell(last + 1, col, ws.cell(2, col).value)
    elif change == "rename_sheet":
        ws.title = "Data"
    elif change == "drop_about":
        del wb["About"]
    elif change == "blank_rows":
        ws.insert_rows(4, 2)
    wb.save(target)
    if damage is not None:
        data = bytearray(target.read_bytes())
        if damage[0] == "truncate":
            data = data[: int(len(data) * damage[1])]
        else:
            for where in damage[1]:
                data[int(len(data) * where)] ^= 0xFF
        target.write_bytes(bytes(data))


def file_values(path: Path) -> dict[tuple[str, str, str], float]:
    """What the file says, read independently of the code under test."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = {}
    for row in wb["Return"].iter_rows(min_row=2, values_only=True):
        if row and row[0] is not None:
            period = row[2]
            if isinstance(period, dt.datetime | dt.date):
                period = f"{period.year:04d}-{period.month:02d}"
            out[(str(row[0]).strip(), str(row[1]).strip(), Period.parse(str(period)).key)] = float(
                str(row[3]).replace(",", "")
            )
    wb.close()
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(cell_edit, max_size=3), change=structural, damage=byte_damage)
def test_a_corrupted_return_is_loaded_cleanly_or_rejected_cleanly(base: dict, edits, change, damage) -> None:  # type: ignore[no-untyped-def]
    work = Path(tempfile.mkdtemp(prefix="prop-"))
    try:
        db = work / "store.sqlite"
        shutil.copy(base["db"], db)
        path = work / "council.xlsx"
        corrupt(base["good"], path, edits, change, damage)
        before = file_digest(db)
        store = Store(f"sqlite:///{db}", partnership="testborough-csp")
        loads_before = len(store.loads())
        result = ingest_file(base["config"], store, path, data_dir=work / "returns")
        event(result.status)  # --hypothesis-show-statistics shows the mix of outcomes
        if result.status == "rejected":
            assert result.problems and all(p.strip() for p in result.problems)
            assert result.error is not None and str(result.error)
            assert result.kept_at is not None and result.kept_at.exists()
            assert Path(str(result.kept_at) + ".errors.txt").exists()
            assert len(store.loads()) == loads_before
            store.dispose()
            assert file_digest(db) == before
        else:
            assert result.status == "loaded", result.status
            expected = file_values(path)
            current = store.frame()
            got = {(r.indicator, r.area, r.period): r.value for r in current.itertuples()}
            assert {k: got.get(k) for k in expected} == expected
            assert len(store.loads()) == loads_before + 1
            store.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
