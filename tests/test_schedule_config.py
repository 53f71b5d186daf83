"""schedules.toml: the shipped default loads; mistakes are named by file and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.errors import ConfigError
from reportgen.schedule.config import load_schedules

JOB = """
[[jobs]]
id = "board-pack"
report = "board-pack"
when = { working_day = 5 }
"""


def test_repo_default_loads_and_fills_defaults(repo_root: Path) -> None:
    settings = load_schedules(repo_root / "schedules.toml")
    ids = [j.id for j in settings.jobs]
    assert "board-pack" in ids and "leaflet" in ids
    assert all(j.timezone == "Europe/London" for j in settings.jobs)
    assert not settings.smtp.configured, "the demo default writes mail to the outbox"
    leaflet = settings.job("leaflet")
    assert leaflet.needs_approval and not settings.job("board-pack").needs_approval
    assert settings.service.misfire_grace >= dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (JOB.replace("working_day = 5", "working_dya = 5"), "jobs[0] (id='board-pack').when.working_dya",
         "did you mean 'working_day'"),
        (JOB.replace("working_day = 5", 'cron = "0 7 * *"'), "jobs[0] (id='board-pack').when.cron",
         "not a cron expression"),
        (JOB.replace("working_day = 5", 'cron = "0 7 * * *", working_day = 5'),
         "jobs[0] (id='board-pack').when", "exactly one of"),
        (JOB + 'timezone = "Europe/Londn"\n', "jobs[0] (id='board-pack').timezone", "not a time zone"),
        (JOB + 'deliver = [{ channel = "email" }]\n', "jobs[0] (id='board-pack').deliver[0]", "recipients"),
        (JOB + 'deliver = [{ channel = "fax" }]\n', "jobs[0] (id='board-pack').deliver[0].channel", "'fax'"),
        (JOB + 'readiness = { wait = "3 weeks" }\n', "jobs[0] (id='board-pack').readiness.wait", "duration"),
        ('[smtp]\nhots = "mail"\n', "smtp.hots", "did you mean 'host'"),
        (JOB + JOB, "jobs", "used twice"),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    path = tmp_path / "schedules.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_schedules(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert key in message and problem in message, message


def test_durations_and_times(tmp_path: Path) -> None:
    path = tmp_path / "schedules.toml"
    path.write_text(
        '[service]\nmisfire_grace = "90m"\nsweep_every = 30\n'
        + JOB.replace("working_day = 5", 'working_day = 3, at = "06:45"')
        + 'readiness = { wait = "2d" }\n'
    )
    s = load_schedules(path)
    assert s.service.misfire_grace == dt.timedelta(minutes=90)
    assert s.service.sweep_every == dt.timedelta(seconds=30)
    job = s.jobs[0]
    assert (job.when.working_day, job.when.at) == (3, dt.time(6, 45))
    assert job.readiness.wait == dt.timedelta(days=2)


def test_cli_reports_config_error_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "schedules.toml"
    path.write_text(JOB.replace("report =", "reprot ="))
    result = CliRunner().invoke(cli, ["schedules", "--schedules", str(path)])
    assert result.exit_code == 2, result.output
    assert "jobs[0] (id='board-pack')" in result.output and "report" in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
