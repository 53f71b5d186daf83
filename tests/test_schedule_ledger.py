"""The run ledger: claims are exclusive across processes; retries obey attempts and back-off."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from pathlib import Path

from click.testing import CliRunner
from sched_helpers import SmtpServer, utc, write_schedules

from reportgen.cli import cli
from reportgen.deliver.outbox import Outbox
from reportgen.schedule.config import load_schedules
from reportgen.schedule.ledger import Ledger

NOW = utc(2025, 11, 7, 7)


def _claim(url: str, start, results) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(url)
    start.wait()
    run = ledger.claim("board-pack", "2025-10", report="board-pack", now=NOW)
    results.put(run.pid if run else None)


def test_only_one_process_wins_a_claim(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    Ledger(url)  # create the tables before the race
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_claim, args=(url, start, results)) for _ in range(4)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
    winners = [w for w in (results.get(timeout=5) for _ in procs) if w is not None]
    assert len(winners) == 1 and winners[0] in {p.pid for p in procs}
    [run] = Ledger(url).runs()
    assert run.pid == winners[0] and run.status == "running"


def test_retry_respects_attempts_and_backoff(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    run = ledger.claim("j", "2025-10", report="board-pack", now=NOW, max_attempts=2)
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


def test_stale_heartbeat_from_another_host_counts_as_crashed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    other = Ledger(url, host="elsewhere", pid=999_999)
    run = other.claim("j", "2025-10", report="board-pack", now=NOW)
    here = Ledger(url)
    assert here.crashed(NOW + dt.timedelta(minutes=5), dt.timedelta(minutes=10)) == []
    assert [r.id for r in here.crashed(NOW + dt.timedelta(minutes=11), dt.timedelta(minutes=10))] == [run.id]


def test_outbox_commands(tmp_path: Path) -> None:
    server = SmtpServer()
    schedules = write_schedules(tmp_path, "", smtp=server.smtp_toml())
    settings = load_schedules(schedules)
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["To"], msg["From"], msg["Subject"] = "board@example.org", "r@example.org", "Board pack: March 2005"
    msg.set_content("hello")
    Outbox(settings.outbox.path).put(msg, stem="board-pack-2005-03")
    listed = CliRunner().invoke(cli, ["outbox", "list", "--schedules", str(schedules)])
    assert listed.exit_code == 0 and "Board pack: March 2005" in listed.output and "1 message(s)" in listed.output
    down = CliRunner().invoke(cli, ["outbox", "send", "--schedules", str(schedules)])
    assert down.exit_code == 1 and "1 message(s) still waiting" in down.output
    server.start()
    try:
        sent = CliRunner().invoke(cli, ["outbox", "send", "--schedules", str(schedules)])
        assert sent.exit_code == 0, sent.output
        assert "sent 1, waiting 0" in sent.output and server.mailbox.wait_for(1)
        assert server.mailbox.messages[0]["Subject"] == "Board pack: March 2005"
    finally:
        server.stop()


def test_queue_commands_name_a_config_dir_without_partnership_toml(tmp_path: Path) -> None:
    """The queue's rows are filed by partnership: with no partnership.toml to read its id from,
    `outbox list` says which key of which file to fix rather than guess a partnership."""
    schedules = write_schedules(tmp_path, "", config=False)
    result = CliRunner().invoke(cli, ["outbox", "list", "--schedules", str(schedules)])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {schedules}: config_dir: {tmp_path / 'config' / 'partnership.toml'} is missing")
    assert not (tmp_path / "var").exists(), "refused before any database was opened"


def test_schedules_command_lists_next_runs_in_local_time(repo_root: Path) -> None:
    result = CliRunner().invoke(cli, ["schedules", "--schedules", str(repo_root / "schedules.toml"), "-n", "2"])
    assert result.exit_code == 0, result.output
    assert "board-pack" in result.output
    assert "07:00 GMT ->" in result.output or "07:00 BST ->" in result.output
    assert "after approval" in result.output
