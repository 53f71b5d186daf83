"""The run ledger and the APScheduler job store on SQLite and on PostgreSQL: claims are
exclusive across processes, retries obey attempts and back-off, and the services of two
partnerships sharing one database each run, list and schedule only their own jobs."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from pathlib import Path

from click.testing import CliRunner
from pipeline_double import make_generate
from sched_helpers import Clock, SmtpServer, utc, write_schedules
from sqlalchemy import create_engine, inspect

from reportgen.cli import cli
from reportgen.schedule.config import load_schedules
from reportgen.schedule.ledger import Ledger
from reportgen.schedule.service import Service, jobstore_table

NOW = utc(2025, 11, 7, 7)
BOARD = """
[[jobs]]
id = "board-pack"
report = "board-pack"
period = "month"
when = { working_day = 5, at = "07:00" }
deliver = [{ channel = "email", to = ["board@example.org"] }]
"""


def _claim(url: str, start, results) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(url, partnership="north-csp")
    start.wait()
    run = ledger.claim("board-pack", "2025-10", report="board-pack", now=NOW)
    results.put(run.pid if run else None)


def test_only_one_process_wins_a_claim(db_url: str) -> None:
    Ledger(db_url, partnership="north-csp").dispose()  # create the tables before the race
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_claim, args=(db_url, start, results)) for _ in range(4)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
    winners = [w for w in (results.get(timeout=5) for _ in procs) if w is not None]
    assert len(winners) == 1 and winners[0] in {p.pid for p in procs}
    [run] = Ledger(db_url, partnership="north-csp").runs()
    assert run.pid == winners[0] and run.status == "running"


def test_retry_respects_attempts_and_backoff(db_url: str) -> None:
    ledger = Ledger(db_url, partnership="north-csp")
    run = ledger.claim("j", "2025-10", report="board-pack", now=NOW, max_attempts=2)
    assert run is not None
    assert ledger.claim("j", "2025-10", report="board-pack", now=NOW, max_attempts=2) is None
    ledger.fail(run.id, now=NOW, error="boom", next_attempt_at=NOW + dt.timedelta(minutes=5))
    assert ledger.claim("j", "2025-10", report="board-pack", now=NOW + dt.timedelta(minutes=4), max_attempts=2) is None
    second = ledger.claim("j", "2025-10", report="board-pack", now=NOW + dt.timedelta(minutes=5), max_attempts=2)
    assert second is not None and second.id == run.id and second.attempts == 2
    ledger.fail(second.id, now=NOW, error="boom", next_attempt_at=None)
    assert ledger.claim("j", "2025-10", report="board-pack", now=NOW + dt.timedelta(days=1), max_attempts=2) is None
    by_hand = ledger.claim("j", "2025-10", report="board-pack", now=NOW, max_attempts=2, retry_early=True)
    assert by_hand is not None and by_hand.attempts == 3
    assert ledger.next_version("j", "2025-10") == 2
    ledger.dispose()


def test_two_partnerships_share_a_ledger_without_meeting(db_url: str) -> None:
    north = Ledger(db_url, partnership="north-csp")
    south = Ledger(db_url, partnership="south-csp")
    a = north.claim("board-pack", "2025-10", report="board-pack", now=NOW)
    b = south.claim("board-pack", "2025-10", report="board-pack", now=NOW)  # same job and period: its own
    assert a is not None and b is not None and a.id != b.id
    assert north.claim("board-pack", "2025-10", report="board-pack", now=NOW) is None
    north.succeed(a.id, now=NOW, files=[Path("a.pdf")], manifest=None, headline=[], exceptions=[], gaps=[])
    north.record_delivery(a.id, "email", "board@north.example", "sent", None, NOW)
    assert [r.id for r in north.runs()] == [a.id] and [r.id for r in south.runs()] == [b.id]
    assert north.find("board-pack", "2025-10").status == "succeeded"  # type: ignore[union-attr]
    assert south.find("board-pack", "2025-10").status == "running"  # type: ignore[union-attr]
    assert south.next_version("board-pack", "2025-10") == 2 and north.next_version("board-pack", "2025-10") == 2
    assert south.deliveries(a.id) == [] and len(north.deliveries(a.id)) == 1
    assert [r.id for r in south.crashed(NOW + dt.timedelta(hours=1), dt.timedelta(minutes=10))] == [b.id]
    assert north.crashed(NOW + dt.timedelta(hours=1), dt.timedelta(minutes=10)) == []
    first_north = north.first_seen("board-pack", NOW)
    assert south.first_seen("board-pack", NOW + dt.timedelta(days=3)) == NOW + dt.timedelta(days=3)
    assert north.first_seen("board-pack", NOW + dt.timedelta(days=9)) == first_north == NOW
    north.dispose()
    south.dispose()


def _partnership(root: Path, pid: str, db_url: str, jobs: str = BOARD, smtp: str = "") -> Path:
    schedules = write_schedules(root, jobs, smtp=smtp)
    toml = root / "config" / "partnership.toml"
    toml.write_text(f'id = "{pid}"\n' + toml.read_text())
    text = schedules.read_text().replace(
        f'store = "sqlite:///{root / "var" / "reportgen.sqlite"}"', f'store = "{db_url}"'
    )
    schedules.write_text(text)
    return schedules


def test_services_of_two_partnerships_run_their_own_jobs_on_one_database(db_url: str, tmp_path: Path) -> None:
    clock = Clock(utc(2025, 11, 1))
    services, calls = {}, {}
    for pid in ("north-csp", "south-csp"):
        settings = load_schedules(_partnership(tmp_path / pid, pid, db_url))
        assert settings.partnership == pid and settings.database_url == db_url
        calls[pid] = []
        services[pid] = Service(settings, now=clock, generate=make_generate(calls[pid]))
        services[pid].startup()
    schedulers = [svc.build_scheduler() for svc in services.values()]  # both job stores on the database
    try:
        clock.set(utc(2025, 11, 7, 8))  # the 5th working day of November, after 07:00
        for svc in services.values():
            [run] = svc.run_due()
            assert (run.job, run.period, run.status) == ("board-pack", "2025-10", "succeeded")
        assert calls["north-csp"] == calls["south-csp"] == [("board-pack", "2025-10", None)]
        for svc in services.values():
            assert svc.run_due() == []  # each ran once; neither blocked the other
        engine = create_engine(db_url)
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
        assert {jobstore_table("north-csp"), jobstore_table("south-csp")} <= tables
        for scheduler in schedulers:
            assert scheduler.get_job("job:board-pack") is not None
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=False)
    for pid in ("north-csp", "south-csp"):
        result = CliRunner().invoke(cli, ["history", "--json", "--schedules", str(tmp_path / pid / "schedules.toml")])
        assert result.exit_code == 0, result.output
        assert len(result.output.strip().splitlines()) == 1  # its own run only


def test_services_of_two_partnerships_send_only_their_own_queued_messages(db_url: str, tmp_path: Path) -> None:
    """Both services' board packs wait in the shared delivery_messages table (the mail server was
    down when they were made); each service's sweep sends its own partnership's and leaves the
    other's for its own service, whose listing never shows the first's."""
    server = SmtpServer()  # its port is known, but nothing listens yet
    clock = Clock(utc(2025, 11, 1))
    services = {}
    for pid in ("north-csp", "south-csp"):
        jobs = BOARD.replace("board@example.org", f"board@{pid}.example")
        settings = load_schedules(_partnership(tmp_path / pid, pid, db_url, jobs, server.smtp_toml()))
        services[pid] = Service(settings, now=clock, generate=make_generate([]))
        services[pid].startup()
    north, south = services["north-csp"], services["south-csp"]
    clock.set(utc(2025, 11, 7, 8))
    for svc in (north, south):
        [run] = svc.run_due()
        [msg] = svc.runner.queue.messages()
        assert (msg.run_id, msg.status, msg.target) == (run.id, "failed-retrying", f"board@{svc.ledger.partnership}.example")
    server.start()
    try:
        clock.advance(hours=1)  # past every back-off
        north.flush_outbox()
        assert server.mailbox.wait_for(1) and not server.mailbox.wait_for(2, timeout=1)
        assert [rcpts for _, rcpts in server.mailbox.envelopes] == [["board@north-csp.example"]]
        assert [m.status for m in north.runner.queue.messages()] == ["sent"]
        assert [m.status for m in south.runner.queue.messages()] == ["failed-retrying"]
        south.flush_outbox()
        assert server.mailbox.wait_for(2)
        assert [rcpts for _, rcpts in server.mailbox.envelopes][1] == ["board@south-csp.example"]
        assert [m.status for m in south.runner.queue.messages()] == ["sent"]
        assert [m.target for m in north.runner.queue.messages()] == ["board@north-csp.example"]
    finally:
        server.stop()
