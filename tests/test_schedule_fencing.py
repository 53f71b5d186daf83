"""The pieces the fault-injection suite relies on, one at a time: fencing tokens in the ledger,
output folders that are never replaced, leases on queued messages, message files written once,
and a scheduler that is watched."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from email.message import EmailMessage
from pathlib import Path

import pytest
from sched_helpers import settings_at, utc

from reportgen.deliver.outbox import Outbox
from reportgen.deliver.queue import DeliveryQueue
from reportgen.schedule.ledger import Ledger
from reportgen.schedule.runner import Runner
from reportgen.schedule.service import Service, ToleratingJobStore

NOW = utc(2025, 11, 7, 8)


class Lines(logging.Handler):
    """The service's log lines, whatever an earlier CLI test did to propagation."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def logs():  # type: ignore[no-untyped-def]
    handler = Lines()
    loggers = [logging.getLogger(n) for n in ("reportgen.schedule", "reportgen.deliver")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield handler
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_a_taken_over_claim_can_no_longer_beat_succeed_or_fail(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    paused = Ledger(url, host="h", pid=111)
    first = paused.claim("j", "2025-10", report="board-pack", now=NOW, max_attempts=3)
    assert first is not None and first.attempts == 1
    other = Ledger(url, host="h", pid=222)
    assert other.abandon(first.id, now=NOW + dt.timedelta(minutes=11), reason="stale", token=1)
    second = other.claim("j", "2025-10", report="board-pack", now=NOW + dt.timedelta(minutes=11), max_attempts=3)
    assert second is not None and (second.id, second.attempts) == (first.id, 2)
    # The paused worker comes back with token 1: every write of its is refused.
    assert not paused.holds(first.id, 1) and other.holds(first.id, 2)
    paused.heartbeat(first.id, NOW + dt.timedelta(minutes=30), token=1)
    assert other.get(first.id).heartbeat_at == NOW + dt.timedelta(minutes=11)
    assert not paused.succeed(first.id, now=NOW, files=[], manifest=None, headline=[], exceptions=[], gaps=[], token=1)
    assert not paused.fail(first.id, now=NOW, error="late", next_attempt_at=None, token=1)
    assert not paused.abandon(first.id, now=NOW, reason="late", token=1)
    assert other.get(first.id).status == "running" and other.get(first.id).pid == 222


def test_an_existing_output_folder_is_never_replaced(tmp_path: Path) -> None:
    final = tmp_path / "runs" / "j" / "2025-10" / "v1"
    final.mkdir(parents=True)
    (final / "delivered.pdf").write_bytes(b"%PDF delivered")
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "new.pdf").write_bytes(b"%PDF new")
    placed = Runner._place(staging, final, 2)
    assert placed == final.with_name("v1.attempt2") and (placed / "new.pdf").read_bytes() == b"%PDF new"
    assert (final / "delivered.pdf").read_bytes() == b"%PDF delivered"
    again = tmp_path / "again"
    again.mkdir()
    (again / "x.pdf").write_bytes(b"x")
    with pytest.raises(Exception, match="already there; nothing was moved or removed"):
        Runner._place(again, final, 2)
    assert (again / "x.pdf").exists()


def test_a_queued_message_is_worked_on_by_one_service_at_a_time(tmp_path: Path) -> None:
    settings = settings_at(tmp_path, "")
    ledger = Ledger(settings.database_url)
    one = DeliveryQueue(ledger.engine, settings, now=lambda: NOW, owner="host:1")
    two = DeliveryQueue(ledger.engine, settings, now=lambda: NOW, owner="host:2")
    [msg_id] = one.enqueue(
        None,
        [
            {
                "job": "j",
                "period": "p",
                "channel": "alert",
                "target": "a@example.org",
                "spec": "{}",
                "parcel": '{"subject": "s", "body": "b"}',
            }
        ],
    )
    assert one._take(msg_id, NOW) and not two._take(msg_id, NOW)
    # A worker that died holding it frees it when its lease runs out.
    assert two._take(msg_id, NOW + dt.timedelta(minutes=11))


def test_a_message_file_is_written_once_whatever_the_retries(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox")
    made = []

    def compose() -> EmailMessage:
        msg = EmailMessage()
        msg["To"], msg["Subject"] = "a@example.org", f"try {len(made)}"
        msg.set_content("x")
        made.append(msg)
        return msg

    first = box.ensure("q7-board-pack-2005-03", compose)
    first.rename(box.sending_dir / first.name)  # a process died while sending it
    assert box.ensure("q7-board-pack-2005-03", compose) == box.sending_dir / first.name
    assert len(made) == 1
    # A starting service leaves it there: its sender may be alive; the row's lease decides.
    assert box.recover() == [] and (box.sending_dir / first.name).exists()
    loose = box.put(made[0], stem="by-hand")
    loose.rename(box.sending_dir / loose.name)
    assert box.recover() == [loose], "a message with no row has no lease: put back"


def test_a_failed_sweep_is_logged_and_alerted_and_the_service_goes_on(tmp_path: Path, logs: Lines) -> None:
    svc = Service(settings_at(tmp_path, ""))

    def broken() -> None:
        raise RuntimeError("database went away")

    svc.guarded("sweep", broken)
    assert 'task=sweep error="RuntimeError: database went away"' in logs.text
    [alert] = svc.runner.queue.messages()
    assert (alert.channel, alert.target, alert.status) == ("alert", "support@example.org", "pending")
    assert "database went away" in (tmp_path / "outputs" / "outbox" / "pending" / "q1-alert-service.eml").read_text()


def test_a_job_another_service_removed_does_not_kill_the_scheduler(tmp_path: Path) -> None:
    from apscheduler.jobstores.base import JobLookupError
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    ledger = Ledger(f"sqlite:///{tmp_path / 'l.sqlite'}")
    plain = SQLAlchemyJobStore(engine=ledger.engine, tablename="jobs")
    plain.start(None, "default")
    with pytest.raises(JobLookupError):
        plain.remove_job("job:gone")  # what killed APScheduler's thread
    store = ToleratingJobStore.build(ledger.engine, "jobs")
    store.start(None, "default")
    store.remove_job("job:gone")


def test_watchdog_stops_the_service_with_status_1_when_the_scheduler_dies(tmp_path: Path, logs: Lines) -> None:
    settings = settings_at(tmp_path, "", extra='sweep_every = "1s"')
    svc = Service(settings)
    done = threading.Event()
    thread = threading.Thread(target=lambda: (svc.serve(install_signals=False), done.set()), daemon=True)
    thread.start()
    deadline = dt.datetime.now() + dt.timedelta(seconds=20)
    while (svc.scheduler is None or not svc.scheduler.running) and dt.datetime.now() < deadline:
        threading.Event().wait(0.05)
    svc.scheduler.shutdown(wait=False)  # as if APScheduler's thread had died
    assert done.wait(10), "the watchdog did not notice"
    assert svc.exit_code == 1
    assert 'event=watchdog job=- period=- outcome=failed reason="the scheduler thread has died"' in logs.text
    assert any(m.channel == "alert" for m in svc.runner.queue.messages())


def test_a_run_abandoned_on_its_last_attempt_is_alerted_not_left_lying(tmp_path: Path) -> None:
    settings = settings_at(tmp_path, "")
    elsewhere = Ledger(settings.database_url, host="other-host", pid=4242)
    for attempt in range(3):  # max_attempts = 3 in the test schedules
        run = elsewhere.claim("board-pack", "2025-10", report="board-pack", now=NOW, max_attempts=3)
        assert run is not None and run.attempts == attempt + 1
        if attempt < 2:
            elsewhere.abandon(run.id, now=NOW, reason="test", token=run.attempts)
    runner = Runner(settings, Ledger(settings.database_url), now=lambda: NOW + dt.timedelta(minutes=11))
    [found] = runner.recover()
    after = runner.ledger.get(found.id)
    assert (after.status, after.alerted) == ("abandoned", True)
    [alert] = runner.queue.messages(run_id=found.id)
    assert alert.channel == "alert" and alert.target == "support@example.org"


def test_a_message_left_in_sending_by_a_dead_sender_goes_once_its_lease_runs_out(tmp_path: Path) -> None:
    from sched_helpers import SmtpServer

    server = SmtpServer().start()
    try:
        settings = settings_at(tmp_path, "", smtp=server.smtp_toml())
        ledger = Ledger(settings.database_url)
        dead = DeliveryQueue(ledger.engine, settings, now=lambda: NOW, owner="host:dead")
        row = {
            "job": "j",
            "period": "p",
            "channel": "alert",
            "target": "a@example.org",
            "spec": "{}",
            "parcel": '{"subject": "left behind", "body": "b"}',
        }
        [msg_id] = dead.enqueue(None, [row])
        assert dead._take(msg_id, NOW)
        box = Outbox(settings.outbox.path)
        msg = EmailMessage()
        msg["To"], msg["From"], msg["Subject"] = "a@example.org", "r@example.org", "left behind"
        msg.set_content("b")
        path = box.ensure(f"q{msg_id}-alert-j-p", lambda: msg)
        path.rename(box.sending_dir / path.name)  # the sender died here, holding the lease
        live = DeliveryQueue(ledger.engine, settings, now=lambda: NOW + dt.timedelta(minutes=5), owner="host:live")
        assert live.process() == [], "not while the dead sender's lease runs"
        live.now = lambda: NOW + dt.timedelta(minutes=11)
        [done] = live.process()
        assert done.status == "sent" and server.mailbox.wait_for(1)
        assert [m["Subject"] for m in server.mailbox.messages] == ["left behind"]
        assert box.sent() == [box.sent_dir / path.name] and not any(box.sending_dir.iterdir())
    finally:
        server.stop()


def test_a_message_in_sent_whose_sender_died_before_recording_it_is_recorded_not_sent_again(
    tmp_path: Path,
) -> None:
    """The duplicate window is only between the server's 250 and the rename into sent/: a sender
    that died after the rename (before recording "sent") leaves a row that the next sender, once
    the lease runs out, records as sent from the file's place, sending nothing."""
    from sched_helpers import SmtpServer

    server = SmtpServer().start()
    try:
        settings = settings_at(tmp_path, "", smtp=server.smtp_toml())
        ledger = Ledger(settings.database_url)
        dead = DeliveryQueue(ledger.engine, settings, now=lambda: NOW, owner="host:dead")
        row = {"job": "j", "period": "p", "channel": "alert", "target": "a@example.org", "spec": "{}",
               "parcel": '{"subject": "went", "body": "b"}'}  # fmt: skip
        [msg_id] = dead.enqueue(None, [row])
        assert dead._take(msg_id, NOW)
        box = Outbox(settings.outbox.path)
        msg = EmailMessage()
        msg["To"], msg["From"], msg["Subject"] = "a@example.org", "r@example.org", "went"
        msg.set_content("b")
        path = box.ensure(f"q{msg_id}-alert-j-p", lambda: msg)
        path.rename(box.sent_dir / path.name)  # accepted and moved; the sender died before recording it
        live = DeliveryQueue(ledger.engine, settings, now=lambda: NOW + dt.timedelta(minutes=11), owner="host:live")
        [done] = live.process()
        assert (done.status, done.attempts) == ("sent", 1)
        assert not server.mailbox.wait_for(1, timeout=1.0), "recorded, not sent a second time"
    finally:
        server.stop()


def test_stopping_hands_no_job_to_the_closed_executor(tmp_path: Path, logs: Lines) -> None:
    """Stopping pauses APScheduler and then shuts it down; shutdown() closes the executor and
    wakes the scheduler's thread, which used to hand the sweep (due by then) to the closed pool:
    "cannot schedule new futures after shutdown" and a traceback in the log of every stop."""
    apscheduler_log = logging.getLogger("apscheduler")
    apscheduler_log.addHandler(logs)
    try:
        svc = Service(settings_at(tmp_path, "", extra='sweep_every = "1s"'))
        thread = threading.Thread(target=lambda: svc.serve(install_signals=False), daemon=True)
        thread.start()
        deadline = dt.datetime.now() + dt.timedelta(seconds=20)
        while svc.last_sweep is None and dt.datetime.now() < deadline:
            threading.Event().wait(0.05)
        assert svc.last_sweep is not None, "the first sweep did not run"
        svc.scheduler.pause()  # as stopping begins; the next sweep comes due meanwhile
        threading.Event().wait(1.5)
        svc.request_stop()
        thread.join(20)
        assert not thread.is_alive()
    finally:
        apscheduler_log.removeHandler(logs)
    assert "event=serve job=- period=- outcome=stopped" in logs.text
    assert "Error submitting job" not in logs.text, logs.text
