"""Email through a real SMTP server on loopback (aiosmtpd), and the outbox when it is down."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from pipeline_double import make_generate
from sched_helpers import Clock, SmtpServer, attachments, settings_at, utc

from reportgen.cli import cli
from reportgen.deliver.base import Parcel
from reportgen.deliver.email import EmailChannel, compose
from reportgen.deliver.outbox import Outbox
from reportgen.periods import Period
from reportgen.schedule.ledger import Ledger
from reportgen.schedule.runner import Runner
from reportgen.schedule.service import Service

BOARD = """
[[jobs]]
id = "board-pack"
report = "board-pack"
when = { working_day = 5 }
deliver = [{ channel = "email", to = ["board@example.org", "chair@example.org"] }]
"""


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


def run_board_pack(root: Path, smtp: str = ""):  # type: ignore[no-untyped-def]
    settings = settings_at(root, BOARD, smtp=smtp)
    ledger = Ledger(settings.database_url, partnership=settings.partnership)
    runner = Runner(settings, ledger, now=Clock(utc(2005, 4, 8, 7)), generate=make_generate())
    run = runner.execute(settings.job("board-pack"), Period.parse("2005-03"), trigger="manual")
    return settings, ledger, run


def test_message_arrives_with_attachments_identical_to_outputs(tmp_path: Path, smtp_server: SmtpServer) -> None:
    settings, ledger, run = run_board_pack(tmp_path, smtp_server.smtp_toml())
    assert run is not None and run.status == "succeeded", run
    assert smtp_server.mailbox.wait_for(1)
    msg = smtp_server.mailbox.messages[0]
    assert msg["To"] == "board@example.org, chair@example.org"
    assert smtp_server.mailbox.envelopes[0][1] == ["board@example.org", "chair@example.org"]
    got = attachments(msg)
    on_disk = {p.name: p.read_bytes() for p in run.files if p.suffix in (".pdf", ".docx")}
    assert set(got) == set(on_disk) and len(on_disk) == 2
    for name, data in on_disk.items():
        assert got[name] == data, f"{name} differs from {tmp_path / 'outputs'}"
    assert all(str(p).startswith(str(settings.out_dir)) for p in run.files)
    body = msg.get_body(("plain",)).get_content()
    assert run.headline[0] in body and run.exceptions[0] in body
    deliveries = ledger.deliveries(run.id)
    assert [(d.channel, d.status) for d in deliveries] == [("email", "sent")]
    assert Outbox(settings.outbox.path).pending() == [] and len(Outbox(settings.outbox.path).sent()) == 1


def test_server_down_message_waits_then_is_sent_once(tmp_path: Path) -> None:
    server = SmtpServer()  # a free port with nothing listening yet
    settings, ledger, run = run_board_pack(tmp_path, server.smtp_toml())
    assert run is not None and run.status == "succeeded"
    box = Outbox(settings.outbox.path)
    waiting = box.pending()
    assert len(waiting) == 1 and [d.status for d in ledger.deliveries(run.id)] == ["failed-retrying"]
    assert "Connection" in (ledger.deliveries(run.id)[0].detail or "")
    # A .eml file any mail client opens, with the attachments in it.
    with waiting[0].open("rb") as fh:
        parked = email.message_from_binary_file(fh, policy=email.policy.default)
    assert set(attachments(parked)) == {p.name for p in run.files if p.suffix in (".pdf", ".docx")}
    # Still down: trying again keeps it waiting, and says why.
    again = box.send(settings.smtp)
    assert again.sent == [] and len(again.waiting) == 1 and "Connection" in (again.error or "")
    server.start()
    try:
        # What the service's sweep does every sweep_every (forced: the back-off has not passed).
        Service(settings).runner.queue.process(force=True)
        assert [d.status for d in ledger.deliveries(run.id)] == ["sent"], "history follows the message"
        second = box.send(settings.smtp)
        assert len(box.sent()) == 1 and box.pending() == []
        assert second.sent == [] and second.error is None
        assert server.mailbox.wait_for(1)
        assert len(server.mailbox.messages) == 1
        assert attachments(server.mailbox.messages[0]) == attachments(parked)
    finally:
        server.stop()


def test_a_server_down_past_the_retry_budget_alerts_support_then_history_follows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Connection refused at every try: each try waits its back-off (1, then 2 minutes), the
    third raises the alert (delivery_alert_after = 3), which waits for the same server, with an
    ERROR line meanwhile; when the server is back both go and history says sent."""
    server = SmtpServer()  # nothing listening on its port until start()
    settings = settings_at(tmp_path, BOARD, smtp=server.smtp_toml(),
                           extra='delivery_alert_after = 3\ndelivery_backoff = "1m"')  # fmt: skip
    ledger = Ledger(settings.database_url, partnership=settings.partnership)
    clock = Clock(utc(2005, 4, 8, 7))
    runner = Runner(settings, ledger, now=clock, generate=make_generate())
    with caplog.at_level("INFO", logger="reportgen.deliver"):
        run = runner.execute(settings.job("board-pack"), Period.parse("2005-03"), trigger="manual")
        assert run is not None and run.status == "succeeded"
        # seconds after the first try: the second is due at 60, the third 120 after the second
        for after, tries in ((30, 1), (61, 2), (150, 2), (181, 3)):
            clock.set(utc(2005, 4, 8, 7) + dt.timedelta(seconds=after))
            runner.queue.process()
            [mail, *alerts] = ledger.deliveries(run.id)
            assert (mail.status, runner.queue.messages()[0].attempts) == ("failed-retrying", tries)
            assert ("Connection" in (mail.detail or ""), len(alerts)) == (True, 1 if tries == 3 else 0)
    [alert] = alerts
    assert (alert.channel, alert.target, alert.status) == ("alert", "support@example.org", "failed-retrying")
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("event=alert job=board-pack period=2005-03 outcome=raised" in m for m in errors), errors
    listed = CliRunner().invoke(cli, ["outbox", "list", "--schedules", settings.source])
    lines = [line for line in listed.output.splitlines() if line.startswith("#")]
    assert listed.exit_code == 0 and len(lines) == 2, listed.output
    assert "failed-retrying" in lines[0] and "tries: 3, next try 2005-04-08 07:07 UTC" in lines[0], lines
    assert "failed-retrying" in lines[1] and "alert" in lines[1] and "support@example.org" in lines[1], lines
    server.start()
    try:
        runner.queue.process(force=True)  # what `reportgen outbox send` does
        assert [d.status for d in ledger.deliveries(run.id)] == ["sent", "sent"]
        assert server.mailbox.wait_for(2)
    finally:
        server.stop()
    done = CliRunner().invoke(cli, ["outbox", "list", "--all", "--schedules", settings.source])
    assert [line.split()[1] for line in done.output.splitlines() if line.startswith("#")] == ["sent", "sent"]
    subjects = sorted(m["Subject"] for m in server.mailbox.messages)
    assert subjects == ["Board pack: March 2005", "[reportgen] DELIVERY FAILED: board-pack 2005-03 (email)"]
    body = next(m for m in server.mailbox.messages if m["Subject"].startswith("[reportgen]")).get_content()
    assert "has not gone after 3 attempt(s)" in body and "Connection" in body, body


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_password_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = SmtpServer(auth=("reportgen", "s3cret")).start()
    try:
        monkeypatch.delenv("REPORTGEN_TEST_SMTP_PASSWORD", raising=False)
        settings, ledger, run = run_board_pack(tmp_path / "a", server.smtp_toml(user="reportgen"))
        status = ledger.deliveries(run.id)[0]
        assert status.status == "failed-retrying" and "REPORTGEN_TEST_SMTP_PASSWORD" in (status.detail or "")
        monkeypatch.setenv("REPORTGEN_TEST_SMTP_PASSWORD", "s3cret")
        result = Outbox(settings.outbox.path).send(settings.smtp)
        assert len(result.sent) == 1, result.error
        assert server.mailbox.wait_for(1)
    finally:
        server.stop()


