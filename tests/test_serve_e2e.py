"""End to end: `reportgen serve` as a real process with the real pipeline, a job due in a few
seconds, the board pack delivered to a loopback SMTP server, then a clean stop on SIGTERM;
then a correction with `reportgen rerun` keeps the first version."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sched_helpers import SmtpServer, attachments, write_schedules

from reportgen.cli import cli
from reportgen.schedule.config import load_schedules
from reportgen.schedule.ledger import Ledger

REPO = Path(__file__).resolve().parents[1]


def serve_schedule(root: Path, server: SmtpServer, due: dt.datetime) -> Path:
    jobs = f"""
[[jobs]]
id = "board-pack"
report = "board-pack"
period = "month"
fixed_period = "2005-03"
when = {{ once = "{due.isoformat()}" }}
deliver = [{{ channel = "email", to = ["board@example.org"] }}]
"""
    return write_schedules(root, jobs, smtp=server.smtp_toml(), extra='sweep_every = "1h"\nstop_timeout = "60s"')


@pytest.mark.slow
def test_serve_renders_delivers_and_stops_on_sigterm(tmp_path: Path) -> None:
    server = SmtpServer().start()
    due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=6)
    schedules = serve_schedule(tmp_path, server, due)
    settings = load_schedules(schedules)
    pulled = CliRunner().invoke(cli, ["pull", "--config", str(settings.config_dir), "--store", settings.store])
    assert pulled.exit_code == 0, pulled.output
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen.cli", "serve", "--schedules", str(schedules)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    try:
        arrived = server.mailbox.wait_for(1, timeout=120)  # bounded wait for the real process
        assert arrived, "no message arrived; service log:\n" + _stop(proc)[1]
        proc.send_signal(signal.SIGTERM)
        code, log = _stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.stop()
    assert code == 0, log
    msg = server.mailbox.messages[0]
    ledger = Ledger(settings.database_url, partnership=settings.partnership)
    [run] = ledger.runs()
    assert (run.job, run.period, run.status, run.version) == ("board-pack", "2005-03", "succeeded", 1)
    assert run.started_at >= due
    sent = attachments(msg)
    assert sorted(sent) == ["board-pack-2005-03.docx", "board-pack-2005-03.pdf"]
    assert sent == {p.name: p.read_bytes() for p in run.files if p.suffix in (".pdf", ".docx")}
    assert all(str(p).startswith(str(tmp_path / "outputs" / "runs" / "board-pack")) for p in run.files)
    assert sent["board-pack-2005-03.pdf"].startswith(b"%PDF")
    body = msg.get_body(("plain",)).get_content()
    assert all(line in body for line in run.exceptions)
    assert "event=run.end job=board-pack period=2005-03 outcome=succeeded" in log
    assert "event=deliver job=board-pack period=2005-03 outcome=sent" in log
    assert "outcome=stopping signal=SIGTERM" in log and "outcome=stopped" in log
    assert len(server.mailbox.messages) == 1

    # Data revised: a correction is version 2; version 1 stays as it was.
    first = {p: p.read_bytes() for p in run.files}
    result = CliRunner().invoke(cli, ["rerun", "board-pack", "--period", "2005-03", "--no-deliver",
                                      "--note", "Police resubmitted March", "--schedules", str(schedules)])
    assert result.exit_code == 0, result.output
    v2 = ledger.find("board-pack", "2005-03")
    assert v2.version == 2 and v2.note.startswith("Police resubmitted March")
    assert sorted(p.name for p in v2.files) == ["board-pack-2005-03-v2.docx", "board-pack-2005-03-v2.pdf"]
    assert all(p.read_bytes() == data for p, data in first.items())


def _stop(proc: subprocess.Popen) -> tuple[int | None, str]:
    try:
        _, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err
