"""End to end: `reportgen serve` as a real process, a job due in a few seconds, the board
pack delivered to a loopback SMTP server, then a clean stop on SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sched_helpers import SmtpServer, attachments, write_schedules

from reportgen.schedule.config import load_schedules
from reportgen.schedule.ledger import Ledger

HERE = Path(__file__).resolve().parent


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
    return write_schedules(root, jobs, smtp=server.smtp_toml(), extra='sweep_every = "1h"\nstop_timeout = "20s"')


@pytest.mark.slow
def test_serve_renders_delivers_and_stops_on_sigterm(tmp_path: Path) -> None:
    server = SmtpServer().start()
    due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=5)
    schedules = serve_schedule(tmp_path, server, due)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), str(HERE), env.get("PYTHONPATH", "")])
    calls_file = tmp_path / "calls.txt"
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "serve_child.py"), "serve", str(calls_file), "--schedules", str(schedules)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    try:
        arrived = server.mailbox.wait_for(1, timeout=60)  # bounded wait for the real process
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
    settings = load_schedules(schedules)
    [run] = Ledger(settings.database_url).runs()
    assert (run.job, run.period, run.status, run.version) == ("board-pack", "2005-03", "succeeded", 1)
    assert run.started_at >= due
    assert attachments(msg) == {p.name: p.read_bytes() for p in run.files if p.suffix in (".pdf", ".docx")}
    assert calls_file.read_text().count("board-pack 2005-03") == 1
    assert "event=run.end job=board-pack period=2005-03 outcome=succeeded" in log
    assert "event=deliver job=board-pack period=2005-03 outcome=sent" in log
    assert "outcome=stopping signal=SIGTERM" in log and "outcome=stopped" in log
    assert len(server.mailbox.messages) == 1


def _stop(proc: subprocess.Popen) -> tuple[int | None, str]:
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err
