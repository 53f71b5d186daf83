"""The data returns cycle: template -> partner fills it in -> ingest -> status."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from returns_fixtures import file_digest, fill_template, template_rows, value_for, write_config

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.periods import Period
from reportgen.returns.ingest import ingest_file
from reportgen.returns.owed import owed
from reportgen.returns.safety import escape_formula, safe_filename
from reportgen.returns.status import return_status
from reportgen.returns.template import write_template
from reportgen.store import Store


@pytest.fixture
def setup(tmp_path: Path) -> dict:
    root = write_config(tmp_path / "cfg")
    return {
        "root": root,
        "url": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "db": tmp_path / "store.sqlite",
        "data": tmp_path / "returns",
        "tmp": tmp_path,
    }


def _template(setup: dict, period: str = "2022-03", name: str = "council.xlsx") -> Path:
    out = setup["tmp"] / name
    result = CliRunner().invoke(
        cli,
        ["returns", "template", "--config", str(setup["root"]), "--partner", "council",
         "--period", period, "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def _ingest(setup: dict, *files: Path, extra: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    args = ["returns", "ingest", "--config", str(setup["root"]), "--store", setup["url"]]
    args += ["--data-dir", str(setup["data"]), *extra, *map(str, files)]
    return CliRunner().invoke(cli, args)


def test_template_has_one_row_per_indicator_area_and_period_owed(setup: dict) -> None:
    path = _template(setup)
    config = load_config(setup["root"])
    expected = {
        (o.indicator, o.area, o.period)
        for o in owed(config, config.partner("council"), [Period.parse("2022-03")])
    }
    # monthly graffiti for March, quarterly indicators for the quarter March closes
    assert expected == {
        (i, a, p) for i in ("graffiti",) for a in ("borough", "north", "south") for p in ("2022-03",)
    } | {(i, a, "2022-Q1") for i in ("cleanliness", "wellbeing") for a in ("borough", "north", "south")}
    assert set(template_rows(path)) == expected
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Return", "About"]
    assert wb["About"].sheet_state == "hidden"
    ws = wb["Return"]
    assert [c.value for c in ws[1]][:4] == ["Indicator", "Area", "Period", "Value"]
    assert ws.protection.sheet is True
    assert ws["A2"].protection.locked and ws["C2"].protection.locked
    assert not ws["D2"].protection.locked
    rules = {
        str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2)
        for dv in ws.data_validations.dataValidation
    }
    by_cell = {cell: rule for ref, rule in rules.items() for cell in ref.split()}
    for r in range(2, ws.max_row + 1):
        unit = ws.cell(r, 7).value
        rule = by_cell[f"D{r}"]
        if unit == "count":
            assert rule == ("whole", "greaterThanOrEqual", "0", None)
        elif unit == "percentage":
            assert rule == ("decimal", "between", "0", "100")
    guide = " ".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    deadline = Period.parse("2022-03").last_day + dt.timedelta(days=15)  # council.toml: 15 days
    assert f"Please return by: {deadline:%A %d %B %Y}" in guide
    assert "Testborough Council" in guide


def test_ingest_loads_a_filled_template_and_archives_it_with_a_checksum(setup: dict) -> None:
    path = fill_template(_template(setup))
    result = _ingest(setup, path)
    assert result.exit_code == 0, result.output
    assert "1 loaded, 0 unchanged, 0 rejected" in result.output
    frame = Store(setup["url"], partnership="testborough-csp").frame()
    assert len(frame) == 9
    for row in frame.itertuples():
        assert row.value == value_for(row.indicator, row.area, row.period)
    archived = [
        p for p in (setup["data"] / "archive" / "council").iterdir() if not p.name.endswith(".sha256")
    ]
    assert len(archived) == 1 and archived[0].read_bytes() == path.read_bytes()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (archived[0].parent / (archived[0].name + ".sha256")).read_text().split()[0] == digest
    loads = Store(setup["url"], partnership="testborough-csp").loads()
    assert loads["checksum"].tolist() == [digest]


def test_resending_the_same_file_changes_nothing(setup: dict) -> None:
    path = fill_template(_template(setup))
    assert _ingest(setup, path).exit_code == 0
    Store(setup["url"], partnership="testborough-csp").dispose()
    before = file_digest(setup["db"])
    again = _ingest(setup, path)
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert file_digest(setup["db"]) == before
    assert len(list((setup["data"] / "archive" / "council").glob("*.xlsx"))) == 1


def test_a_corrected_file_revises_only_what_changed(setup: dict) -> None:
    blank = _template(setup)
    first = fill_template(blank, setup["tmp"] / "first.xlsx")
    corrected = fill_template(blank, setup["tmp"] / "corrected.xlsx", values={"D2": 77})
    assert _ingest(setup, first).exit_code == 0
    result = _ingest(setup, corrected)
    assert result.exit_code == 0, result.output
    store = Store(setup["url"], partnership="testborough-csp")
    loads = store.loads()
    assert loads[["n_new", "n_revised", "n_unchanged"]].values.tolist()[-1] == [0, 1, 8]
    ind, area, period = template_rows(blank)[0]
    assert store.history(ind, area, period)["value"].tolist() == [value_for(ind, area, period), 77.0]


def test_status_reports_received_late_missing_and_revised(setup: dict) -> None:
    config = load_config(setup["root"])
    store = Store(setup["url"], partnership="testborough-csp")
    march = Period.parse("2022-03")
    status = return_status(config, store, march, today=dt.date(2022, 6, 1))
    council = status[status.partner == "council"].set_index("indicator")
    assert set(council["status"]) == {"missing"} and council["overdue"].all()
    police = status[status.partner == "police"]
    assert set(police.indicator) == {"burglary", "asb"}  # feeds are listed too

    # graffiti on time; the quarterly ones after their deadline (15 April for Q1 + 15 days)
    blank = _template(setup)
    path = fill_template(blank)
    on_time = dt.datetime(2022, 4, 10, 9, tzinfo=dt.UTC)
    late = dt.datetime(2022, 4, 20, 9, tzinfo=dt.UTC)
    graffiti_only = fill_template(blank, setup["tmp"] / "graffiti.xlsx")
    wb = openpyxl.load_workbook(graffiti_only)
    ws = wb["Return"]
    for r in range(ws.max_row, 1, -1):
        if ws.cell(r, 1).value != "graffiti":
            ws.delete_rows(r)
    wb.save(graffiti_only)
    assert ingest_file(config, store, graffiti_only, data_dir=setup["data"], now=on_time).status == "loaded"
    assert ingest_file(config, store, path, data_dir=setup["data"], now=late).status == "loaded"
    status = return_status(config, store, march, today=dt.date(2022, 6, 1)).set_index("indicator")
    assert status.loc["graffiti", "status"] == "received"
    assert status.loc["cleanliness", "status"] == "late"
    assert status.loc["burglary", "status"] == "missing"
    assert not status["revised"].any()

    corrected = fill_template(blank, setup["tmp"] / "fix.xlsx", bump=1)
    later = dt.datetime(2022, 5, 2, 9, tzinfo=dt.UTC)
    assert ingest_file(config, store, corrected, data_dir=setup["data"], now=later).status == "loaded"
    status = return_status(config, store, march, since=dt.datetime(2022, 5, 1, tzinfo=dt.UTC))
    assert status.set_index("indicator").loc[["graffiti", "cleanliness", "wellbeing"], "revised"].all()
    since_later = return_status(config, store, march, since=dt.datetime(2022, 5, 3, tzinfo=dt.UTC))
    assert not since_later["revised"].any()


def test_status_command_prints_a_table_and_json(setup: dict) -> None:
    # loaded today, long after the 2022 deadlines: late; the police feed was never pulled
    assert _ingest(setup, fill_template(_template(setup))).exit_code == 0
    runner = CliRunner()
    base = [
        "returns",
        "status",
        "--config",
        str(setup["root"]),
        "--store",
        setup["url"],
        "--period",
        "2022-03",
    ]
    table = runner.invoke(cli, base)
    assert table.exit_code == 0, table.output
    assert "graffiti" in table.output and "5 owed: 0 received, 3 late" in table.output
    as_json = runner.invoke(cli, [*base, "--format", "json", "--returns-only"])
    assert as_json.exit_code == 0, as_json.output
    records = json.loads(as_json.output)
    # the test police partner has no source at all, so it owes a (missing) return too
    assert {r["indicator"]: r["status"] for r in records if r["partner"] == "council"} == {
        "graffiti": "late", "cleanliness": "late", "wellbeing": "late"
    }  # fmt: skip


def test_formula_text_is_escaped_when_written_to_a_spreadsheet(setup: dict) -> None:
    assert escape_formula('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for lead in "=+-@":
        assert escape_formula(f"{lead}1").startswith("'")
    assert escape_formula("Graffiti") == "Graffiti"
    toml = setup["root"] / "partners" / "council.toml"
    toml.write_text(toml.read_text().replace('title = "Graffiti reports"', 'title = "=1+2 graffiti"'))
    path = write_template(
        load_config(setup["root"]), "council", [Period.parse("2022-03")], setup["tmp"] / "t.xlsx"
    )
    ws = openpyxl.load_workbook(path.path)["Return"]
    cell = next(ws.cell(r, 5) for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "graffiti")
    assert cell.value == "'=1+2 graffiti" and cell.data_type == "s"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..", "return"),
        ("council return (March).xlsx", "council_return_March.xlsx"),
        ("r\u00e9sum\u00e9\n\u202e.xlsx", "resume.xlsx"),
        (".hidden.xlsx", "hidden.xlsx"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected
