"""A crash at any step of a run loses no email and sends none twice (finding 3): kill -9 of a
real `serve` process at a named point, then a restart. Before, a kill right after
`run.end ... succeeded` left no .eml, the restart did nothing and history said succeeded with
`deliveries: []`."""

from __future__ import annotations

from pathlib import Path

import pytest
from faultkit import Child, fault_schedules, history
from sched_helpers import SmtpServer, attachments


@pytest.mark.parametrize(("point", "renders", "attempts"), [("before-success", 2, 2), ("after-success", 1, 1)])
def test_kill_at_any_step_then_restart_sends_exactly_once(
    tmp_path: Path, point: str, renders: int, attempts: int
) -> None:
    server = SmtpServer().start()
    schedules = fault_schedules(tmp_path, server, to=("board@example.org", "chair@example.org"), due_in=1)
    first = Child(schedules, "first", REPORTGEN_FAULT=f"{point}:kill")
    second = None
    try:
        assert first.wait_exit() == -9, first.log
        assert f"point={point}" in first.log
        [crashed] = history(schedules)
        if point == "after-success":
            # Success was recorded together with what it owes: two messages, pending.
            assert crashed["status"] == "succeeded"
            assert [(d["target"], d["status"]) for d in crashed["deliveries"]] == [
                ("board@example.org", "pending"),
                ("chair@example.org", "pending"),
            ]
        else:
            assert crashed["status"] == "running" and crashed["deliveries"] == []
        assert server.mailbox.messages == []
        second = Child(schedules, "second")
        assert server.mailbox.wait_for(2, timeout=40), second.log
        assert second.wait_log('outcome=sent channel=email to="chair@example.org"', 10), second.log
        assert not server.mailbox.wait_for(3, timeout=1.5), "each message once"
        assert second.term() == 0, second.log
    finally:
        first.close()
        if second is not None:
            second.close()
        server.stop()
    [run] = history(schedules)
    assert (run["status"], run["attempts"]) == ("succeeded", attempts)
    assert [(d["target"], d["status"]) for d in run["deliveries"]] == [
        ("board@example.org", "sent"),
        ("chair@example.org", "sent"),
    ]
    assert len(second.renders()) == renders  # both processes write their lines to the one file
    assert sorted(to for _, [to] in server.mailbox.envelopes) == ["board@example.org", "chair@example.org"]
    files = {Path(f).name: Path(f).read_bytes() for f in run["files"] if f.endswith((".pdf", ".docx"))}
    assert all(attachments(m) == files for m in server.mailbox.messages)
