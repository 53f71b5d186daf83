"""When partners submitted their figures (``received``), as opposed to when we loaded them:
read by every tabular connector, validated, stored per version, and used to judge returns."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from returns_fixtures import POLICEUK_SOURCE, canonical_rows, write_config, write_police_files

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.errors import DataError
from reportgen.periods import Period
from reportgen.returns.status import return_status
from reportgen.sources import get_source_class
from reportgen.store import Store

UTC = dt.UTC
LOADED = dt.datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # years after the data: a bulk load of history
CSV_SOURCE = """
[[sources]]
id = "main"
type = "csv"
path = "data/police.csv"
columns = { received = "Date sent" }
"""


def _sent(period: str) -> str:
    """March figures sent on 5 April (on time); April's asb on 20 May (late); the rest blank."""
    return {"2022-03": "2022-04-05", "2022-04": "2022-05-20T14:30"}[period]


def _write_csv(
    root: Path, rows: list[tuple], header: tuple = ("indicator", "area", "period", "value", "Date sent")
) -> None:
    path = root / "data" / "police.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _source(root: Path):  # type: ignore[no-untyped-def]
    config = load_config(root)
    partner = config.partner("police")
    return get_source_class(partner.sources[0].type)(partner.sources[0], partner, config)


PID = "testborough-csp"  # returns_fixtures' partnership: its short name as an id


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The canonical rows pulled from a CSV whose mapped 'Date sent' column is filled in,
    except for the borough rows (blank: received when loaded)."""
    root = write_config(tmp_path_factory.mktemp("received") / "cfg", CSV_SOURCE, council=False)
    rows = [(i, a, p, v, "" if a == "borough" else _sent(p)) for i, a, p, v in canonical_rows()]
    _write_csv(root, rows)
    url = f"sqlite:///{root.parent / 'store.sqlite'}"
    store = Store(url, partnership=PID)
    config = load_config(root)
    # loaded "at" LOADED (as pull would, with the clock) so the expected times are exact
    data = _source(root).load()
    store.load(data.frame, source="police/main", partner="police", now=LOADED)
    return {"root": root, "url": url, "config": config, "rows": rows}


def test_received_column_is_read_mapped_and_stored(loaded: dict) -> None:
    store = Store(loaded["url"], partnership=PID)
    frame = store.frame().set_index(["indicator", "area", "period"])
    for indicator, area, period, _value, sent in loaded["rows"]:
        got = dt.datetime.fromisoformat(frame.loc[(indicator, area, period), "received_at"])
        expected = dt.datetime.fromisoformat(sent).replace(tzinfo=UTC) if sent else LOADED
        assert got == expected, (indicator, area, period)
    history = store.history("asb", "north", "2022-04")
    assert list(history["received_at"]) == ["2022-05-20T14:30:00.000000+00:00"]
    assert history["loaded_at"].iloc[0].startswith("2026-11-24")


def test_a_changed_received_date_alone_is_not_a_revision(loaded: dict) -> None:
    store = Store(loaded["url"], partnership=PID)
    frame = store.frame(indicators=["burglary"])
    frame = frame[frame["period"] == "2022-03"].copy()
    frame["received_at"] = dt.datetime(2022, 4, 6, tzinfo=UTC)
    summary = store.load(frame, source="police/main", partner="police", now=LOADED + dt.timedelta(hours=1))
    assert (summary.new, summary.revised, summary.unchanged) == (0, 0, len(frame))
    history = store.history("burglary", "north", "2022-03")
    assert len(history) == 1 and history["received_at"].iloc[0].startswith("2022-04-05")


def test_received_by_replays_what_partners_had_sent(loaded: dict) -> None:
    store = Store(loaded["url"], partnership=PID)
    by_may = store.frame(received_by=dt.datetime(2022, 5, 1, tzinfo=UTC))
    # the neighbourhoods' March figures only: April's came later, the borough's when loaded
    assert set(by_may["period"]) == {"2022-03"} and "borough" not in set(by_may["area"])
    assert len(by_may) == sum(1 for r in loaded["rows"] if r[2] == "2022-03" and r[1] != "borough")
    # as known by us at a time is unchanged: by load time, everything or nothing
    assert store.frame(as_at=LOADED - dt.timedelta(seconds=1)).empty
    assert len(store.frame(as_at=LOADED)) == len(loaded["rows"])

    # a revision sent in June replaces May's figure only from June on
    row = store.frame(indicators=["asb"])
    row = row[(row["area"] == "north") & (row["period"] == "2022-04")].copy()
    row["value"] = row["value"] + 1
    row["received_at"] = dt.datetime(2022, 6, 3, tzinfo=UTC)
    later = Path(loaded["url"].removeprefix("sqlite:///")).with_name("revised.sqlite")
    copy = Store(f"sqlite:///{later}", partnership=PID)
    copy.load(store.frame(), source="police/main", partner="police", now=LOADED)
    assert copy.load(row, source="police/main", partner="police", now=LOADED + dt.timedelta(days=1)).revised == 1

    def asb_north(frame):  # type: ignore[no-untyped-def]
        sel = frame[(frame["indicator"] == "asb") & (frame["area"] == "north") & (frame["period"] == "2022-04")]
        return float(sel["value"].iloc[0])

    first = float(row["value"].iloc[0]) - 1
    assert asb_north(copy.frame(received_by=dt.datetime(2022, 5, 31, tzinfo=UTC))) == first
    assert asb_north(copy.frame(received_by=dt.datetime(2022, 6, 30, tzinfo=UTC))) == first + 1
    assert asb_north(copy.frame()) == first + 1


def test_a_store_made_before_received_dates_reads_them_as_load_times(tmp_path: Path) -> None:
    from legacy_store import make_legacy_store

    from reportgen.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    make_legacy_store(url, received_column=False)
    upgrade(url, partnership=PID)
    frame = Store(url, partnership=PID).frame()
    assert len(frame) == 2
    assert (frame["received_at"] == frame["loaded_at"]).all()


def test_bad_received_date_is_rejected_naming_line_and_value(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", CSV_SOURCE, council=False)
    _write_csv(
        root, [("burglary", "north", "2022-03", 3, "2022-04-05"), ("burglary", "south", "2022-03", 2, "31/04/2022")]
    )
    with pytest.raises(DataError, match=r"line 3, column 'received': '31/04/2022' is not a date"):
        _source(root).load()


def test_received_date_in_the_future_is_rejected(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", CSV_SOURCE, council=False)
    tomorrow = (dt.datetime.now(UTC) + dt.timedelta(days=2)).date().isoformat()
    _write_csv(root, [("burglary", "north", "2022-03", 3, tomorrow)])
    with pytest.raises(DataError, match=rf"line 2, column 'received': '{tomorrow}' is in the future"):
        _source(root).load()


def test_a_mapped_received_column_that_is_absent_is_named(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", CSV_SOURCE, council=False)
    _write_csv(root, [("burglary", "north", "2022-03", 3)], header=("indicator", "area", "period", "value"))
    with pytest.raises(DataError, match=r"no column 'Date sent' \(for the received date\)"):
        _source(root).load()


EXCEL = '[[sources]]\nid = "main"\ntype = "excel"\npath = "data/r.xlsx"\n'


def test_excel_date_cells_are_received_dates_and_bad_ones_name_their_cell(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg", EXCEL, council=False)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Indicator", "Area", "Period", "Value", "Received"])
    ws.append(["burglary", "north", "2022-03", 3, dt.datetime(2022, 4, 4, 16, 5)])
    ws.append(["burglary", "south", "2022-03", 2, dt.date(2022, 4, 6)])
    (root / "data").mkdir()
    wb.save(root / "data" / "r.xlsx")
    frame = _source(root).load().frame.set_index("area")
    assert frame.loc["north", "received_at"] == dt.datetime(2022, 4, 4, 16, 5, tzinfo=UTC)
    assert frame.loc["south", "received_at"] == dt.datetime(2022, 4, 6, tzinfo=UTC)
    ws.append(["asb", "north", "2022-03", 1, "last Tuesday"])
    wb.save(root / "data" / "r.xlsx")
    with pytest.raises(DataError, match=r"E4: 'last Tuesday' is not a date"):
        _source(root).load()


def test_sql_received_column_is_read(tmp_path: Path) -> None:
    source = (
        '[[sources]]\nid = "main"\ntype = "sql"\nurl = "sqlite:///db/p.sqlite"\n'
        'query = "SELECT * FROM kpi"\ncolumns = { received = "submitted" }\n'
    )
    root = write_config(tmp_path / "cfg", source, council=False)
    (root / "db").mkdir()
    con = sqlite3.connect(root / "db" / "p.sqlite")
    con.execute("CREATE TABLE kpi (indicator TEXT, area TEXT, period TEXT, value, submitted TEXT)")
    con.execute("INSERT INTO kpi VALUES ('asb', 'north', '2022-03', 4, '2022-04-07 10:00:00')")
    con.commit()
    con.close()
    frame = _source(root).load().frame
    assert frame["received_at"].iloc[0] == dt.datetime(2022, 4, 7, 10, tzinfo=UTC)


# --- returns status ---------------------------------------------------------------------------
def test_status_judges_on_time_late_and_missing_by_received_dates(loaded: dict) -> None:
    config, store = loaded["config"], Store(loaded["url"], partnership=PID)
    # borough rows were loaded (received) in 2026: late; the neighbourhoods' are not owed
    march = return_status(config, store, Period.parse("2022-03"), today=dt.date(2022, 6, 1))
    assert set(march["status"]) == {"late"}
    assert set(march["first_received"].str[:10]) == {LOADED.date().isoformat()}

    # Stamp the borough figures with their own dates: March on time, April's asb late.
    borough = store.frame()
    borough = borough[borough["area"] == "borough"].copy()
    borough["received_at"] = [dt.datetime.fromisoformat(_sent(p)).replace(tzinfo=UTC) for p in borough["period"]]
    dated = Store(
        f"sqlite:///{Path(loaded['url'].removeprefix('sqlite:///')).with_name('dated.sqlite')}", partnership=PID
    )
    dated.load(borough, source="police/main", partner="police", now=LOADED)
    march = return_status(config, dated, Period.parse("2022-03")).set_index("indicator")
    assert set(march["status"]) == {"received"}  # 5 April, deadline 10 April
    assert march.loc["burglary", "first_received"].startswith("2022-04-05")
    april = return_status(config, dated, Period.parse("2022-04")).set_index("indicator")
    assert set(april["status"]) == {"late"}  # 20 May, deadline 10 May
    # replaying 15 May: April's return had not arrived, and was overdue
    replay = return_status(
        config,
        dated,
        Period.parse("2022-04"),
        today=dt.date(2022, 5, 15),
        received_by=dt.datetime(2022, 5, 15, tzinfo=UTC),
    )
    assert set(replay["status"]) == {"missing"} and replay["overdue"].all()


def test_status_command_replays_a_day_with_received_by(loaded: dict) -> None:
    args = ["returns", "status", "--config", str(loaded["root"]), "--store", loaded["url"], "--period", "2022-03"]
    args += ["--format", "json"]
    now = CliRunner().invoke(cli, args)
    assert now.exit_code == 0, now.output
    assert {r["status"] for r in json.loads(now.output)} == {"late"}  # borough rows: received when loaded
    before = CliRunner().invoke(cli, [*args, "--received-by", "2022-04-30"])
    assert before.exit_code == 0, before.output
    rows = json.loads(before.output)
    assert {r["status"] for r in rows} == {"missing"} and all(r["overdue"] for r in rows)
    bad = CliRunner().invoke(cli, [*args, "--received-by", "soon"])
    assert bad.exit_code != 0 and "--received-by" in bad.output and "'soon'" in bad.output


def test_policeuk_months_are_received_when_loaded_unless_configured(tmp_path: Path) -> None:
    root = write_config(tmp_path / "plain", POLICEUK_SOURCE.format(), council=False)
    write_police_files(root / "policeuk", canonical_rows())
    assert "received_at" not in _source(root).load().frame.columns  # the load time, as before

    dated = write_config(tmp_path / "dated", POLICEUK_SOURCE.format() + "received_days_after = 30\n", council=False)
    write_police_files(dated / "policeuk", canonical_rows())
    frame = _source(dated).load().frame
    got = dict(zip(frame["period"], frame["received_at"], strict=True))
    assert got["2022-03"] == dt.datetime(2022, 4, 30, tzinfo=UTC)
    assert got["2022-04"] == dt.datetime(2022, 5, 30, tzinfo=UTC)  # 30 April + 30 days
