"""Faults with two services on one ledger: a paused worker whose run is taken over (finding 1)
and a service killed mid-run while another watches (finding 2). Real `serve` processes, real
SQLite, aiosmtpd on loopback, SIGSTOP/SIGKILL at named points."""

from __future__ import annotations

from pathlib import Path

import pytest
from faultkit import Child, fault_schedules, history
from sched_helpers import SmtpServer, attachments


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    smtp = SmtpServer().start()
    yield smtp
    smtp.stop()


@pytest.mark.parametrize("point", ["after-render", "before-success"])
def test_paused_worker_never_removes_what_the_other_delivered(tmp_path: Path, server: SmtpServer, point: str) -> None:
    """Finding 1: A is paused (SIGSTOP) mid-run past stale_after; B takes the run over, renders,
    emails and records success; A resumes. Before: A removed runs/<job>/<period>/v1/, which
    history still listed. Now A is fenced: it keeps nothing and removes nothing of B's."""
    schedules = fault_schedules(tmp_path, server)
    a = Child(schedules, "a", REPORTGEN_FAULT=f"{point}:stop")
    b = None
    try:
        assert a.wait_stopped(), "A never reached the fault point:\n" + a.log
        b = Child(schedules, "b")
        assert server.mailbox.wait_for(1, timeout=40), "B never delivered:\n" + b.log
        assert b.wait_log("event=deliver job=board-pack period=2005-03 outcome=sent", 5), b.log
        [run] = history(schedules)
        assert (run["status"], run["attempts"]) == ("succeeded", 2)
        delivered = {Path(f): Path(f).read_bytes() for f in run["files"]}
        a.cont()
        assert a.wait_log("outcome=fenced"), a.log
        # A couple more sweeps of both services: nothing is sent or rendered again.
        assert not server.mailbox.wait_for(2, timeout=1.5)
        assert a.term() == 0, a.log  # resumed after a long pause, its watchdog does not cry wolf
        assert b.term() == 0, b.log
    finally:
        a.close()
        if b is not None:
            b.close()
    [after] = history(schedules)
    assert after == run, "history unchanged by A's late return"
    assert {Path(f): Path(f).read_bytes() for f in after["files"]} == delivered, "every delivered file is still there"
    assert attachments(server.mailbox.messages[0]) == {
        p.name: data for p, data in delivered.items() if p.suffix in (".pdf", ".docx")
    }
    assert [d["status"] for d in after["deliveries"]] == ["sent"]
    assert len(a.renders()) == 2, "A's render (discarded) and B's (delivered)"
    assert "outcome=succeeded" not in a.log
    # The only output folders are B's; A's staging and (before-success) its own v1 are gone.
    folders = sorted(p.name for p in (tmp_path / "outputs" / "runs" / "board-pack" / "2005-03").iterdir())
    assert folders == (["v1.attempt2"] if point == "before-success" else ["v1"])
    assert not any((tmp_path / "outputs" / ".staging").iterdir())


def test_survivor_retries_a_run_whose_service_was_killed(tmp_path: Path, server: SmtpServer) -> None:
    """Finding 2: two services with the same `once` job; the one that wins the run is killed
    mid-run (kill -9). Before: the other's scheduler thread had died on JobLookupError, so it
    never retried and history said running for ever. Now it retries within a sweep."""
    schedules = fault_schedules(tmp_path, server, due_in=3)
    once = str(tmp_path / "fault-fired")  # only the first service to render dies
    a = Child(schedules, "a", REPORTGEN_FAULT="after-render:kill", REPORTGEN_FAULT_ONCE=once)
    b = Child(schedules, "b", REPORTGEN_FAULT="after-render:kill", REPORTGEN_FAULT_ONCE=once)
    try:
        assert server.mailbox.wait_for(1, timeout=40), a.log + b.log
        codes = (a.proc.poll(), b.proc.poll())
        dead, alive = (a, b) if codes[0] is not None else (b, a)
        assert sorted(codes, key=str) == [-9, None], a.log + b.log
        assert alive.wait_log("event=deliver job=board-pack period=2005-03 outcome=sent", 5), alive.log
        assert not server.mailbox.wait_for(2, timeout=1.5), "sent once"
        assert alive.term() == 0, alive.log
    finally:
        a.close()
        b.close()
    [run] = history(schedules)
    assert (run["status"], run["attempts"]) == ("succeeded", 2)
    assert [d["status"] for d in run["deliveries"]] == ["sent"]
    assert "JobLookupError" not in alive.log and "Traceback" not in alive.log, alive.log
    assert f"pid {dead.pid}" in alive.log or "event=run.crashed" in alive.log
    assert all(Path(f).exists() for f in run["files"])
