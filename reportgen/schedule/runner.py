"""Run one job for one period, exactly once: claim, render, keep, deliver, record.

Rendering writes into a staging folder under ``<out_dir>/.staging/``; only a complete set is
renamed to ``<out_dir>/runs/<job>/<period>/v<N>/``, so a run that crashes or is stopped
leaves no half output where anyone looks. Every step is recorded in the ledger and logged as
one line: ``event=... job=... period=... outcome=...``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportgen.deliver.base import Parcel
from reportgen.deliver.queue import DeliveryQueue
from reportgen.deliver.queue import entries as queue_entries
from reportgen.errors import ReportgenError, ScheduleError
from reportgen.fsutil import pid_alive
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


@dataclass
class ManyRun:
    """What a job over several partnerships made, in the shape the runner keeps and delivers."""

    report: str
    period: str
    files: list[Path]
    manifest: Path
    headline: list[str]
    exceptions: list[str]


class Stopped(Exception):
    """The service is stopping: the run in hand is abandoned cleanly."""


class Fenced(Exception):
    """Another worker took this run over (we were paused or cut off past ``stale_after``)."""


def fault(point: str) -> None:
    """Test hook for the fault-injection suite: ``REPORTGEN_FAULT=<point>:<action>`` (``stop``:
    SIGSTOP this process; ``kill``: SIGKILL it) acts when the run reaches ``point``
    (after-render, before-success, after-success); with ``REPORTGEN_FAULT_ONCE=<file>`` only
    the first process of several does. Unset in production: one dict lookup."""
    wanted = os.environ.get("REPORTGEN_FAULT")
    if not wanted:
        return
    name, _, action = wanted.partition(":")
    if name != point:
        return
    once = os.environ.get("REPORTGEN_FAULT_ONCE")  # a file: only the first process to get here acts
    if once:
        try:
            os.close(os.open(once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
    import signal

    log.warning("event=fault job=- period=- outcome=%s point=%s", action, point)
    for handler in logging.getLogger().handlers + logging.getLogger("reportgen.schedule").handlers:
        handler.flush()
    os.kill(os.getpid(), signal.SIGSTOP if action == "stop" else signal.SIGKILL)
    # A signal to oneself is delivered asynchronously: wait here so this thread goes no
    # further before it takes effect (after SIGCONT it finishes the wait and carries on).
    import time

    time.sleep(1)


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
        self.skipped: list[Run] = []  # approve: pending runs whose job has left schedules.toml

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
        token = run.attempts  # the fencing token of this claim
        with self._lock:
            self.current = run
            self.idle.clear()
        beat_stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(run.id, token, beat_stop), daemon=True)
        beat.start()
        staging = self.staging_root() / f"{job.id}-{key.replace('/', '-')}-v{version}-{run.id}.{token}-{os.getpid()}"
        self.current_staging = staging
        try:
            if gaps is None:
                gaps = self.missing(job, period)
            final, files, manifest, result = self._render(job, period, version, staging, run.id, token)
            if note:
                (final / "CHANGES.txt").write_text(note + "\n", encoding="utf-8")
            fault("before-success")
            approval = "pending" if job.needs_approval else "none"
            parcel = Parcel(
                job=job.id, report=job.report, period=key, period_label=period.label, version=version,
                files=tuple(files), headline=tuple(result.headline), exceptions=tuple(result.exceptions),
                gaps=tuple(gaps), note=note, draft=approval == "pending", variant=dict(job.variant),
            )
            outbox, held = self.deliveries_for(job, parcel) if deliver else ([], [])
            if not self.ledger.succeed(
                run.id,
                now=self.now(),
                files=files,
                manifest=manifest,
                headline=list(result.headline),
                exceptions=list(result.exceptions),
                gaps=gaps,
                approval=approval,
                token=token,
                outbox=outbox,
                held=held,
            ):
                # Taken over while we rendered (paused past stale_after, or stopped): the folder
                # we moved into place is ours alone (nobody else writes to a name that exists),
                # and nothing recorded points at it, so it goes; whatever the other worker
                # delivered is somewhere else and is not touched.
                shutil.rmtree(final, ignore_errors=True)
                event("run.end", job.id, key, "fenced", version=version, attempt=token,
                      reason="another worker took the run over")
                return self.ledger.get(run.id)
            event("run.end", job.id, key, "succeeded", version=version, files=len(files),
                  gaps="; ".join(gaps) or None)
            fault("after-success")
            if held:
                event("deliver", job.id, key, "held", version=version, reason="awaiting approval",
                      approve=f"reportgen approve {job.id} {key}")
            self.send_now(run)
            return self.ledger.get(run.id)
        except Fenced:
            event("run.end", job.id, key, "fenced", version=version, attempt=token,
                  reason="another worker took the run over; nothing of ours was kept")
            return self.ledger.get(run.id)
        except Stopped:
            self.ledger.abandon(run.id, now=self.now(), reason="the service was stopped during the run", token=token)
            event("run.end", job.id, key, "abandoned", version=version, reason="service stopping")
            return self.ledger.get(run.id)
        except Exception as exc:  # a service must outlive any one failed run
            self._failed(run, exc)
            return self.ledger.get(run.id)
        finally:
            beat_stop.set()
            shutil.rmtree(staging, ignore_errors=True)
            with self._lock:
                self.current = None
                self.current_staging = None
                self.idle.set()

    def _render(
        self, job: Job, period: Period, version: int, staging: Path, run_id: int, token: int
    ) -> tuple[Path, list[Path], Path | None, jobs_module.RunResultLike]:
        if self.stopping.is_set():
            raise Stopped()
        staging.mkdir(parents=True, exist_ok=True)
        result: jobs_module.RunResultLike
        if job.partnerships is not None:
            result = self._render_many(job, period, staging)
        else:
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
        fault("after-render")
        # Stopping now is fine: the service waits stop_timeout for this run to finish. If it
        # gave up and abandoned the run meanwhile, ledger.succeed() refuses and we clean up.
        if not self.ledger.holds(run_id, token):
            raise Fenced()  # checked before touching anything outside our staging folder
        # The pipeline writes <staging>/<report>/<period>/...: keep just that folder's content.
        written = [Path(p).resolve() for p in [*result.files, result.manifest] if p]
        source = staging.resolve()
        if written:
            common = Path(os.path.commonpath(written))
            common = common if common.is_dir() else common.parent
            if common.is_relative_to(source):
                source = common
        final = self._place(source, self.final_dir(job.id, period.key, version), token)

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

    def _render_many(self, job: Job, period: Period, staging: Path) -> ManyRun:
        """A job over several partnerships: ``run --partnerships``'s path (one executor for every
        document), into ``<staging>/<partnership id>/``. One partnership's failure fails the run
        (retried, then alerted like any failed run) after the others have been made, naming
        each one that failed and why; a summary of every partnership is the run's manifest."""
        assert self.settings.deployment is not None and job.partnerships is not None  # checked on load
        many = jobs_module.generate_many(
            job.report,
            period,
            deployment=self.settings.deployment,
            partnerships=job.partnerships,
            store_url=self.settings.store,
            out_dir=staging,
            variant=dict(job.variant) or None,
            executor=self.settings.executor,
        )
        if many.failed:
            raise ScheduleError(
                f"{len(many.failed)} of {len(many.outcomes)} partnerships failed: "
                + "; ".join(f"{o.partnership}: {o.error}" for o in many.failed)
            )
        summary = staging / "partnerships.json"
        summary.write_text(json.dumps({
            "report": job.report,
            "period": period.key,
            "executor": many.executor,
            "seconds": round(many.seconds, 3),
            "partnerships": [
                {"id": o.partnership, "documents": o.written, "files": [p.relative_to(staging).as_posix()
                                                                     for p in o.files]}
                for o in many.outcomes
            ],
        }, indent=2) + "\n", encoding="utf-8")
        files = [p for o in many.outcomes for p in o.files]
        headline = [f"{job.report} {period.label} for {len(many.outcomes)} partnerships: "
                    f"{many.documents()} documents, {len(files)} files."]
        return ManyRun(job.report, period.key, files, summary, headline, [])

    @staticmethod
    def _place(source: Path, final: Path, token: int) -> Path:
        """Rename ``source`` to ``final``, or, if something is already there, to a folder of
        this attempt's own beside it. An existing output folder is never removed or replaced:
        it may be what another worker delivered."""
        final.parent.mkdir(parents=True, exist_ok=True)
        for target in (final, final.with_name(f"{final.name}.attempt{token}")):
            if target.exists():
                continue
            try:
                os.rename(source, target)  # refuses a folder with anything in it
            except OSError:
                continue  # appeared meanwhile
            return target
        raise ScheduleError(f"{final}: an output folder of this attempt (.attempt{token}) is already there; "
                            "nothing was moved or removed")

    def _beat(self, run_id: int, token: int, stop: threading.Event) -> None:
        every = self.settings.service.heartbeat_every.total_seconds()
        while not stop.wait(every):
            with contextlib.suppress(Exception):
                self.ledger.heartbeat(run_id, self.now(), token)

    def _failed(self, run: Run, exc: BaseException) -> None:
        if not self.ledger.holds(run.id, run.attempts):
            # Abandoned or taken over while it failed: not ours to record, but said.
            event("run.end", run.job, run.period, "fenced", version=run.version, attempt=run.attempts,
                  error=f"{exc.__class__.__name__}: {exc}")
            return
        error = str(exc) if isinstance(exc, ReportgenError) else f"{exc.__class__.__name__}: {exc}"
        if not isinstance(exc, ReportgenError):
            log.debug("traceback for %s %s:\n%s", run.job, run.period, traceback.format_exc())
        service = self.settings.service
        now = self.now()
        if run.attempts < service.max_attempts:
            wait = service.retry_backoff * (2 ** (run.attempts - 1))
            self.ledger.fail(run.id, now=now, error=error, next_attempt_at=now + wait, token=run.attempts)
            event("run.end", run.job, run.period, "failed", version=run.version, attempt=run.attempts,
                  retry_at=(now + wait).isoformat(timespec="seconds"), error=error)
            return
        if not self.ledger.fail(run.id, now=now, error=error, next_attempt_at=None, token=run.attempts):
            return
        event("run.end", run.job, run.period, "failed", version=run.version, attempt=run.attempts,
              error=error, retry="none left")
        self.alert(run, error)

    def alert(self, run: Run, error: str) -> None:
        body = (
            f"The scheduled job {run.job!r} failed for {run.period} after {run.attempts} attempt(s).\n\n"
            f"Error: {error}\n\n"
            f"See: reportgen history --job {run.job}\n"
            f"Retry by hand: reportgen run {run.job} --period {run.period} --deliver\n"
        )
        msg = self.queue.alert(run.job, run.period, run.id, f"[reportgen] FAILED: {run.job} {run.period}", body)
        if msg is not None:
            self.ledger.mark_alerted(run.id)
            event("alert", run.job, run.period, "alerted", to=msg.target, status=msg.status)

    # --- delivery ----------------------------------------------------------------------------
    @property
    def queue(self) -> DeliveryQueue:
        service = self.settings.service
        return DeliveryQueue(self.ledger.engine, self.settings, now=self.now, budget=service.delivery_alert_after,
                             backoff=service.delivery_backoff, owner=f"{self.ledger.host}:{self.ledger.pid}",
                             partnership=self.ledger.partnership)

    def send_now(self, run: Run) -> None:
        """Try a finished run's deliveries straight away. They are already queued, so if this
        fails (or the process dies) the next sweep sends them: logged, never lost."""
        try:
            self.queue.process(run_id=run.id)
        except Exception as exc:
            event("deliver", run.job, run.period, "error", version=run.version,
                  error=f"{exc.__class__.__name__}: {exc}", retry="next sweep")
            log.debug("traceback:\n%s", traceback.format_exc())

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

    @staticmethod
    def deliveries_for(job: Job, parcel: Parcel) -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
        """The outbox rows for a finished run, and the deliveries held for approval: a run
        awaiting approval goes to comms staff as a draft and nowhere else."""
        if parcel.draft:
            drafts = [Delivery(channel=ChannelName.EMAIL, to=job.approval_to)] if job.approval_to else []
            held = [(spec.channel.value, ", ".join(spec.to) or spec.channel.value) for spec in job.deliver]
            return queue_entries(parcel, drafts), held
        return queue_entries(parcel, job.deliver), []

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
            job = next((j for j in self.settings.jobs if j.id == run.job), None)
            if job is None:
                # Its job has left schedules.toml: say so, and release the others.
                event("approve", run.job, run.period, "skipped", version=run.version,
                      reason=f"job {run.job!r} is no longer in {self.settings.source or 'schedules.toml'}")
                self.skipped.append(run)
                continue
            rows, _ = self.deliveries_for(job, self.parcel(run, draft=False))
            if not self.ledger.release(run.id, self.now(), outbox=rows):
                continue  # released by someone else meanwhile
            run = self.ledger.get(run.id)
            self._record_decision(run, "approved", approver, comment)
            event("approve", run.job, run.period, "released", version=run.version, by=approver)
            self.send_now(run)
            released.append(self.ledger.get(run.id))
        return released

    def reject(self, run: Run, *, by: str, comment: str) -> Run:
        """Send a draft back: it is never released; partnership support are emailed the comment
        (through the outbox) and a corrected version comes from ``rerun``."""
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
        # through the delivery queue like every alert: sent now if it can be, else by the next sweep
        self.queue.alert(run.job, run.period, run.id, f"[reportgen] REJECTED: {run.job} {run.period} v{run.version}",
                         body)  # fmt: skip
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
            if self.ledger.abandon(run.id, now=self.now(), token=run.attempts,
                                   reason=f"the process ({run.host} pid {run.pid}) stopped without finishing "
                                   "the run (or stopped beating)"):
                event("run.crashed", run.job, run.period, "abandoned", version=run.version, pid=run.pid)
                if run.attempts >= self.settings.service.max_attempts:
                    # Nobody will retry it on their own: say so rather than leave it lying.
                    self.alert(self.ledger.get(run.id), f"its worker ({run.host} pid {run.pid}) died or stopped "
                               f"on the last of {self.settings.service.max_attempts} attempts")
        root = self.staging_root()
        if root.is_dir():
            for folder in root.iterdir():
                pid = folder.name.rpartition("-")[2]
                if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
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
