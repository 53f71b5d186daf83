"""Read-only commands never create a store: a mistyped --store (a SQLite file in a folder that
does not exist, or a PostgreSQL database that does not exist) is one clear error line naming
the URL, with any password hidden, a non-zero exit, and nothing created. Only pull, returns
ingest, db upgrade and serve create a store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sched_helpers import write_schedules

from reportgen.cli import cli

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data_sources"


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error:")]


def _commands(url: str, schedules: Path) -> dict[str, list[str]]:
    return {
        "evaluate": ["evaluate", "--period", "2005-03", "--config", str(DEMO), "--store", url],
        "run": [
            "run",
            "board-pack",
            "--period",
            "2005-03",
            "--config",
            str(DEMO),
            "--store",
            url,
            "--out",
            str(schedules.parent / "out"),
        ],
        "returns status": ["returns", "status", "--period", "2005-03", "--config", str(DEMO), "--store", url],
        "history": ["history", "--schedules", str(schedules), "--store", url],
        "rerun": ["rerun", "board-pack", "--period", "2025-10", "--schedules", str(schedules), "--store", url],
        "db current": ["db", "current", "--store", url],
    }


@pytest.mark.parametrize("command", ["evaluate", "run", "returns status", "history", "rerun", "db current"])
def test_a_mistyped_sqlite_store_is_an_error_and_creates_nothing(tmp_path: Path, command: str) -> None:
    schedules = write_schedules(
        tmp_path / "service",
        '[[jobs]]\nid = "board-pack"\nreport = "board-pack"\n'
        'period = "month"\nwhen = { working_day = 5, at = "07:00" }\n',
    )
    missing = tmp_path / "no-such-folder" / "reportgen.sqlite"
    url = f"sqlite:///{missing}"
    result = CliRunner().invoke(cli, _commands(url, schedules)[command])
    assert result.exit_code == 1, result.output
    [line] = _error_lines(result.output)
    assert f"there is no store at {url}" in line
    assert not missing.parent.exists()


@pytest.mark.parametrize("command", ["evaluate", "returns status", "history", "db current"])
def test_a_missing_postgresql_database_is_named_with_its_password_hidden(
    pg_cluster,
    tmp_path: Path,
    command: str,  # type: ignore[no-untyped-def]
) -> None:
    schedules = write_schedules(tmp_path / "service", "")
    url = f"postgresql+psycopg://postgres:s3cret@127.0.0.1:{pg_cluster.port}/no_such_database"
    result = CliRunner().invoke(cli, _commands(url, schedules)[command])
    assert result.exit_code == 1, result.output
    [line] = _error_lines(result.output)
    assert f"postgresql+psycopg://postgres:***@127.0.0.1:{pg_cluster.port}/no_such_database" in line
    assert 'database "no_such_database" does not exist' in line
    assert "s3cret" not in result.output


def test_an_empty_postgresql_database_is_not_turned_into_a_store(pg_url: str) -> None:
    result = CliRunner().invoke(cli, ["evaluate", "--period", "2005-03", "--config", str(DEMO), "--store", pg_url])
    assert result.exit_code == 1
    [line] = _error_lines(result.output)
    assert "there is no store at" in line and "no observations table" in line
    from sqlalchemy import create_engine, inspect

    engine = create_engine(pg_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_pull_creates_the_store_and_its_folder(tmp_path: Path, small_config: Path) -> None:
    store = tmp_path / "new-folder" / "reportgen.sqlite"
    result = CliRunner().invoke(cli, ["pull", "--config", str(small_config), "--store", f"sqlite:///{store}"])
    assert result.exit_code == 0, result.output
    assert store.is_file()
    evaluated = CliRunner().invoke(
        cli, ["evaluate", "--period", "2005-03", "--config", str(small_config), "--store", f"sqlite:///{store}"]
    )
    assert evaluated.exit_code == 0, evaluated.output
