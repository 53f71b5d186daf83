"""Scheduled reminders (`reportgen returns remind`): a few days before the deadline and when
overdue, to the partner's contacts through the outbox, each once, recorded."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from click.testing import CliRunner
from console_kit import pulled, settings_for  # noqa: F401 (fixture)

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.console.db import open_db, recent


def remind(schedules: Path, today: str) -> str:
    result = CliRunner().invoke(cli, ["returns", "remind", "--schedules", str(schedules), "--period", "2008-04",
                                      "--days-before", "3", "--today", today])  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output


def messages(outbox: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(outbox.rglob("*.eml"))
    ]


def test_due_soon_then_overdue_each_once(tmp_path: Path, pulled: Path) -> None:  # noqa: F811
    settings = settings_for(tmp_path, pulled)
    config = load_config(settings.config_dir)
    police = config.partner("police")
    # the demo's data end in March 2008: everything for April is missing; police's deadline
    # is 10 days after the month, council's 15 (partners/*.toml return_deadline_days)
    assert (police.return_deadline_days, config.partner("council").return_deadline_days) == (10, 15)
    outbox = tmp_path / "outbox"
    assert "police 2008-04 due-soon (deadline 2008-05-10): queued in the outbox" in remind(
        tmp_path / "schedules.toml", "2008-05-07"
    )
    [msg] = messages(outbox)
    assert msg["To"] == "data.lead@police.example.org"
    assert "April 2008" in msg["Subject"]
    # the same day again: nothing new; the council's deadline is not yet within 3 days
    again = remind(tmp_path / "schedules.toml", "2008-05-07")
    assert "police 2008-04 due-soon (deadline 2008-05-10): already sent" in again and "council" not in again
    assert len(messages(outbox)) == 1
    later = remind(tmp_path / "schedules.toml", "2008-05-12")
    assert "police 2008-04 overdue (deadline 2008-05-10): queued" in later
    assert "council 2008-04 due-soon (deadline 2008-05-15): queued" in later
    # partners without an email address are named, not silently skipped
    assert "not sent: " in later and "has no contact with an email address" in later
    assert sorted(m["To"] for m in messages(outbox)) == [
        "data.lead@council.example.org", "data.lead@police.example.org", "data.lead@police.example.org"]  # fmt: skip
    log = [e.detail for e in recent(open_db(settings.store, config.partnership.id)) if e.action == "reminder"]
    assert sorted(d.split(":")[0] for d in log) == [
        "council 2008-04 due-soon", "police 2008-04 due-soon", "police 2008-04 overdue"]  # fmt: skip


def test_serve_sends_due_reminders_on_its_sweep_once(tmp_path: Path, pulled: Path) -> None:  # noqa: F811
    import datetime as dt

    from pipeline_double import make_generate

    from reportgen.console.reminders import recent_months
    from reportgen.schedule.config import load_schedules
    from reportgen.schedule.service import Service

    settings_for(tmp_path, pulled)
    schedules = tmp_path / "schedules.toml"
    schedules.write_text(schedules.read_text() + '\n[reminders]\nenabled = true\ndays_before = 3\n'
                         'console_url = "https://reports.example.org"\n')  # fmt: skip
    settings = load_schedules(schedules)
    assert [p.key for p in recent_months(dt.date(2008, 5, 7), 2)] == ["2008-04", "2008-03"]
    # 7 May 2008: April's police return is due on the 10th (within 3 days); March's returns
    # are held in the demo store, so nothing is owed for March
    moment = dt.datetime(2008, 5, 7, 9, 0, tzinfo=dt.UTC)
    svc = Service(settings, now=lambda: moment, generate=make_generate())
    svc.sweep()
    sent = messages(tmp_path / "outbox")
    assert [(m["To"], " ".join(m["Subject"].split())) for m in sent] == [
        ("data.lead@police.example.org", "Data return reminder: Greater Manchester Police, Wigan Division, April 2008")]
    assert "https://reports.example.org" in sent[0].get_body().get_content()  # type: ignore[union-attr]
    svc.sweep()  # the next sweep (15 minutes later in production) sends nothing again
    assert len(messages(tmp_path / "outbox")) == 1
    config = load_config(settings.config_dir)
    log = [e for e in recent(open_db(settings.store, config.partnership.id)) if e.action == "reminder"]
    assert [(e.username, e.detail.split(":")[0]) for e in log] == [("reportgen", "police 2008-04 due-soon")]
    svc.ledger.dispose()
