"""``reportgen serve``: APScheduler 3 as the alarm clock, the ledger as the memory.

APScheduler keeps each job's next fire time in a SQLAlchemy job store (the same database as
the run ledger), with a deliberate misfire grace time (hours, not APScheduler's default
second) and coalescing, so a busy or briefly stopped service still fires. But exactly-once
comes from the ledger, not from APScheduler: every firing, and a sweep every few minutes,
asks "which (job, period) pairs have come due since this job was first scheduled and have
no finished run?" and runs each once. So after downtime each missed run happens once for
the period it was due for; runs waiting for partners' returns or retrying after a failure
are picked up by the sweep; and two services on one database cannot both run a period.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
import threading
import traceback
from collections.abc import Iterable
from typing import Any

from reportgen.deliver.outbox import Outbox
from reportgen.schedule import jobs as jobs_module
from reportgen.schedule.config import Job, Schedules
from reportgen.schedule.ledger import Ledger, Run
from reportgen.schedule.runner import Clock, Runner, event, utcnow
from reportgen.schedule.timing import Due, WallClockTrigger, due_between
from reportgen.store import DEFAULT_PARTNERSHIP

log = logging.getLogger("reportgen.schedule")
JOBSTORE_TABLE = "apscheduler_jobs"
SWEEP_ID = "reportgen-sweep"

# APScheduler stores a job's function as "module:name", so firings find the service here.
_ACTIVE: Service | None = None


def jobstore_table(partnership: str) -> str:
    """Each partnership's service keeps its APScheduler jobs in its own table, so services of
    several partnerships sharing one database never replace each other's jobs."""
    return JOBSTORE_TABLE if partnership == DEFAULT_PARTNERSHIP else f"{JOBSTORE_TABLE}_{partnership.replace('-', '_')}"


def fire(job_id: str) -> None:
    """APScheduler's entry point for a job's due time."""
    if _ACTIVE is not None:
        _ACTIVE.guarded(f"job:{job_id}", lambda: _ACTIVE.run_due([job_id]) if _ACTIVE else None)


def sweep() -> None:
    """APScheduler's entry point for the periodic sweep (stale runs, waits, retries, the outbox)."""
    if _ACTIVE is not None:
        _ACTIVE.guarded("sweep", _ACTIVE.sweep)


class ToleratingJobStore:
    """Builds APScheduler's SQLAlchemy job store, made to shrug off a job that another service
    on the same database already updated or removed: two services share the table, and a
    ``once`` job fired by both is removed by the first, after which the second's scheduler
    thread died on JobLookupError. The ledger, not the job store, decides what runs."""

    @staticmethod
    def build(engine: Any, tablename: str) -> Any:
        from apscheduler.jobstores.base import JobLookupError
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        class Store(SQLAlchemyJobStore):
            def update_job(self, job: Any) -> None:
                try:
                    super().update_job(job)
                except JobLookupError:
                    log.info("event=jobstore job=%s period=- outcome=gone reason=\"updated or removed by another "
                             "service\"", job.id)

            def remove_job(self, job_id: str) -> None:
                with contextlib.suppress(JobLookupError):
                    super().remove_job(job_id)

            def start(self, scheduler: Any, alias: str) -> None:
                # Two services starting together both find the table missing and both create
                # it (checkfirst is not atomic); the loser's "already exists" means it is there.
                from sqlalchemy.exc import OperationalError, ProgrammingError

                for attempt in range(5):
                    try:
                        super().start(scheduler, alias)
                        return
                    except (OperationalError, ProgrammingError) as exc:
                        if "already exists" not in str(exc) or attempt == 4:
                            raise

        return Store(engine=engine, tablename=tablename)


def _scheduler_class() -> type:
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.base import STATE_RUNNING

    class Scheduler(BackgroundScheduler):
        """APScheduler 3's BackgroundScheduler, but a paused or stopped one hands out no job.
        shutdown() closes the executors and then wakes the scheduler's thread, which looks for
        due jobs once more before it notices it is stopped: a job due by then (the sweep, after
        the pause that stopping starts with) went to the closed pool, and APScheduler logged
        "cannot schedule new futures after shutdown" with a traceback."""

        def _process_jobs(self) -> float | None:
            if self.state != STATE_RUNNING:
                return None
            return super()._process_jobs()

    return Scheduler


