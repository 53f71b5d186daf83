"""The service with a controlled clock against the real SQLite ledger and job store.

No sleeping: the test moves the clock and asks the service what is due, exactly as the
APScheduler firing and the sweep do in production.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from pipeline_double import make_generate
from sched_helpers import Clock, settings_at, utc
from sqlalchemy import text

from reportgen.cli import cli
from reportgen.periods import Period
from reportgen.schedule.ledger import Ledger
from reportgen.schedule.manual import manual_run
from reportgen.schedule.runner import Runner
from reportgen.schedule.service import SWEEP_ID, Service, jobstore_table

BOARD = """
[[jobs]]
id = "board-pack"
report = "board-pack"
period = "month"
when = { working_day = 5, at = "07:00" }
deliver = [{ channel = "email", to = ["board@example.org"] }]
"""


PID = "testborough-community-safety-partnership"  # the small test config's partnership id

def service(root: Path, jobs: str, clock: Clock, calls: list, **kwargs) -> Service:  # type: ignore[no-untyped-def]
    settings = settings_at(root, jobs)
    return Service(settings, now=clock, generate=make_generate(calls, **kwargs))


def test_october_clock_change_runs_once_at_the_first_0130(tmp_path: Path) -> None:
    jobs = BOARD.replace('when = { working_day = 5, at = "07:00" }', 'when = { cron = "30 1 26 10 *" }')
    clock = Clock(utc(2025, 10, 25, 22))
    calls: list = []
    svc = service(tmp_path, jobs, clock, calls)
    svc.startup()
    started = []
    while clock() < utc(2025, 10, 26, 4):  # every 5 minutes through the night, both 01:30s included
        for run in svc.run_due():
            started.append((clock(), run))
        clock.advance(minutes=5)
    assert len(started) == 1 and len(calls) == 1
    at, run = started[0]
    assert at == utc(2025, 10, 26, 0, 30), "01:30 BST, not the repeated 01:30 GMT an hour later"
    assert run.period == "2025-09" and run.due_at == utc(2025, 10, 26, 0, 30) and run.status == "succeeded"


def test_stored_apscheduler_trigger_fires_once_at_0130_across_the_october_change(tmp_path: Path) -> None:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    jobs = BOARD.replace('when = { working_day = 5, at = "07:00" }', 'when = { cron = "30 1 * * *" }')
    clock = Clock(utc(2025, 10, 24, 12))
    svc = service(tmp_path, jobs, clock, [])
    scheduler = svc.build_scheduler()
    try:
        # Read the job back from the SQLite job store, as a restarted service would.
        store = SQLAlchemyJobStore(url=svc.ledger.url, tablename=jobstore_table(svc.ledger.partnership))
        store.start(scheduler, "check")
        stored = store.lookup_job("job:board-pack")
        fires, previous, now = [], None, clock()
        for _ in range(4):
            previous = stored.trigger.get_next_fire_time(previous, now)
            fires.append(previous)
            now = previous
        store.shutdown()
    finally:
        scheduler.shutdown(wait=False)
    assert stored.next_run_time == utc(2025, 10, 25, 0, 30)
    assert [f.astimezone(dt.UTC) for f in fires] == [
        utc(2025, 10, 25, 0, 30), utc(2025, 10, 26, 0, 30), utc(2025, 10, 27, 1, 30), utc(2025, 10, 28, 1, 30)
    ]
    assert {f.strftime("%H:%M") for f in fires} == {"01:30"}, "always 01:30 on the wall clock"


def test_march_clock_change_runs_once_as_the_clocks_jump(tmp_path: Path) -> None:
    jobs = BOARD.replace('when = { working_day = 5, at = "07:00" }', 'when = { cron = "30 1 30 3 *" }')
    clock = Clock(utc(2025, 3, 29, 22))
    calls: list = []
    svc = service(tmp_path, jobs, clock, calls)
    svc.startup()
    started = []
    while clock() < utc(2025, 3, 30, 6):
        started += [(clock(), r) for r in svc.run_due()]
        clock.advance(minutes=5)
    assert [(at, r.period) for at, r in started] == [(utc(2025, 3, 30, 1, 0), "2025-02")]
    assert len(calls) == 1


def test_missed_runs_happen_once_each_for_their_own_period(tmp_path: Path) -> None:
    calls: list = []
    clock = Clock(utc(2025, 11, 3, 12))  # before October's pack is due (Fri 7 Nov 07:00)
    first = service(tmp_path, BOARD, clock, calls)
    first.startup()
    assert first.run_due() == []
    first.ledger.dispose()

    # The service is down from 3 November to 10 December: October's and November's packs
    # (due 7 Nov and 5 Dec) were missed. A new process on the same database catches up.
    clock.set(utc(2025, 12, 10, 9))
    second = service(tmp_path, BOARD, clock, calls)
    second.startup()
    done = second.run_due()
    assert [(r.period, r.trigger, r.status) for r in done] == [
        ("2025-10", "catch-up", "succeeded"),
        ("2025-11", "catch-up", "succeeded"),
    ]
    assert [r.due_at for r in done] == [utc(2025, 11, 7, 7), utc(2025, 12, 5, 7)]
    assert calls == [("board-pack", "2025-10", None), ("board-pack", "2025-11", None)]
    # A further restart, and APScheduler's own misfired firing, change nothing.
    third = service(tmp_path, BOARD, clock, calls)
    third.startup()
    assert third.run_due() == [] and third.run_due(["board-pack"]) == []
    assert len(calls) == 2
    assert len(third.ledger.runs()) == 2


def test_job_store_is_persistent_with_deliberate_grace_and_coalescing(tmp_path: Path) -> None:
    calls: list = []
    clock = Clock(utc(2025, 11, 10, 12))
    svc = service(tmp_path, BOARD, clock, calls)
    scheduler = svc.build_scheduler()  # started paused: nothing fires in this test
    try:
        job = scheduler.get_job("job:board-pack")
        assert job.next_run_time == utc(2025, 12, 5, 7)  # 5th working day of December, 07:00 GMT
        assert job.coalesce is True and job.misfire_grace_time == 6 * 3600
        assert scheduler.get_job(SWEEP_ID) is not None
        with svc.ledger.engine.connect() as conn:
            table = jobstore_table(svc.ledger.partnership)
            rows = conn.execute(text(f"SELECT id, next_run_time FROM {table} ORDER BY id")).all()
        assert [r[0] for r in rows] == ["job:board-pack", SWEEP_ID]
        assert rows[0][1] == utc(2025, 12, 5, 7).timestamp()
    finally:
        scheduler.shutdown(wait=False)

    # Restarted with the job removed from schedules.toml: its stored entry goes too.
    other = BOARD.replace('id = "board-pack"', 'id = "pack-2"')
    svc2 = service(tmp_path, other, clock, calls)
    scheduler2 = svc2.build_scheduler()
    try:
        assert sorted(j.id for j in scheduler2.get_jobs()) == ["job:pack-2", SWEEP_ID]
    finally:
        scheduler2.shutdown(wait=False)


def test_two_services_and_a_manual_run_make_one_run_per_period(tmp_path: Path) -> None:
    calls: list = []
    clock = Clock(utc(2025, 11, 1))
    a = service(tmp_path, BOARD, clock, calls)
    b = service(tmp_path, BOARD, clock, calls)
    a.startup()
    b.startup()
    clock.set(utc(2025, 12, 10))  # October and November are both due
    barrier = threading.Barrier(3)
    results: dict[str, object] = {}

    def go(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        results[name] = fn()

    manual = Runner(a.settings, Ledger(a.settings.database_url, partnership=a.settings.partnership), now=clock, generate=make_generate(calls))
    threads = [
        threading.Thread(target=go, args=("a", a.run_due)),
        threading.Thread(target=go, args=("b", b.run_due)),
        threading.Thread(target=go, args=("manual", lambda: manual_run(manual, "board-pack",
                                                                        Period.parse("2025-10")))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    runs = a.ledger.runs()
    assert sorted((r.period, r.version, r.status) for r in runs) == [
        ("2025-10", 1, "succeeded"), ("2025-11", 1, "succeeded")
    ]
    assert sorted(c[1] for c in calls) == ["2025-10", "2025-11"], "each period rendered once"
    emails = list((tmp_path / "outputs" / "outbox" / "pending").glob("*.eml"))
    assert len(emails) == 2, "each period sent once"

    # A second manual run is refused without --force (through the CLI, no rendering)...
    schedules = str(tmp_path / "schedules.toml")
    result = CliRunner().invoke(cli, ["run", "board-pack", "--period", "2025-10", "--deliver",
                                      "--schedules", schedules])
    assert result.exit_code == 0, result.output
    assert "already produced" in result.output and "--force" in result.output
    assert len(calls) == 2
    # ...and --force makes version 2, keeping version 1.
    forced = manual_run(manual, "board-pack", Period.parse("2025-10"), force=True)
    assert forced[0][1].version == 2 and forced[0][1].status == "succeeded"
    v1 = a.ledger.find("board-pack", "2025-10", 1)
    assert all(p.exists() for p in v1.files) and v1.files != forced[0][1].files


def test_failures_retry_with_backoff_then_alert_support(tmp_path: Path) -> None:
    calls: list = []
    clock = Clock(utc(2025, 11, 1))
    svc = service(tmp_path, BOARD, clock, calls, fail=10)
    svc.startup()
    clock.set(utc(2025, 11, 7, 7))
    first = svc.run_due()
    assert [(r.status, r.attempts) for r in first] == [("failed", 1)]
    assert first[0].next_attempt_at == utc(2025, 11, 7, 7, 10)  # retry_backoff = 10m
    clock.advance(minutes=9)
    assert svc.run_due() == [], "not before the back-off"
    clock.advance(minutes=1)
    second = svc.run_due()
    assert [(r.status, r.attempts) for r in second] == [("failed", 2)]
    assert second[0].next_attempt_at == utc(2025, 11, 7, 7, 30)  # doubled: 20m
    clock.set(utc(2025, 11, 7, 7, 30))
    third = svc.run_due()
    assert [(r.status, r.attempts, r.next_attempt_at) for r in third] == [("failed", 3, None)]
    assert third[0].alerted
    clock.advance(days=1)
    assert svc.run_due() == [] and len(calls) == 3, "no more attempts after max_attempts"
    alerts = [p.read_text() for p in (tmp_path / "outputs" / "outbox" / "pending").glob("*alert*.eml")]
    assert len(alerts) == 1
    assert "support@example.org" in alerts[0] and "the test pipeline was told to fail" in alerts[0]
    # A person can still run it by hand once the cause is fixed.
    fixed = Runner(svc.settings, svc.ledger, now=clock, generate=make_generate(calls))
    out = manual_run(fixed, "board-pack", Period.parse("2025-10"))
    assert out[0][1] is not None and out[0][1].status == "succeeded" and out[0][1].attempts == 4


def test_stop_during_a_run_lets_it_finish(tmp_path: Path) -> None:
    calls: list = []
    clock = Clock(utc(2025, 11, 1))
    holder: dict[str, Service] = {}

    def stop_now(_out_dir: Path) -> None:
        holder["svc"].request_stop()  # SIGTERM arrives while the documents are being written

    svc = service(tmp_path, BOARD, clock, calls, before_return=stop_now)
    holder["svc"] = svc
    svc.startup()
    clock.set(utc(2025, 11, 7, 8))
    [run] = svc.run_due()
    assert run.status == "succeeded" and all(p.exists() for p in run.files)
    assert svc.shutdown() is True, "stopped cleanly: nothing abandoned"
    assert len(list((tmp_path / "outputs" / "outbox" / "pending").glob("*.eml"))) == 1


def test_stop_timeout_abandons_the_run_cleanly_and_next_start_retries(tmp_path: Path) -> None:
    calls: list = []
    clock = Clock(utc(2025, 11, 1))
    inside, release = threading.Event(), threading.Event()

    def hang(_out_dir: Path) -> None:
        inside.set()
        release.wait(30)

    extra = 'stop_timeout = "0.2s"'
    settings = settings_at(tmp_path, BOARD, extra=extra)
    svc = Service(settings, now=clock, generate=make_generate(calls, before_return=hang))
    svc.startup()
    clock.set(utc(2025, 11, 7, 8))
    worker = threading.Thread(target=svc.run_due)
    worker.start()
    assert inside.wait(30)
    svc.request_stop()
    assert svc.shutdown() is False, "the run did not finish within stop_timeout"
    release.set()  # the render completes after the service gave up on it
    worker.join(30)
    [run] = svc.ledger.runs()
    assert run.status == "abandoned" and "stopped" in (run.error or "")
    out = tmp_path / "outputs"
    assert not any((out / "runs").rglob("*.pdf")) and not any((out / ".staging").iterdir())
    assert not (out / "outbox" / "pending").exists(), "nothing sent for an abandoned run"

    again = Service(settings, now=clock, generate=make_generate(calls))
    again.startup()
    [retried] = again.run_due()
    assert (retried.period, retried.status, retried.attempts) == ("2025-10", "succeeded", 2)
    assert all(p.exists() for p in retried.files)


@pytest.mark.parametrize("arrives", [True, False])
def test_waits_for_partner_returns_then_renders_with_gap_flagged(tmp_path: Path, arrives: bool) -> None:
    import pandas as pd

    from reportgen.store import Store

    jobs = BOARD.replace('at = "07:00" }', 'at = "07:00" }\nreadiness = { wait = "2d" }')
    calls: list = []
    clock = Clock(utc(2005, 4, 1))
    svc = service(tmp_path, jobs, clock, calls)
    svc.startup()
    clock.set(utc(2005, 4, 7, 8))  # March's pack was due at 07:00 BST (06:00 UTC) on 7 April
    assert svc.run_due() == [] and calls == [], "police return for March not in yet"
    if arrives:
        store = Store(svc.settings.store, partnership=svc.settings.partnership)
        frame = pd.DataFrame({"indicator": ["burglary"], "area": ["borough"], "period": ["2005-03"], "value": [30]})
        store.load(frame, source="returns", partner="police", now=clock())
        store.dispose()
        clock.advance(hours=3)
        [run] = svc.run_due()
        assert run.gaps == []
    else:
        clock.set(utc(2005, 4, 9, 5, 59))
        assert svc.run_due() == []
        clock.set(utc(2005, 4, 9, 6, 0))  # the two days' wait is over
        [run] = svc.run_due()
        assert run.gaps == ["Testshire Police"]
        body = next((tmp_path / "outputs" / "outbox" / "pending").glob("*.eml")).read_text()
        assert "Returns still missing" in body and "Testshire Police" in body
    assert run.period == "2005-03" and run.status == "succeeded" and len(calls) == 1


def test_one_off_run_is_owed_even_if_the_service_starts_after_it(tmp_path: Path) -> None:
    jobs = BOARD.replace('when = { working_day = 5, at = "07:00" }',
                         'when = { once = "2025-11-20T09:00" }\nfixed_period = "2025-10"')
    calls: list = []
    clock = Clock(utc(2025, 11, 20, 12))  # first started three hours after the one-off time
    svc = service(tmp_path, jobs, clock, calls)
    svc.startup()
    [run] = svc.run_due()
    assert (run.period, run.due_at, run.status) == ("2025-10", utc(2025, 11, 20, 9), "succeeded")
    clock.advance(days=1)
    assert svc.run_due() == [] and len(calls) == 1


def test_serve_once_catches_up_then_exits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen.schedule import jobs as jobs_module

    calls: list = []
    monkeypatch.setattr(jobs_module, "generate", make_generate(calls))  # the pipeline's test double
    jobs = BOARD.replace('when = { working_day = 5, at = "07:00" }',
                         'when = { once = "2020-01-06T07:00" }\nfixed_period = "2019-12"')
    settings_at(tmp_path, jobs, extra='catch_up = "36500d"')
    args = ["serve", "--once", "--schedules", str(tmp_path / "schedules.toml")]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert calls == [("board-pack", "2019-12", None)]
    [run] = Ledger(f"sqlite:///{tmp_path / 'var' / 'reportgen.sqlite'}", partnership=PID).runs()
    assert (run.period, run.trigger, run.status) == ("2019-12", "catch-up", "succeeded")
    assert len(list((tmp_path / "outputs" / "outbox" / "pending").glob("*.eml"))) == 1
