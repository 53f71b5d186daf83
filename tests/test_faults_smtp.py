"""Mail server faults against a real `serve` process (finding 4). Before: a 550 for one
recipient blocked every later message; a wrong password left the email "queued", `history
--status failed` empty and only a WARNING; after an outage history still said queued. Now each
message has its own state, a refusal fails only that message and alerts partnership support,
a login that keeps failing alerts after the retry budget, and history follows the message."""

from __future__ import annotations

from pathlib import Path

import pytest
from faultkit import Child, cli, fault_schedules, history
from sched_helpers import SmtpServer


def test_refused_recipient_fails_its_message_alerts_and_blocks_nothing(tmp_path: Path) -> None:
    server = SmtpServer().start()
    server.mailbox.refuse = {"nobody@example.org"}
    schedules = fault_schedules(tmp_path, server, to=("nobody@example.org", "board@example.org"), due_in=1)
    svc = Child(schedules, "svc")
    try:
        # The refused message comes first; the board's still goes, and support hear of it.
        assert server.mailbox.wait_for(2, timeout=40), svc.log
        assert svc.wait_log('outcome=sent channel=alert to="support@example.org"', 10), svc.log
        assert svc.term() == 0, svc.log
    finally:
        svc.close()
        server.stop()
    got = {to: msg for msg, (_, [to]) in zip(server.mailbox.messages, server.mailbox.envelopes, strict=True)}
    assert sorted(got) == ["board@example.org", "support@example.org"]
    alert = got["support@example.org"]
    assert alert["Subject"] == "[reportgen] DELIVERY FAILED: board-pack 2005-03 (email)"
    assert "nobody@example.org" in alert.get_content() and "550" in alert.get_content()
    [run] = history(schedules)
    assert run["status"] == "succeeded"
    states = [(d["channel"], d["target"], d["status"]) for d in run["deliveries"]]
    assert states == [
        ("email", "nobody@example.org", "failed-permanent"),
        ("email", "board@example.org", "sent"),
        ("alert", "support@example.org", "sent"),
    ]
    assert "550" in run["deliveries"][0]["detail"]
    assert [r["id"] for r in history(schedules, "--status", "failed")] == [run["id"]]
    listed = cli("outbox", "list", "--schedules", str(schedules))
    assert listed.exit_code == 0 and "failed-permanent" in listed.output and "nobody@example.org" in listed.output
    # Refused for good: kept for a person to read, never retried.
    assert len(list((tmp_path / "outputs" / "outbox" / "failed").glob("*.eml"))) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_wrong_password_is_a_failed_delivery_and_an_alert_then_sent_after_the_fix(tmp_path: Path) -> None:
    server = SmtpServer(auth=("reportgen", "s3cret")).start()
    schedules = fault_schedules(tmp_path, server, user="reportgen", due_in=1)
    svc = Child(schedules, "wrong", REPORTGEN_TEST_SMTP_PASSWORD="not-the-password")
    fixed = None
    try:
        # Two tries (delivery_alert_after = 2), one second apart, then the alert is raised.
        assert svc.wait_log("event=alert job=board-pack period=2005-03 outcome=raised", 30), svc.log
        assert svc.wait_log("outcome=failed-retrying channel=alert", 10), svc.log
        assert svc.term() == 0, svc.log
        assert server.mailbox.messages == []
        [run] = history(schedules)
        email, alert = run["deliveries"]
        assert (email["channel"], email["status"]) == ("email", "failed-retrying")
        assert "535" in email["detail"], email
        # The alert cannot go through the same server either: it waits, and the log says so.
        assert (alert["channel"], alert["target"], alert["status"]) == (
            "alert",
            "support@example.org",
            "failed-retrying",
        )
        errors = [line for line in svc.log.splitlines() if " ERROR " in line]
        assert any("event=alert job=board-pack" in line for line in errors), svc.log
        assert any(
            "event=deliver job=board-pack period=2005-03 outcome=failed-retrying channel=alert" in line
            for line in errors
        ), svc.log
        assert [r["id"] for r in history(schedules, "--status", "failed")] == [run["id"]]
        table = cli("history", "--status", "failed", "--schedules", str(schedules))
        assert "failed-retrying" in table.output and "535" in table.output

        # The password is put right and the service restarted: both go, history follows.
        fixed = Child(schedules, "fixed", REPORTGEN_TEST_SMTP_PASSWORD="s3cret")
        assert server.mailbox.wait_for(2, timeout=40), fixed.log
        assert fixed.wait_log('outcome=sent channel=alert to="support@example.org"', 10), fixed.log
        # both rows recorded as sent before the service is stopped (the two are sent in one
        # session and recorded one after the other)
        assert fixed.wait_log("outcome=sent channel=email", 10), fixed.log
        assert fixed.term() == 0, fixed.log
    finally:
        svc.close()
        if fixed is not None:
            fixed.close()
        server.stop()
    [run] = history(schedules)
    assert [(d["channel"], d["status"]) for d in run["deliveries"]] == [("email", "sent"), ("alert", "sent")]
    assert history(schedules, "--status", "failed") == []
    subjects = sorted(m["Subject"] for m in server.mailbox.messages)
    assert subjects == ["Board pack: March 2005", "[reportgen] DELIVERY FAILED: board-pack 2005-03 (email)"]
