"""One typed run request, checked the same way by schedules.toml (`reportgen schedules`, `serve`
start), `reportgen run` and the library API; job ids where a job is meant; `approve` with a
pending run whose job has left schedules.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pipeline_double import make_generate
from sched_helpers import Clock, settings_at, utc, write_schedules

from reportgen.cli import cli
from reportgen.errors import ConfigError
from reportgen.pipeline import generate
from reportgen.schedule.ledger import Ledger
from reportgen.schedule.service import Service

BAD_JOBS = [
    ('report = "board-pak"', "jobs[0] (id='x').report: 'board-pak' is not a report (did you mean 'board-pack'?"),
    (
        'report = "leaflet"\nvariant = { larg_print = true }',
        "jobs[0] (id='x'): variant.larg_print is not a known variant option (did you mean 'large_print'?",
    ),
    (
        'report = "board-pack"\nvariant = { poster = true }',
        "jobs[0] (id='x'): variant.poster does not apply to the board-pack",
    ),
    ('report = "leaflet"\nvariant = { large_print = "yes" }', "jobs[0] (id='x'): variant.large_print: Input should"),
]


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize(("job", "message"), BAD_JOBS)
def test_bad_job_refused_by_schedules_and_serve_naming_file_and_key(tmp_path: Path, job: str, message: str) -> None:
    path = write_schedules(tmp_path, f'[[jobs]]\nid = "x"\n{job}\nwhen = {{ cron = "0 7 * * *" }}\n', config=False)
    for command in (["schedules"], ["serve", "--once"], ["serve"]):
        result = invoke(*command, "--schedules", str(path))
        assert result.exit_code == 2, (command, result.output)
        [line] = result.output.strip().splitlines()
        assert line.startswith(f"Error: {path}: ") and message in line, line
    assert not (tmp_path / "var").exists(), "refused before any database was opened"


def test_library_api_refuses_the_same_variant_before_reading_anything(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"variant\.larg_print is not a known variant option"):
        generate(
            "leaflet",
            "2005-Q1",
            config_dir=tmp_path / "nowhere",
            store_url=f"sqlite:///{tmp_path}/s.sqlite",
            out_dir=tmp_path / "out",
            variant={"larg_print": True},
        )
    assert not (tmp_path / "out").exists() and not (tmp_path / "s.sqlite").exists()


def test_cli_variant_flags_pass_the_same_check() -> None:
    from reportgen.reports.request import check_variant

    assert check_variant("leaflet", {"large_print": True, "lang": "pl"}) == {"large_print": True, "lang": "pl"}
    with pytest.raises(ValueError, match="give area or each_area"):
        check_variant("leaflet", {"area": "north", "each_area": True})


LEAFLETS = """
[[jobs]]
id = "leaflet"
report = "leaflet"
period = "quarter"
when = { working_day = 10, at = "09:00" }
approval_to = ["comms@example.org"]
deliver = [{ channel = "print" }]