def _new_scheduler(**kwargs: Any) -> Any:
    # the class is made here, not at import: APScheduler is imported only when serving
    return _scheduler_class()(**kwargs)


class Service:
    def __init__(
        self,
        settings: Schedules,
        *,
        now: Clock = utcnow,
        generate: jobs_module.GenerateFn | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        self.settings = settings
        self.now = now
        self.ledger = ledger or Ledger(settings.database_url, partnership=settings.partnership)
        self.runner = Runner(settings, self.ledger, now=now, generate=generate)
        self.scheduler: Any = None
        self._stop = threading.Event()
        self._sweep_lock = threading.Lock()
        self.last_sweep: dt.datetime | None = None  # the watchdog's sign of life (wall clock)
        self.exit_code = 0

    @property
    def jobs(self) -> list[Job]:
        return [j for j in self.settings.jobs if j.enabled]

    # --- what is due ---------------------------------------------------------------------------
    def due(self, job: Job, now: dt.datetime) -> list[Due]:
        """(period, due time) pairs of ``job`` due since it was first scheduled, up to ``now``."""
        first = self.ledger.first_seen(job.id, now)
        if job.when.once is not None:
            # A one-off names its own time: if the service was not running then, it is owed.
            first = now - self.settings.service.catch_up
        after = max(first, now - self.settings.service.catch_up)
        return due_between(job, after, now)

    def register(self) -> None:
        """Note when each job was first scheduled: runs due before that are not caught up."""
        now = self.now()
        for job in self.jobs:
            self.ledger.first_seen(job.id, now)

    def run_due(self, job_ids: Iterable[str] | None = None) -> list[Run]:
        """Run every due (job, period) that has no finished run. Safe to call at any time,
        from any number of services: the ledger lets each pair run once."""
        wanted = set(job_ids) if job_ids is not None else None
        done: list[Run] = []
        with self._sweep_lock:
            now = self.now()
            for job in self.jobs:
                if wanted is not None and job.id not in wanted:
                    continue
                for due in self.due(job, now):
                    if self.runner.stopping.is_set():
                        return done
                    if not self.runner.should_run(job, due.period, now):
                        continue
                    gaps = self.runner.missing(job, due.period)
                    if gaps and now < due.at + job.readiness.wait:
                        event("wait", job.id, due.period.key, "waiting", missing="; ".join(gaps),
                              until=(due.at + job.readiness.wait).isoformat(timespec="minutes"))
                        continue
                    late = now - due.at > self.settings.service.misfire_grace
                    run = self.runner.execute(
                        job, due.period, trigger="catch-up" if late else "schedule", due_at=due.at, gaps=gaps
                    )
                    if run is not None:
                        done.append(run)
        return done

    def sweep(self) -> None:
        """What every sweep does: take over runs whose worker died or stopped beating, run what
        is due or retrying, send what is owed."""
        self.last_sweep = dt.datetime.now(dt.UTC)  # the scheduler fired: it is alive
        self.runner.recover()
        self.run_due()
        # each on its own guard: a failure here is alerted and does not hold up the outbox
        self.guarded("console requests", self.run_requested)
        if self.settings.reminders.enabled:
            self.guarded("reminders", self.send_reminders)
        self.flush_outbox()
        self.last_sweep = dt.datetime.now(dt.UTC)

    def run_requested(self) -> None:
        """Runs and reruns queued from the web console (reportgen/schedule/requests.py)."""
        from reportgen.schedule import requests

        with self._sweep_lock:
            requests.process(self.runner)

    def send_reminders(self) -> None:
        """Partners' reminders due today ([reminders] in schedules.toml; each sent once)."""
        from zoneinfo import ZoneInfo

        from reportgen.console.reminders import remind_recent

        today = self.now().astimezone(ZoneInfo(self.settings.timezone)).date()
        for r in remind_recent(self.settings, today=today):
            if r.outcome != "already sent":
                log.info('event=reminder job=- period=%s outcome="%s" partner=%s kind=%s', r.period, r.outcome,
                         r.partner, r.kind)  # fmt: skip

    def guarded(self, what: str, work: Any) -> None:
        """Run a scheduler callback; an exception is logged and alerted, never lost in
        APScheduler's thread, and the next sweep tries again."""
        try:
            work()
        except Exception as exc:
            log.error('event=scheduler job=- period=- outcome=error task=%s error="%s: %s"', what,
                      exc.__class__.__name__, exc)
            log.debug("traceback:\n%s", traceback.format_exc())
            with contextlib.suppress(Exception):
                self.runner.queue.alert(
                    "-", "-", None, f"[reportgen] service error in {what}",
                    f"reportgen serve on {self.ledger.host} (pid {self.ledger.pid}) hit an error in {what}:\n\n"
                    f"{exc.__class__.__name__}: {exc}\n\nIt carries on and tries again at the next sweep.\n",
                )

    def flush_outbox(self) -> None:
        """Every queued delivery whose back-off has passed, then any loose .eml in pending/."""
        self.runner.queue.process()
        outbox = Outbox(self.settings.outbox.path)
        loose = outbox.loose()
        if not self.settings.smtp.configured or not loose:
            return
        result = outbox.send(self.settings.smtp, only=loose)
        if result.sent or result.error:
            log.info(
                "event=outbox.flush job=- period=- outcome=%s sent=%d waiting=%d%s",
                "sent" if not result.error else "waiting-for-smtp",
                len(result.sent),
                len(result.waiting),
                f' error="{result.error}"' if result.error else "",
            )

    def startup(self) -> None:
        """Detect runs that crashed, put back half-sent mail, note the jobs."""
        self.runner.recover()
        Outbox(self.settings.outbox.path).recover()
        self.register()

    # --- APScheduler ------------------------------------------------------------------------------
    def build_scheduler(self) -> Any:
        """A BackgroundScheduler on the persistent job store, with every configured job in it."""
        from apscheduler.executors.pool import ThreadPoolExecutor

        grace = int(self.settings.service.misfire_grace.total_seconds())
        table = jobstore_table(self.ledger.partnership)
        scheduler = _new_scheduler(
            jobstores={"default": ToleratingJobStore.build(self.ledger.engine, table)},
            # One worker: runs happen one after another, never two renders at once.
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "misfire_grace_time": grace, "max_instances": 1},
            timezone=self.settings.timezone,
        )
        scheduler.start(paused=True)
        self.install(scheduler)
        return scheduler

    def install(self, scheduler: Any) -> None:
        """Put each job and the sweep in the job store, replacing what an earlier start left."""
        from apscheduler.triggers.interval import IntervalTrigger

        now = self.now()
        wanted = set()
        for job in self.jobs:
            trigger = WallClockTrigger(job)
            job_id = f"job:{job.id}"
            wanted.add(job_id)
            scheduler.add_job(
                "reportgen.schedule.service:fire",
                trigger=trigger,
                args=[job.id],
                id=job_id,
                name=f"{job.report} ({job.id})",
                replace_existing=True,
                next_run_time=trigger.get_next_fire_time(None, now),
            )
        every = self.settings.service.sweep_every
        scheduler.add_job(
            "reportgen.schedule.service:sweep",
            trigger=IntervalTrigger(seconds=max(1, int(every.total_seconds())), timezone=dt.UTC),
            id=SWEEP_ID,
            name="catch up, waits, retries, outbox",
            replace_existing=True,
            next_run_time=now,  # the catch-up pass, straight after start
        )
        wanted.add(SWEEP_ID)
        for stored in scheduler.get_jobs():
            if stored.id not in wanted:
                scheduler.remove_job(stored.id)

    def serve(self, *, install_signals: bool = True) -> bool:
        """Run in the foreground until SIGTERM or SIGINT. Returns True if it stopped cleanly
        (the run in hand finished), False if that run had to be abandoned."""
        global _ACTIVE
        _ACTIVE = self
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda signum, _frame: self.request_stop(signum))
        self.startup()
        self.scheduler = self.build_scheduler()
        for stored in self.scheduler.get_jobs():
            log.info("event=scheduled job=%s period=- outcome=next next=%s", stored.id.removeprefix("job:"),
                     stored.next_run_time.isoformat() if stored.next_run_time else "never")
        self.scheduler.resume()
        log.info("event=serve job=- period=- outcome=started jobs=%d database=%s", len(self.jobs),
                 self.ledger.url)
        self.watch()
        return self.shutdown()

    def watch(self) -> None:
        """The main thread watches the scheduler until asked to stop. If APScheduler's thread
        has died, or no sweep has started for three sweep intervals (plus stale_after and four
        SMTP timeouts; a run in hand holds sweeps back and does not count), the service says
        so, alerts and stops with exit code 1 so systemd
        (Restart=on-failure) starts a fresh one; a run in hand is abandoned and retried."""
        every = self.settings.service.sweep_every.total_seconds()
        # A sweep may legitimately take a while: a slow mail server times out per message.
        allowance = dt.timedelta(seconds=3 * every) + self.settings.service.stale_after + 4 * self.settings.smtp.timeout
        tick = min(max(every / 2, 0.5), 30)
        busy = previous = dt.datetime.now(dt.UTC)  # a run in hand holds the sweep back: not a fault
        while not self._stop.wait(tick):
            now = dt.datetime.now(dt.UTC)
            if not self.runner.idle.is_set() or (now - previous).total_seconds() > 2 * tick + 1:
                # Busy, or the whole process was paused (SIGSTOP, a suspended VM): the
                # scheduler gets its allowance again from now rather than being blamed.
                busy = now
            previous = now
            thread = getattr(self.scheduler, "_thread", None)
            dead = self.scheduler is not None and (not self.scheduler.running or (thread and not thread.is_alive()))
            last = max(self.last_sweep or busy, busy)
            stuck = now - last > allowance
            if dead or stuck:
                why = "the scheduler thread has died" if dead else f"no sweep since {last:%H:%M:%S} UTC"
                log.error('event=watchdog job=- period=- outcome=failed reason="%s" action=exit', why)
                with contextlib.suppress(Exception):
                    self.runner.queue.alert("-", "-", None, "[reportgen] service restarting",
                                            f"reportgen serve on {self.ledger.host} (pid {self.ledger.pid}): {why}. "
                                            "It exits with status 1 for systemd to restart it.\n")
                self.exit_code = 1
                self.request_stop()
                return

    def request_stop(self, signum: int | None = None) -> None:
        if not self._stop.is_set():
            name = signal.Signals(signum).name if signum else "stop"
            log.info("event=serve job=- period=- outcome=stopping signal=%s", name)
        self.runner.stopping.set()
        self._stop.set()

    def shutdown(self) -> bool:
        """Stop firing; let the run in hand finish within stop_timeout, else abandon it cleanly."""
        global _ACTIVE
        self.runner.stopping.set()
        if self.scheduler is not None and self.scheduler.running:  # not if it died: the watchdog's case
            with contextlib.suppress(Exception):
                # Paused, then a pass already handing out jobs is let finish (it holds the job
                # stores' lock throughout), so no job goes to the executor that shutdown()
                # closes; nor on the wake-up shutdown() causes (see _scheduler_class).
                self.scheduler.pause()
                with self.scheduler._jobstores_lock:
                    pass
                self.scheduler.shutdown(wait=False)
        clean = self.runner.idle.wait(self.settings.service.stop_timeout.total_seconds())
        if not clean:
            run, staging = self.runner.current, self.runner.current_staging
            if run is not None and self.ledger.abandon(
                run.id, now=self.now(), reason="the service was stopped before the run finished", token=run.attempts
            ):
                event("run.end", run.job, run.period, "abandoned", version=run.version, reason="SIGTERM")
            if staging is not None:
                import shutil

                shutil.rmtree(staging, ignore_errors=True)
        log.info("event=serve job=- period=- outcome=%s", "stopped" if clean else "stopped-abandoning-run")
        _ACTIVE = None
        return clean
