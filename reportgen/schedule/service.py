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

import datetime as dt
import logging
import signal
import threading
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
        _ACTIVE.run_due([job_id])


def sweep() -> None:
    """APScheduler's entry point for the periodic sweep (waits, retries, the outbox)."""
    if _ACTIVE is not None:
        _ACTIVE.runner.recover()  # another service's run whose process died meanwhile
        _ACTIVE.run_due()
        _ACTIVE.flush_outbox()


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

    def flush_outbox(self) -> None:
        outbox = Outbox(self.settings.outbox.path)
        if not self.settings.smtp.configured or not outbox.pending():
            return
        result = outbox.send(self.settings.smtp)
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
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        grace = int(self.settings.service.misfire_grace.total_seconds())
        table = jobstore_table(self.ledger.partnership)
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.ledger.engine, tablename=table)},
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
                signal.signal(sig, lambda signum, frame: self.request_stop(signum))
        self.startup()
        self.scheduler = self.build_scheduler()
        for stored in self.scheduler.get_jobs():
            log.info("event=scheduled job=%s period=- outcome=next next=%s", stored.id.removeprefix("job:"),
                     stored.next_run_time.isoformat() if stored.next_run_time else "never")
        self.scheduler.resume()
        log.info("event=serve job=- period=- outcome=started jobs=%d database=%s", len(self.jobs),
                 self.ledger.url)
        while not self._stop.wait(3600):
            pass
        return self.shutdown()

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
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        clean = self.runner.idle.wait(self.settings.service.stop_timeout.total_seconds())
        if not clean:
            run, staging = self.runner.current, self.runner.current_staging
            if run is not None and self.ledger.abandon(
                run.id, now=self.now(), reason="the service was stopped before the run finished"
            ):
                event("run.end", run.job, run.period, "abandoned", version=run.version, reason="SIGTERM")
            if staging is not None:
                import shutil

                shutil.rmtree(staging, ignore_errors=True)
        log.info("event=serve job=- period=- outcome=%s", "stopped" if clean else "stopped-abandoning-run")
        _ACTIVE = None
        return clean