[[jobs]]
id = "poster"
report = "leaflet"
variant = { poster = true }
period = "quarter"
when = { working_day = 10, at = "09:20" }
approval_to = ["comms@example.org"]
deliver = [{ channel = "print" }]
"""


def test_run_deliver_takes_a_job_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_at(tmp_path, LEAFLETS)
    # A run renders from the store, so `run --deliver` refuses one that is not there: pull first.
    pulled = invoke("pull", "--config", str(settings.config_dir), "--store", settings.database_url)
    assert pulled.exit_code == 0, pulled.output
    calls: list = []
    monkeypatch.setattr("reportgen.schedule.jobs.generate", make_generate(calls))
    result = invoke("run", "poster", "--period", "2005-Q1", "--deliver", "--schedules", settings.source)
    assert result.exit_code == 0, result.output
    assert "poster 2005-Q1 v1: succeeded" in result.output
    # Only the poster job ran (the report name "leaflet" would have run both).
    assert calls == [("leaflet", "2005-Q1", None)]
    assert [r.job for r in Ledger(settings.database_url, partnership=settings.partnership).runs()] == ["poster"]
    nope = invoke("run", "poster", "--period", "2005-Q1")
    assert nope.exit_code == 2 and "needs --deliver" in nope.output


def test_approve_reports_a_run_whose_job_left_schedules_and_releases_the_rest(tmp_path: Path) -> None:
    settings = settings_at(tmp_path, LEAFLETS)
    clock = Clock(utc(2005, 4, 1))
    svc = Service(settings, now=clock, generate=make_generate())
    svc.startup()
    clock.set(utc(2005, 4, 14, 9))
    assert sorted(r.approval for r in svc.run_due()) == ["pending", "pending"]
    # The poster job is taken out of schedules.toml while its draft waits.
    path = write_schedules(tmp_path, LEAFLETS.split('[[jobs]]\nid = "poster"')[0])
    result = invoke("approve", "leaflet", "2005-Q1", "--schedules", str(path))
    assert result.exit_code == 0, result.output
    assert "released leaflet 2005-Q1 v1" in result.output
    assert "not released poster 2005-Q1 v1: job 'poster' is no longer in" in result.output
    ledger = Ledger(settings.database_url, partnership=settings.partnership)
    assert {r.job: r.approval for r in ledger.runs()} == {"leaflet": "released", "poster": "pending"}
    assert sorted(p.name for p in (tmp_path / "print" / "2005-Q1").glob("*.pdf")) == ["leaflet-v1-leaflet-2005-Q1.pdf"]
    # A job id works where a job is meant, and the poster alone still cannot go.
    alone = invoke("approve", "poster", "2005-Q1", "--schedules", str(path))
    assert alone.exit_code == 1 and "no longer in" in alone.output


def test_approve_and_rerun_take_a_job_id_and_touch_only_that_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_at(tmp_path, LEAFLETS)
    clock = Clock(utc(2005, 4, 1))
    svc = Service(settings, now=clock, generate=make_generate())
    svc.startup()
    clock.set(utc(2005, 4, 14, 9))
    assert sorted(r.approval for r in svc.run_due()) == ["pending", "pending"]
    schedules = settings.source
    released = invoke("approve", "poster", "2005-Q1", "--schedules", schedules)
    assert released.exit_code == 0, released.output
    assert "released poster 2005-Q1 v1" in released.output and "leaflet 2005-Q1" not in released.output
    ledger = Ledger(settings.database_url, partnership=settings.partnership)
    assert {r.job: r.approval for r in ledger.runs()} == {"leaflet": "pending", "poster": "released"}

    calls: list = []
    monkeypatch.setattr("reportgen.schedule.jobs.generate", make_generate(calls))
    again = invoke("rerun", "poster", "--period", "2005-Q1", "--no-deliver", "--schedules", schedules)
    assert again.exit_code == 0, again.output
    assert "poster 2005-Q1 v2: succeeded" in again.output and "leaflet 2005-Q1" not in again.output
    assert len(calls) == 1
    assert sorted((r.job, r.version) for r in ledger.runs()) == [("leaflet", 1), ("poster", 1), ("poster", 2)]


def test_the_cli_refuses_a_variant_with_the_schedules_files_words(tmp_path: Path) -> None:
    """`reportgen run board-pack --poster` meets the same check as `variant = { poster = true }`
    in a board pack's job (BAD_JOBS above), before the config or the store is opened."""
    missing = tmp_path / "nothing-here"
    result = invoke("run", "board-pack", "--period", "2005-03", "--poster",
                    "--config", str(missing), "--store", f"sqlite:///{missing}.db", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "variant.poster does not apply to the board-pack" in result.output, result.output
    assert not missing.exists() and not Path(f"{missing}.db").exists() and not (tmp_path / "out").exists()
