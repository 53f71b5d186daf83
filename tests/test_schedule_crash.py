"""A run killed in the middle (kill -9) is detected on the next start, retried, and leaves
no half output."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

from pipeline_double import make_generate
from sched_helpers import Clock, utc, write_schedules

from reportgen.schedule.config import load_schedules
from reportgen.schedule.ledger import Ledger
from reportgen.schedule.service import Service

HERE = Path(__file__).resolve().parent
BOARD = """
[[jobs]]
id = "board-pack"
report = "board-pack"
when = { working_day = 5, at = "07:00" }
deliver = [{ channel = "email", to = ["board@example.org"] }]
"""


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), str(HERE), env.get("PYTHONPATH", "")])
    return env


def test_killed_run_is_retried_and_leaves_no_half_output(tmp_path: Path) -> None:
    schedules = write_schedules(tmp_path, BOARD)
    settings = load_schedules(schedules)
    clock = Clock(utc(2025, 11, 1))
    Service(settings, now=clock, generate=make_generate()).register()  # scheduled since 1 Nov

    proc = subprocess.Popen(
        [sys.executable, str(HERE / "serve_child.py"), "block", str(schedules), "2025-11-07T08:00:00+00:00"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(),
    )
    try:
        line = proc.stdout.readline()  # blocks until the child is mid-run; no sleeping
        assert line.strip() == "STARTED", proc.stderr.read()
        ledger = Ledger(settings.database_url, partnership=settings.partnership)
        [running] = ledger.runs()
        assert (running.status, running.pid, running.period) == ("running", proc.pid, "2025-10")
        staging = list((tmp_path / "outputs" / ".staging").iterdir())
        assert len(staging) == 1 and (staging[0] / "half-written.pdf").exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()

    clock.set(utc(2025, 11, 7, 9))
    calls: list = []
    svc = Service(settings, now=clock, generate=make_generate(calls))
    svc.startup()
    crashed = svc.ledger.get(running.id)
    assert crashed.status == "abandoned" and str(proc.pid) in (crashed.error or "")
    [retried] = svc.run_due()
    assert (retried.id, retried.status, retried.attempts, retried.period) == (running.id, "succeeded", 2, "2025-10")
    assert calls == [("board-pack", "2025-10", None)]
    everything = [p.name for p in (tmp_path / "outputs").rglob("*") if p.is_file()]
    assert "half-written.pdf" not in everything
    assert not any((tmp_path / "outputs" / ".staging").iterdir())
    final = retried.files[0].parent
    assert sorted(p.name for p in final.iterdir()) == sorted(
        [*(p.name for p in retried.files), retried.manifest.name]
    )
    assert len(list((tmp_path / "outputs" / "outbox" / "pending").glob("*.eml"))) == 1


def test_a_run_whose_host_went_quiet_is_retried_by_another_service_within_one_sweep(tmp_path: Path) -> None:
    """Another machine claimed the run and stopped beating (powered off, cut off): no pid can be
    checked from here, so its heartbeat's age is the sign. The first sweep after stale_after takes
    it over and runs it, in that same sweep; a sweep before then leaves it alone."""
    schedules = write_schedules(tmp_path, BOARD)
    settings = load_schedules(schedules)
    clock = Clock(utc(2025, 11, 1))
    calls: list = []
    svc = Service(settings, now=clock, generate=make_generate(calls))
    svc.register()
    claimed_at = utc(2025, 11, 7, 8)
    elsewhere = Ledger(settings.database_url, partnership=settings.partnership, host="other-host", pid=4242)
    theirs = elsewhere.claim("board-pack", "2025-10", report="board-pack", now=claimed_at, max_attempts=3)
    assert theirs is not None
    stale = settings.service.stale_after

    clock.set(claimed_at + stale - dt.timedelta(seconds=30))
    svc.sweep()
    assert (svc.ledger.get(theirs.id).status, calls) == ("running", [])

    clock.set(claimed_at + stale + dt.timedelta(seconds=30))
    svc.sweep()
    after = svc.ledger.get(theirs.id)
    assert (after.status, after.attempts, after.host) == ("succeeded", 2, svc.ledger.host)
    assert calls == [("board-pack", "2025-10", None)]
    # Its delivery is queued with the success (no mail server here: it waits in the outbox).
    assert [d.status for d in svc.ledger.deliveries(theirs.id)] == ["pending"]