def test_large_attachment_becomes_a_link(tmp_path: Path) -> None:
    settings, ledger, run = run_board_pack(tmp_path, 'max_attachment_mb = 0.001\nlink_base = "https://intranet/r"')
    path = Outbox(settings.outbox.path).pending()[0]
    with path.open("rb") as fh:
        msg = email.message_from_binary_file(fh, policy=email.policy.default)
    big = [p for p in run.files if p.suffix in (".pdf", ".docx") and p.stat().st_size > 1048]
    small = [p for p in run.files if p.suffix in (".pdf", ".docx") and p.stat().st_size <= 1048]
    assert big, "the Word file is larger than 1 KB"
    body = msg.get_body(("plain",)).get_content()
    for p in big:
        assert f"https://intranet/r/{p.name}" in body
    assert set(attachments(msg)) == {p.name for p in small}


def test_draft_subject_and_approval_line(tmp_path: Path) -> None:
    settings = settings_at(tmp_path, BOARD)
    parcel = Parcel(job="leaflet", report="leaflet", period="2005-Q1", period_label="January to March 2005",
                    version=1, files=(), headline=("Crime is down",), draft=True)
    spec = settings.job("board-pack").deliver[0]
    msg = compose(parcel, spec, settings.smtp)
    assert msg["Subject"].startswith("DRAFT for approval: Public leaflet: January to March 2005")
    assert "reportgen approve leaflet 2005-Q1" in msg.get_content()
    outcome = EmailChannel(settings).deliver(parcel, spec)
    assert outcome.status == "queued" and "no SMTP server" in outcome.detail
