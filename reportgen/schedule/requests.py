"""Runs asked for from the web console, queued for the service rather than run in a request.

The console never renders a report while a browser waits: "Run" and "Rerun" put one typed
:class:`~reportgen.reports.request.RunRequest` (the job's report and variant, the period, and
as options the job id, whether it is a rerun and the note) in ``schedule_requests``, beside
the run ledger, and ``reportgen serve`` takes it on its next sweep (:func:`process`) and
runs it through :func:`~reportgen.schedule.manual.manual_run` or
:func:`~reportgen.schedule.manual.rerun`, the ledger's own claim making sure a (job, period)
is never produced twice. While a request for a (job, period) is queued or running, another
is refused, so two clicks make one run. States: queued, running, succeeded, failed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, select

from reportgen.errors import ReportgenError
from reportgen.periods import Period
from reportgen.reports.request import RunRequest, check_request
from reportgen.schedule.ledger import SUCCEEDED, Ledger, iso
from reportgen.schedule.manual import manual_run, rerun, resolve_jobs
from reportgen.schedule.runner import Runner

# The table is made with the ledger's own (ledger._create_tables).
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "succeeded", "failed"
OPEN = (QUEUED, RUNNING)

metadata = MetaData()
requests = Table(
    "schedule_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partnership", String, nullable=False),
    Column("job", String, nullable=False),
    Column("period", String, nullable=False),
    Column("request", Text, nullable=False),  # the RunRequest, as JSON
    Column("requested_by", String, nullable=False),
    Column("requested_at", String, nullable=False),
    Column("status", String, nullable=False),
    Column("updated_at", String, nullable=False),
    Column("message", Text, nullable=False, default=""),
)


@dataclass(frozen=True)
class Queued:
    id: int
    job: str
    period: str
    rerun: bool
    requested_by: str
    requested_at: str
    status: str
    message: str


def _now() -> str:
    return iso(dt.datetime.now(dt.UTC))


def enqueue(runner: Runner, name: str, period: Period, *, again: bool, note: str = "", by: str) -> list[str]:
    """Queue a run (or, ``again``, a rerun) of every job ``name`` resolves to. Returns one
    message per job: queued, already queued or running, or already produced."""
    ledger = runner.ledger
    out = []
    for job in resolve_jobs(runner.settings, name):
        existing = ledger.find(job.id, period.key)
        if not again and existing is not None and existing.status == SUCCEEDED:
            out.append(f"{job.id} {period.key} was already produced (version {existing.version}): "
                       "use Rerun for a new version")  # fmt: skip
            continue
        if again and existing is None:
            out.append(f"{job.id} {period.key} has no earlier run to revise: use Run")
            continue
        request = check_request(RunRequest(report=job.report, variant=dict(job.variant or {}), period=period.key,
                                           options={"job": job.id, "rerun": again, "note": note}),
                                where=f"job {job.id}")  # fmt: skip
        stamp = _now()
        # Two consoles racing here could both queue: harmless, as the ledger's claim in
        # manual_run lets one produce the (job, period) and tells the other it is done.
        with ledger.engine.begin() as conn:
            r = requests.c
            busy = conn.execute(
                select(r.id, r.status).where(
                    r.partnership == ledger.partnership, r.job == job.id, r.period == period.key, r.status.in_(OPEN)
                )  # fmt: skip
            ).first()
            if busy is not None:
                out.append(f"{job.id} {period.key} is already {busy.status}: not queued twice")
                continue
            conn.execute(requests.insert().values(
                partnership=ledger.partnership, job=job.id, period=period.key, request=request.model_dump_json(),
                requested_by=by, requested_at=stamp, status=QUEUED, updated_at=stamp, message=""))  # fmt: skip
        out.append(f"{job.id} {period.key}: {'rerun' if again else 'run'} queued for the service")
    return out


def recent(ledger: Ledger, limit: int = 20) -> list[Queued]:
    r = requests.c
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            select(requests).where(r.partnership == ledger.partnership).order_by(r.id.desc()).limit(limit)
        ).all()
    return [Queued(row.id, row.job, row.period, bool(json.loads(row.request)["options"].get("rerun")),
                   row.requested_by, row.requested_at, row.status, row.message) for row in rows]  # fmt: skip


def _take(ledger: Ledger) -> tuple[int, RunRequest] | None:
    """Claim the oldest queued request (a conditional update: one service gets it)."""
    r = requests.c
    with ledger.engine.begin() as conn:
        rows = conn.execute(
            select(r.id, r.request).where(r.partnership == ledger.partnership, r.status == QUEUED).order_by(r.id)
        ).all()
        for row in rows:
            taken = conn.execute(
                requests.update().where(r.id == row.id, r.status == QUEUED).values(status=RUNNING, updated_at=_now())
            )
            if taken.rowcount == 1:
                return int(row.id), RunRequest.model_validate_json(row.request)
    return None


def process(runner: Runner) -> int:
    """Run every queued request (the service's sweep calls this). Returns how many were run."""
    ledger = runner.ledger
    done = 0
    while not runner.stopping.is_set():
        taken = _take(ledger)
        if taken is None:
            return done
        request_id, request = taken
        options = request.options
        period = Period.parse(str(request.period))
        try:
            if options.get("rerun"):
                results = rerun(runner, str(options["job"]), period, note=str(options.get("note") or "") or None)
            else:
                results = manual_run(runner, str(options["job"]), period)
            failed = any(run is not None and run.status != SUCCEEDED for _, run, _ in results)
            status, message = (FAILED if failed else DONE), "; ".join(m for _, _, m in results)
        except ReportgenError as exc:
            status, message = FAILED, str(exc)
        with ledger.engine.begin() as conn:
            conn.execute(requests.update().where(requests.c.id == request_id)
                         .values(status=status, message=message, updated_at=_now()))  # fmt: skip
        done += 1
    return done
