"""A partner marks a figure "not available" with a reason, and notes are kept with figures:
through `returns ingest` into a real SQLite and PostgreSQL store, and on to the evaluation
and the statements documents print."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner
from returns_fixtures import fill_template, value_for, write_config

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.evaluate.engine import evaluate_store
from reportgen.periods import Period
from reportgen.reports.statements import Missing, StatementBook
from reportgen.store import Store

PARTNERSHIP = "testborough-csp"


def _template(root: Path, tmp: Path, name: str = "council.xlsx") -> Path:
    out = tmp / name
    made = CliRunner().invoke(cli, ["returns", "template", "--config", str(root), "--partner", "council",
                                    "--period", "2022-03", "--out", str(out)])  # fmt: skip
    assert made.exit_code == 0, made.output
    return out


def _ingest(root: Path, url: str, data: Path, path: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["returns", "ingest", "--config", str(root), "--store", url,
                                    "--data-dir", str(data), str(path)])  # fmt: skip


def _row_of(path: Path, indicator: str, area: str) -> int:
    ws = openpyxl.load_workbook(path)["Return"]
    return next(r for r in range(2, ws.max_row + 1) if (ws.cell(r, 1).value, ws.cell(r, 2).value) == (indicator, area))


def test_not_available_with_a_reason_is_kept_and_reported_as_missing(tmp_path: Path, db_url: str) -> None:
    root = write_config(tmp_path / "cfg")
    template = _template(root, tmp_path)
    blank = _row_of(template, "graffiti", "borough")
    marker = _row_of(template, "graffiti", "south")
    noted = _row_of(template, "graffiti", "north")
    filled = fill_template(template, values={
        f"D{blank}": None, f"I{blank}": "Street cleansing system down in March",
        f"D{marker}": "n/a", f"I{marker}": "Contractor changed; no count",
        f"I{noted}": "Includes one-off <b>estate</b> sweep",
    })  # fmt: skip
    done = _ingest(root, db_url, tmp_path / "data", filled)
    assert done.exit_code == 0, done.output
    assert "2 figure(s) marked not available" in done.output

    store = Store(db_url, partnership=PARTNERSHIP)
    figures = store.frame()
    graffiti = figures[figures["indicator"] == "graffiti"]
    assert sorted(graffiti["area"]) == ["north"]  # the two not-available figures are not loaded
    notes = store.notes().set_index("area")
    assert notes.loc["borough", "note"] == "Street cleansing system down in March"
    assert notes.loc["south", "note"] == "Contractor changed; no count"
    assert bool(notes.loc["borough", "not_available"]) and bool(notes.loc["south", "not_available"])
    assert notes.loc["north", "note"] == "Includes one-off <b>estate</b> sweep"
    assert not bool(notes.loc["north", "not_available"])

    # the evaluation says why the figure is missing, in the partner's words, and so do statements
    config = load_config(root)
    evaluation = evaluate_store(config, store, Period.parse("2022-03"))
    rows = evaluation.indicators
    borough = rows[(rows["id"] == "graffiti") & (rows["area"] == "borough") & (rows["period"] == "2022-03")].iloc[0]
    assert borough["missing_reason"] == "not available: Street cleansing system down in March"
    said = StatementBook(evaluation).about(borough)
    assert said.missing is Missing.NOT_AVAILABLE
    assert said.words.endswith("not available: Street cleansing system down in March")

    # the partner sends the figure after all: the mark goes, the figure is current
    again = fill_template(template, tmp_path / "council-2.xlsx",
                          values={f"I{blank}": None, f"I{marker}": None})  # fmt: skip
    assert _ingest(root, db_url, tmp_path / "data", again).exit_code == 0
    notes = store.notes()
    assert notes["area"].tolist() == ["north"]
    figures = store.frame()
    borough_now = figures[(figures["indicator"] == "graffiti") & (figures["area"] == "borough")]
    assert borough_now["value"].tolist() == [value_for("graffiti", "borough", "2022-03")]
    store.dispose()


def test_a_marker_without_a_reason_is_refused_naming_the_cell(tmp_path: Path, db_url: str) -> None:
    root = write_config(tmp_path / "cfg")
    template = _template(root, tmp_path)
    row = _row_of(template, "graffiti", "north")
    filled = fill_template(template, values={f"D{row}": "n/a"})
    done = _ingest(root, db_url, tmp_path / "data", filled)
    assert done.exit_code == 3  # rejected input
    assert f"D{row}: 'n/a' marks the figure not available: say why in the Notes column" in done.output
    store = Store(db_url, partnership=PARTNERSHIP)
    assert store.frame().empty and store.notes().empty
    store.dispose()


def test_a_blank_value_without_a_note_is_still_blank(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg")
    template = _template(root, tmp_path)
    row = _row_of(template, "graffiti", "north")
    done = _ingest(root, f"sqlite:///{tmp_path / 's.sqlite'}", tmp_path / "data",
                   fill_template(template, values={f"D{row}": None}))  # fmt: skip
    assert done.exit_code == 3  # rejected input
    assert f"D{row}" in done.output and "is blank" in done.output


def test_notes_are_read_as_known_at_a_time(tmp_path: Path) -> None:
    import datetime as dt

    import pandas as pd

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    store = Store(url, partnership=PARTNERSHIP)
    key = {"indicator": ["graffiti"], "area": ["north"], "period": ["2022-03"]}
    t1 = dt.datetime(2022, 4, 5, tzinfo=dt.UTC)
    t2 = dt.datetime(2022, 4, 9, tzinfo=dt.UTC)
    store.load(pd.DataFrame({**key, "value": [4.0]}), source="s", partner="council", now=t1,
               notes=pd.DataFrame({**key, "note": ["first count"], "not_available": [False]}))  # fmt: skip
    summary = store.load(pd.DataFrame({**key, "value": [4.0]}).iloc[:0], source="s", partner="council", now=t2,
                         notes=pd.DataFrame({**key, "note": ["withdrawn: double counted"],
                                             "not_available": [True]}))  # fmt: skip
    assert summary.not_available == 1
    assert store.frame().empty  # the withdrawn figure is no longer current...
    assert store.frame(as_at=t1)["value"].tolist() == [4.0]  # ...but history keeps it
    assert store.notes(as_at=t1)["note"].tolist() == ["first count"]
    assert store.notes()["note"].tolist() == ["withdrawn: double counted"]
    store.dispose()
