"""Run one job for one period, exactly once: claim, render, keep, deliver, record.

Rendering writes into a staging folder under ``<out_dir>/.staging/``; only a complete set is
renamed to ``<out_dir>/runs/<job>/<period>/v<N>/``, so a run that crashes or is stopped
leaves no half output where anyone looks. Every step is recorded in the ledger and logged as
one line: ``event=... job=... period=... outcome=...``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from reportgen.deliver.base import Outcome, Parcel, get_channel
from reportgen.errors import DeliveryError, ReportgenError, ScheduleError
from reportgen.periods import Period
from reportgen.schedule import jobs as jobs_module
from reportgen.schedule.config import ChannelName, Delivery, Job, Schedules
from reportgen.schedule.ledger import RETRYABLE, RUNNING, SUCCEEDED, Ledger, Run

log = logging.getLogger("reportgen.schedule")
Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def event(name: str, job: str, period: str, outcome: str, **fields: object) -> None:
    """One log line per event: name, job, period, outcome, then any details."""
    extra = "".join(f" {k}={_quote(v)}" for k, v in fields.items() if v is not None and v != "")
    level = logging.WARNING if outcome in ("failed", "abandoned", "alerted", "waiting-for-smtp") else logging.INFO
    log.log(level, "event=%s job=%s period=%s outcome=%s%s", name, job, period, outcome, extra)


def _quote(value: object) -> str:
    text = str(value).replace("\n", " ")
    return f'"{text}"' if " " in text else text


class Stopped(Exception):
    """The service is stopping: the run in hand is abandoned cleanly."""


class Runner:
    """Runs jobs against one ledger. Shared by the service and the ``run``/``rerun`` commands."""

    def __init__(
        self,
        settings: Schedules,
        ledger: Ledger,
        *,
        now: Clock = utcnow,
        generate: jobs_module.GenerateFn | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.now = now
        self._generate = generate
        self.stopping = threading.Event()
        self.current: Run | None = None
        self.current_staging: Path | None = None
        self.idle = threading.Event()
        self.idle.set()
        self._lock = threading.Lock()

    @property
    def generate(self) -> jobs_module.GenerateFn:
        return self._generate or jobs_module.generate

    # --- folders ---------------------------------------------------------------------------
    def final_dir(self, job: str, period: str, version: int) -> Path:
        return self.settings.out_dir / "runs" / job / period.replace("/", "-") / f"v{version}"

    def staging_root(self) -> Path:
        return self.settings.out_dir / ".staging"

    # --- one run ---------------------------------------------------------------------------
    def execute(
        self,
        job: Job,
        period: Period,
        *,
        trigger: str,
        due_at: dt.datetime | None = None,
        version: int = 1,
        note: str | None = None,
        deliver: bool = True,
        gaps: list[str] | None = None,
        retry_early: bool = False,
    ) -> Run | None:
        """Claim and run (job, period, version). Returns the finished run, or None if another
        scheduler, an earlier run or a manual run already has it."""
        key = period.key
        run = self.ledger.claim(
            job.id,
            key,
            report=job.report,
            now=self.now(),
            version=version,
            variant=job.variant,
            trigger=trigger,
            due_at=due_at,
            max_attempts=self.settings.service.max_attempts,
            note=note,
            retry_early=retry_early,
        )
        if run is None:
            existing = self.ledger.find(job.id, key, version)
            event("run.skip", job.id, key, existing.status if existing else "taken", version=version,
                  reason="already claimed")
            return None
        event("run.start", job.id, key, "running", version=version, trigger=trigger, attempt=run.attempts,
              due=due_at.isoformat() if due_at else None)
        with self._lock:
            self.current = run
            self.idle.clear()
        beat_stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(run.id, beat_stop), daemon=True)
        beat.start()
        staging = self.staging_root() / f"{job.id}-{key.replace('/', '-')}-v{version}-{run.id}-{os.getpid()}"
        self.current_staging = staging
        try:
            if gaps is None:
                gaps = self.missing(job, period)
            final, files, manifest, result = self._render(job, period, version, staging)
            if note:
                (final / "CHANGES.txt").write_text(note + "\n", encoding="utf-8")
            approval = "pending" if job.needs_approval else "none"
            if not self.ledger.succeed(
                run.id,
                now=self.now(),
                files=files,
                manifest=manifest,
                headline=list(result.headline),
                exceptions=list(result.exceptions),
                gaps=gaps,
                approval=approval,
            ):
                # Abandoned while we rendered (the service was stopped): keep nothing.
                shutil.rmtree(final, ignore_errors=True)
                event("run.end", job.id, key, "abandoned", version=version)
                return self.ledger.get(run.id)
            event("run.end", job.id, key, "succeeded", version=version, files=len(files),
                  gaps="; ".join(gaps) or None)
            finished = self.ledger.get(run.id)
            if deliver:
                self.deliver(finished, job)
            return self.ledger.get(run.id)
        except Stopped:
            self.ledger.abandon(run.id, now=self.now(), reason="the service was stopped during the run")
            event("run.end", job.id, key, "abandoned", version=version, reason="service stopping")
            return self.ledger.get(run.id)
        except Exception as exc:  # a service must outlive any one failed run
            self._failed(run, job, exc)
            return self.ledger.get(run.id)
        finally:
            beat_stop.set()
            shutil.rmtree(staging, ignore_errors=True)
            with self._lock:
                self.current = None
                self.current_staging = None
                self.idle.set()

    def _render(self, job: Job, period: Period, version: int, staging: Path):  # type: ignore[no-untyped-def]
        if self.stopping.is_set():
            raise Stopped()
        staging.mkdir(parents=True, exist_ok=True)
        # Only when schedules.toml names one, so a generate() without the parameter still fits.
        where = {"executor": self.settings.executor} if self.settings.executor else {}
        result = self.generate(
            job.report,
            period,
            config_dir=self.settings.config_dir,
            store_url=self.settings.store,
            out_dir=staging,
            variant=dict(job.variant) or None,
            # The pipeline names re-issues "-v2", "-v3"; the first issue has no suffix.
            version=version if version > 1 else None,
            **where,
        )
        # Stopping now is fine: the service waits stop_timeout for this run to finish. If it
        # gave up and abandoned the run meanwhile, ledger.succeed() refuses and we clean up.
        final = self.final_dir(job.id, period.key, version)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            # Left by an attempt that died between moving its output and recording success.
            shutil.rmtree(final)
        # The pipeline writes <staging>/<report>/<period>/...: keep just that folder's content.
        written = [Path(p).resolve() for p in [*result.files, result.manifest] if p]
        source = staging.resolve()
        if written:
            common = Path(os.path.commonpath(written))
            common = common if common.is_dir() else common.parent
            if common.is_relative_to(source):
                source = common
        os.rename(source, final)

        def moved(path: Path) -> Path:
            try:
                return final / Path(path).resolve().relative_to(source)
            except ValueError:
                return Path(path)

        files = [moved(p) for p in result.files]
        missing = [p for p in files if not p.exists()]
        if missing:
            raise ScheduleError(f"the pipeline reported files that do not exist: {', '.join(map(str, missing))}")
        manifest = moved(result.manifest) if result.manifest else None
        return final, files, manifest, result

    def _beat(self, run_id: int, stop: threading.Event) -> None:
        every = self.settings.service.heartbeat_every.total_seconds()
        while not stop.wait(every):
            with contextlib.suppress(Exception):
                self.ledger.heartbeat(run_id, self.now())

    def _failed(self, run: Run, job: Job, exc: BaseException) -> None:
        if self.ledger.get(run.id).status != RUNNING:
            return  # abandoned by a stopping service while it failed: already recorded
        error = str(exc) if isinstance(exc, ReportgenError) else f"{exc.__class__.__name__}: {exc}"
        if not isinstance(exc, ReportgenError):
            log.debug("traceback for %s %s:\n%s", run.job, run.period, traceback.format_exc())
        service = self.settings.service
        now = self.now()
        if run.attempts < service.max_attempts:
            wait = service.retry_backoff * (2 ** (run.attempts - 1))
            self.ledger.fail(run.id, now=now, error=error, next_attempt_at=now + wait)
            event("run.end", run.job, run.period, "failed", version=run.version, attempt=run.attempts,
                  retry_at=(now + wait).isoformat(timespec="seconds"), error=error)
            return
        self.ledger.fail(run.id, now=now, error=error, next_attempt_at=None)
        event("run.end", run.job, run.period, "failed", version=run.version, attempt=run.attempts,
              error=error, retry="none left")
        self.alert(run, error)

    def alert(self, run: Run, error: str) -> None:
        from reportgen.deliver.email import send_alert

        body = (
            f"The scheduled job {run.job!r} failed for {run.period} after {run.attempts} attempt(s).\n\n"
            f"Error: {error}\n\n"
            f"See: reportgen history --job {run.job}\n"
            f"Retry by hand: reportgen run {run.report} --period {run.period} --deliver\n"
        )
        try:
            outcome = send_alert(self.settings, f"[reportgen] FAILED: {run.job} {run.period}", body)
        except (ReportgenError, OSError) as exc:
            event("alert", run.job, run.period, "failed", error=exc)
            return
        if outcome is not None:
            self.ledger.mark_alerted(run.id)
            self.ledger.record_delivery(run.id, "alert", outcome.target, outcome.status, outcome.detail, self.now())
            event("alert", run.job, run.period, "alerted", to=outcome.target, status=outcome.status)

    # --- delivery ----------------------------------------------------------------------------
    def parcel(self, run: Run, *, draft: bool) -> Parcel:
        return Parcel(
            job=run.job,
            report=run.report,
            period=run.period,
            period_label=Period.parse(run.period).label,
            version=run.version,
            files=tuple(run.files),
            headline=tuple(run.headline),
            exceptions=tuple(run.exceptions),
            gaps=tuple(run.gaps),
            note=run.note,
            draft=draft,
            variant=dict(run.variant),
        )

    def deliver(self, run: Run, job: Job) -> list[Outcome]:
        """Send a finished run where its job says; a run awaiting approval goes to comms as a draft."""
        outcomes = []
        if run.approval == "pending":
            if job.approval_to:
                spec = Delivery(channel=ChannelName.EMAIL, to=job.approval_to)
                outcomes.append(self._deliver_one(run, spec, draft=True))
            for spec in job.deliver:
                target = ", ".join(spec.to) or spec.channel.value
                self.ledger.record_delivery(run.id, spec.channel.value, target, "held",
                                            "awaiting approval", self.now())
            event("deliver", run.job, run.period, "held", version=run.version,
                  reason="awaiting approval", approve=f"reportgen approve {run.report} {run.period}")
            return outcomes
        for spec in job.deliver:
            outcomes.append(self._deliver_one(run, spec, draft=False))
        return outcomes

    def _deliver_one(self, run: Run, spec: Delivery, *, draft: bool) -> Outcome:
        channel = get_channel(spec.channel.value, self.settings)
        try:
            outcome = channel.deliver(self.parcel(run, draft=draft), spec)
        except (DeliveryError, OSError) as exc:
            target = ", ".join(spec.to) or spec.channel.value
            self.ledger.record_delivery(run.id, spec.channel.value, target, "failed", str(exc), self.now())
            event("deliver", run.job, run.period, "failed", channel=spec.channel.value, error=exc)
            self.alert(run, f"delivery by {spec.channel.value} failed: {exc}")
            return Outcome("failed", target, str(exc))
        status = f"draft-{outcome.status}" if draft else outcome.status
        self.ledger.record_delivery(run.id, spec.channel.value, outcome.target, status, outcome.detail, self.now())
        event("deliver", run.job, run.period, status, channel=spec.channel.value, to=outcome.target,
              version=run.version)
        return outcome

    # --- data readiness ------------------------------------------------------------------------
    def missing(self, job: Job, period: Period) -> list[str]:
        from reportgen.schedule.readiness import missing_returns

        try:
            return missing_returns(self.settings, job, period)
        except ReportgenError as exc:
            # The render will hit the same problem and report it properly; don't hide it here.
            event("readiness", job.id, period.key, "unknown", error=exc)
            return []

    # --- approval --------------------------------------------------------------------------------
    def approve(
        self, name: str, period: Period, *, approver: str | None = None, comment: str | None = None
    ) -> list[Run]:
        """Release every run of ``name`` (a job id or report) for ``period`` awaiting approval.
        ``approver`` and ``comment`` (the console's signed-in user) are recorded in history and
        in the document's manifest before it is delivered, so the released copy carries them."""
        key = period.key
        candidates = [r for r in self.ledger.runs(period=key) if name in (r.job, r.report)]
        if not candidates:
            raise ScheduleError(
                f"no run of {name!r} for {key} to approve",
                hint=f"see reportgen history --period {key}",
            )
        latest: dict[str, Run] = {}
        for run in candidates:
            if run.status == SUCCEEDED and (run.job not in latest or run.version > latest[run.job].version):
                latest[run.job] = run
        pending = [r for r in latest.values() if r.approval == "pending"]
        if not pending:
            states = ", ".join(f"{r.job} v{r.version} {r.approval}" for r in latest.values()) or "none finished"
            raise ScheduleError(f"nothing of {name!r} for {key} is awaiting approval ({states})")
        released = []
        for run in pending:
            job = self.settings.job(run.job)
            self.ledger.release(run.id, self.now())
            run = self.ledger.get(run.id)
            self._record_decision(run, "approved", approver, comment)
            event("approve", run.job, run.period, "released", version=run.version, by=approver)
            self.deliver(run, job)
            released.append(self.ledger.get(run.id))
        return released

    def reject(self, run: Run, *, by: str, comment: str) -> Run:
        """Send a draft back: it is never released; partnership support are emailed the comment
        (through the outbox) and a corrected version comes from ``rerun``."""
        from reportgen.deliver.email import send_alert

        if run.approval != "pending":
            raise ScheduleError(f"{run.job} {run.period} v{run.version} is not awaiting approval ({run.approval})")
        self.ledger.set_approval(run.id, "rejected")
        run = self.ledger.get(run.id)
        self._record_decision(run, "rejected", by, comment)
        event("reject", run.job, run.period, "rejected", version=run.version, by=by)
        body = (
            f"{by} rejected {run.job} for {run.period} (version {run.version}).\n\n"
            f"Comment:\n{comment}\n\n"
            f"Make a corrected version: reportgen rerun {run.job} --period {run.period} --note \"...\"\n"
        )
        try:
            outcome = send_alert(self.settings, f"[reportgen] REJECTED: {run.job} {run.period} v{run.version}", body)
        except (ReportgenError, OSError) as exc:
            event("reject.alert", run.job, run.period, "failed", error=exc)
            return run
        if outcome is not None:
            self.ledger.record_delivery(run.id, "alert", outcome.target, outcome.status, "draft rejected", self.now())
        return run

    def _record_decision(self, run: Run, decision: str, who: str | None, comment: str | None) -> None:
        """An approval or rejection: a row in the run's history and a block in its manifest."""
        if who is None and comment is None:
            return  # `reportgen approve` from a shell: nobody signed in to record
        now = self.now()
        self.ledger.record_delivery(run.id, "approval", who or "", decision, comment or None, now)
        if run.manifest is not None and run.manifest.is_file():
            import json

            data = json.loads(run.manifest.read_text(encoding="utf-8"))
            data.setdefault("approvals", []).append(
                {"decision": decision, "by": who, "at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
                 "comment": comment or ""}
            )
            tmp = run.manifest.with_name(f".{run.manifest.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            os.replace(tmp, run.manifest)

    # --- crash recovery ---------------------------------------------------------------------------
    def recover(self) -> list[Run]:
        """Mark runs whose process died as abandoned (they are retried) and clear their staging."""
        found = self.ledger.crashed(self.now(), self.settings.service.stale_after)
        for run in found:
            if self.ledger.abandon(run.id, now=self.now(), reason=f"the process ({run.host} pid {run.pid}) "
                                   "stopped without finishing the run"):
                event("run.crashed", run.job, run.period, "abandoned", version=run.version, pid=run.pid)
        root = self.staging_root()
        if root.is_dir():
            for folder in root.iterdir():
                pid = folder.name.rpartition("-")[2]
                if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                    shutil.rmtree(folder, ignore_errors=True)
        return found

    # --- what is due ------------------------------------------------------------------------------
    def should_run(self, job: Job, period: Period, now: dt.datetime) -> bool:
        run = self.ledger.find(job.id, period.key, 1)
        if run is None:
            return True
        if run.status in (SUCCEEDED, RUNNING):
            return False
        if run.status in RETRYABLE:
            if run.attempts >= self.settings.service.max_attempts:
                return False
            return run.next_attempt_at is None or run.next_attempt_at <= now
        return False


def _alive(pid: int) -> bool:
    from reportgen.schedule.ledger import _alive as alive

    return alive(pid)
