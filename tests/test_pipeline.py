"""The pipeline on a small hand-built partnership: periods, missing data, atomic output, CLI."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from evalkit import load, monthly, write_config

from reportgen.cli import cli
from reportgen.errors import LookupFailure, PeriodError
from reportgen.periods import Period
from reportgen.pipeline import due_reports, generate, output_dir, read_manifest
from reportgen.store import Store


def test_due_reports_when_a_month_closes() -> None:
    assert due_reports("2005-03") == [
        ("board-pack", Period.parse("2005-03")),
        ("web", Period.parse("2005-03")),
        ("leaflet", Period.parse("2005-Q1")),
        ("annual-review", Period.parse("2004/05")),
    ]
    assert due_reports("2005-02") == [
        ("board-pack", Period.parse("2005-02")),
        ("web", Period.parse("2005-02")),
    ]
    assert due_reports("2005-Q2") == [("leaflet", Period.parse("2005-Q2"))]
    assert due_reports("2004/05") == [("annual-review", Period.parse("2004/05"))]


def test_output_folder_names_are_safe() -> None:
    assert output_dir(Path("out"), "annual-review", Period.parse("2004/05")) == Path(
        "out/annual-review/2004_05"
    )


@pytest.fixture(scope="module")
def testshire(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Another partnership, with March 2005 missing for vehicle crime."""
    root = tmp_path_factory.mktemp("testshire")
    config_dir = write_config(root / "config")
    url = f"sqlite:///{root / 'store.sqlite'}"
    store = Store(url, partnership="testshire-community-safety-partnership")
    first, last = Period.parse("2000-04"), Period.parse("2005-03")
    load(store, monthly("burglary", first, last, lambda i: 100 - (i % 24) / 4))
    load(store, monthly("vehicle", first, Period.parse("2005-02"), lambda i: 80 + (i % 7)))
    load(store, monthly("dv", first, last, lambda i: 30 + (i % 5)))
    store.dispose()
    return config_dir, url


def test_board_pack_for_another_partnership_reports_missing_data(
    testshire: tuple[Path, str], tmp_path: Path
) -> None:
    config_dir, url = testshire
    run = generate(
        "board-pack", "2005-03", config_dir=config_dir, store_url=url, out_dir=tmp_path, formats=("docx",)
    )
    assert [p.name for p in run.files] == ["board-pack-2005-03.docx"]
    assert any("Vehicle crime: no data for March 2005" in line for line in run.exceptions)
    # The returns workflow's view: burglary and dv arrived (loaded in 2006) after the deadline;
    # vehicle crime (no March) and the indicators never loaded are missing.
    (returns,) = [line for line in run.exceptions if line.startswith("Testshire Police: of ")]
    assert "7 missing, 2 late" in returns
    word = docx.Document(str(run.files[0]))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Data returns missing or late" in text
    assert "Of 9 data returns owed for March 2005, 7 missing, 2 late." in text  # 9 police indicators
    assert "Figures are incomplete from: Testshire Police." in text
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    assert any("No data" in c for c in cells)
    manifest = read_manifest(run.manifest)
    assert manifest["data_as_at"].startswith("2006-01-01")  # the load time, not the clock
    assert manifest["document_date"] == "2006-01-01"


def test_a_failed_run_leaves_the_previous_files_alone(testshire: tuple[Path, str], tmp_path: Path) -> None:
    config_dir, url = testshire
    good = generate(
        "board-pack", "2005-03", config_dir=config_dir, store_url=url, out_dir=tmp_path, formats=("docx",)
    )
    before = {p: p.read_bytes() for p in good.files + [good.manifest]}
    with pytest.raises(LookupFailure, match="Unknown renderer 'bogus'"):
        generate(
            "board-pack",
            "2005-03",
            config_dir=config_dir,
            store_url=url,
            out_dir=tmp_path,
            formats=("docx", "bogus"),
        )
    assert {p: p.read_bytes() for p in before} == before
    leftovers = [p.name for p in (tmp_path / "board-pack").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_wrong_period_kind_is_refused(testshire: tuple[Path, str], tmp_path: Path) -> None:
    config_dir, url = testshire
    with pytest.raises(PeriodError, match="written for a month"):
        generate("board-pack", "2004/05", config_dir=config_dir, store_url=url, out_dir=tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "annual-review",
            "--period",
            "2005-03",
            "--config",
            str(config_dir),
            "--store",
            url,
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    assert "financial year" in result.output and "--period 2004/05" in result.output


def test_cli_run_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert result.exit_code == 0, result.output
    assert "reportgen run board-pack --period 2005-03" in result.output
    assert "reportgen run all --period 2005-03" in result.output


def test_cli_run_writes_files_and_prints_their_paths(testshire: tuple[Path, str], tmp_path: Path) -> None:
    config_dir, url = testshire
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "annual-review",
            "--period",
            "2004/05",
            "--config",
            str(config_dir),
            "--store",
            url,
            "--out",
            str(tmp_path),
            "--format",
            "docx",
        ],
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / "annual-review" / "2004_05" / "annual-review-2004-05.docx"
    assert str(written) in result.stdout and written.exists()
    word = docx.Document(str(written))
    (table,) = [t for t in word.tables if t.rows[0].cells[0].text == "Priority"]
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in list(table.rows)[1:]}
    assert list(rows)[0] == "Reduce burglary by 20%"
    # A target of several measures has no single then and now: it says how many improved.
    composite = rows["All crime types improve"]
    assert composite[1] == "2 measures" and composite[2].endswith("improved") and composite[3] == "\u2013"


def test_an_empty_store_is_a_clear_error_not_a_pack_of_blanks(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reportgen.cli import cli

    demo = Path(__file__).resolve().parents[1] / "data_sources"
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    Store(url, partnership="wigan-leigh").dispose()  # a store that exists but holds nothing (a missing one is refused)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", "board-pack", "--period", "2005-03", "--config", str(demo),
                                      "--store", url, "--out", str(out)])
    assert result.exit_code != 0
    assert "no observations" in result.output and "reportgen pull" in result.output
    assert not out.exists() or not any(out.rglob("*.pdf"))
