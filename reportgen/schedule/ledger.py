"""The run ledger: one row per (partnership, job, period, version), in SQL beside the store.

A run is claimed by an INSERT that the UNIQUE(job, period, version) constraint refuses if
another scheduler, a restarted service or a manual run got there first, so a period is never
rendered or sent twice unless a new version is asked for. A failed or abandoned run is
re-claimed by a conditional UPDATE (only one process sees its row count of 1). Running rows
carry host, pid and a heartbeat so a run whose process died is noticed on the next start.

A :class:`Ledger` is scoped to one partnership: several partnerships' services share one
database, and each sees, claims and lists only its own runs, deliveries and jobs.

Fencing: every claim bumps ``attempts``, and that number is the claim's token. Heartbeats,
success, failure and the runner's check before it moves files into place all name the token,
so a worker that was paused or cut off while another took its run over can no longer write
anything: its late success is refused, and it removes nothing but its own staging.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from reportgen.deliver import queue as delivery_queue
from reportgen.errors import ScheduleError, StoreError
from reportgen.fsutil import pid_alive
from reportgen.store import DEFAULT_PARTNERSHIP, new_id, redact
from reportgen.store import make_engine as store_engine

metadata = MetaData()

RUNNING, SUCCEEDED, FAILED, ABANDONED = "running", "succeeded", "failed", "abandoned"
RETRYABLE = (FAILED, ABANDONED)

runs = Table(
    "schedule_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partnership", String, nullable=False),
    Column("job", String, nullable=False),
    Column("period", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("report", String, nullable=False),
    Column("variant", Text, nullable=False, default="{}"),
    Column("trigger", String, nullable=False),  # schedule, catch-up, manual, rerun, retry
    Column("status", String, nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("due_at", String, nullable=True),
    Column("started_at", String, nullable=False),
    Column("finished_at", String, nullable=True),
    Column("heartbeat_at", String, nullable=True),
    Column("host", String, nullable=True),
    Column("pid", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("next_attempt_at", String, nullable=True),
    Column("alerted", Integer, nullable=False, default=0),
    Column("files", Text, nullable=False, default="[]"),
    Column("manifest", String, nullable=True),
    Column("headline", Text, nullable=False, default="[]"),
    Column("exceptions", Text, nullable=False, default="[]"),
    Column("gaps", Text, nullable=False, default="[]"),
    Column("note", Text, nullable=True),
    Column("approval", String, nullable=False, default="none"),  # none, pending, released, rejected
    Column("released_at", String, nullable=True),
    UniqueConstraint("partnership", "job", "period", "version", name="uq_run_partnership_job_period_version"),
)

deliveries = Table(
    "schedule_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partnership", String, nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("channel", String, nullable=False),
    Column("target", Text, nullable=False),
    Column("status", String, nullable=False),  # sent, queued, published, printed, held, failed
    Column("detail", Text, nullable=True),
    Column("at", String, nullable=False),
)

job_state = Table(
    "schedule_jobs",
    metadata,
    Column("partnership", String, primary_key=True),
    Column("job", String, primary_key=True),
    Column("first_seen", String, nullable=False),
)


def iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ScheduleError("ledger timestamps must be time-zone aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def parse_stamp(text: str) -> dt.datetime:
    """A time from a column that always holds one (written by ``iso``, never NULL)."""
    return dt.datetime.fromisoformat(text)


@dataclass(frozen=True)
class Run:
    """One row of the ledger."""

    id: int
    job: str
    period: str
    version: int
    report: str
    variant: dict[str, Any]
    trigger: str
    status: str
    attempts: int
    due_at: dt.datetime | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    host: str | None
    pid: int | None
    error: str | None
    next_attempt_at: dt.datetime | None
    alerted: bool
    files: list[Path] = field(default_factory=list)
    manifest: Path | None = None
    headline: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    note: str | None = None
    approval: str = "none"
    released_at: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: RowMapping) -> Run:
        return cls(
            id=row["id"],
            job=row["job"],
            period=row["period"],
            version=row["version"],
            report=row["report"],
            variant=json.loads(row["variant"] or "{}"),
            trigger=row["trigger"],
            status=row["status"],
            attempts=row["attempts"],
            due_at=parse_iso(row["due_at"]),
            started_at=parse_stamp(row["started_at"]),
            finished_at=parse_iso(row["finished_at"]),
            heartbeat_at=parse_iso(row["heartbeat_at"]),
            host=row["host"],
            pid=row["pid"],
            error=row["error"],
            next_attempt_at=parse_iso(row["next_attempt_at"]),
            alerted=bool(row["alerted"]),
            files=[Path(p) for p in json.loads(row["files"] or "[]")],
            manifest=Path(row["manifest"]) if row["manifest"] else None,
            headline=json.loads(row["headline"] or "[]"),
            exceptions=json.loads(row["exceptions"] or "[]"),
            gaps=json.loads(row["gaps"] or "[]"),
            note=row["note"],
            approval=row["approval"],
            released_at=parse_iso(row["released_at"]),
        )


@dataclass(frozen=True)
class DeliveryRecord:
    run_id: int
    channel: str
    target: str
    status: str
    detail: str | None
    at: dt.datetime


def make_engine(url: str, *, create: bool = True) -> Engine:
    # The store's engine: several schedulers and the CLI share one SQLite file in WAL mode
    # with a generous busy timeout; without ``create`` a missing database is an error.
    return store_engine(url, create=create)


def _check_schema(conn: Connection, url: str, *, create: bool) -> None:
    """Refuse a ledger from before partnerships (naming `reportgen db upgrade`) and, for a
    read-only command, a database that holds no store at all."""
    inspector = inspect(conn)
    if inspector.has_table(runs.name):
        if "partnership" not in {c["name"] for c in inspector.get_columns(runs.name)}:
            raise StoreError(
                f"the run ledger at {redact(url)} is from before partnerships",
                hint=f"back it up, then run `reportgen db upgrade --store {redact(url)} --config DIR`",
            )
    elif not create and not inspector.has_table("observations"):
        raise StoreError(
            f"there is no store or run ledger at {redact(url)}",
            hint="check --store, $REPORTGEN_STORE or the schedules file's [service] database",
        )


class Ledger:
    """Claims, outcomes and deliveries of scheduled and manual runs."""

    def __init__(
        self,
        url: str,
        *,
        host: str | None = None,
        pid: int | None = None,
        partnership: str = DEFAULT_PARTNERSHIP,
        create: bool = True,
    ) -> None:
        self.url = url
        self.partnership = partnership
        self.host = host or socket.gethostname()
        self.pid = os.getpid() if pid is None else pid
        self.engine = make_engine(url, create=create)
        try:
            with self.engine.begin() as conn:
                _check_schema(conn, url, create=create)
            # Past the check the database exists (``create=False`` never makes one), but a store
            # that was pulled and never served has no ledger yet: `run --deliver`, `approve` and
            # `history` straight after `pull` get empty ledger tables, not "no such table".
            _create_tables(self.engine)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise ScheduleError(
                f"cannot open the run ledger at {redact(url)}: {exc.__class__.__name__}: {exc}"
            ) from None
        except StoreError:
            self.engine.dispose()
            raise

    # --- claiming --------------------------------------------------------------------
    def claim(
        self,
        job: str,
        period: str,
        *,
        report: str,
        now: dt.datetime,
        version: int = 1,
        variant: dict[str, Any] | None = None,
        trigger: str = "schedule",
        due_at: dt.datetime | None = None,
        max_attempts: int = 1,
        note: str | None = None,
        retry_early: bool = False,
    ) -> Run | None:
        """Claim (job, period, version) for this process, or return None if it is taken.

        A failed or abandoned run is taken over if it has attempts left and its back-off has
        passed (``retry_early``, for a run asked for by hand, skips both checks).
        """
        stamp = iso(now)
        values = {
            "status": RUNNING,
            "started_at": stamp,
            "heartbeat_at": stamp,
            "finished_at": None,
            "host": self.host,
            "pid": self.pid,
            "error": None,
            "next_attempt_at": None,
        }
        try:
            with self.engine.begin() as conn:
                run_id = new_id(conn.execute(
                    runs.insert().values(
                        partnership=self.partnership,
                        job=job,
                        period=period,
                        version=version,
                        report=report,
                        variant=json.dumps(variant or {}, sort_keys=True),
                        trigger=trigger,
                        attempts=1,
                        due_at=iso(due_at) if due_at else None,
                        note=note,
                        **values,
                    )
                ))
            return self.get(int(run_id))
        except IntegrityError:
            pass
        where = (
            (runs.c.partnership == self.partnership)
            & (runs.c.job == job)
            & (runs.c.period == period)
            & (runs.c.version == version)
            & runs.c.status.in_(RETRYABLE)
        )
        if not retry_early:
            where &= (runs.c.attempts < max_attempts) & (
                runs.c.next_attempt_at.is_(None) | (runs.c.next_attempt_at <= stamp)
            )
        with self.engine.begin() as conn:
            result = conn.execute(
                runs.update().where(where).values(attempts=runs.c.attempts + 1, trigger=trigger, **values)
            )
            if result.rowcount != 1:
                return None
        return self.find(job, period, version)

    def next_version(self, job: str, period: str) -> int:
        with self.engine.connect() as conn:
            top = conn.execute(
                select(func.max(runs.c.version)).where(
                    (runs.c.partnership == self.partnership) & (runs.c.job == job) & (runs.c.period == period)
                )
            ).scalar()
        return int(top or 0) + 1

    # --- progress and outcome -------------------------------------------------------------
    def _mine(self, run_id: int, token: int | None) -> ColumnElement[bool]:
        where = (runs.c.id == run_id) & (runs.c.status == RUNNING)
        return where if token is None else where & (runs.c.attempts == token)

    def holds(self, run_id: int, token: int) -> bool:
        """Whether claim ``token`` of the run is still the running one (the lease)."""
        with self.engine.connect() as conn:
            return conn.execute(select(runs.c.id).where(self._mine(run_id, token))).first() is not None

    def heartbeat(self, run_id: int, now: dt.datetime, token: int | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(self._mine(run_id, token)).values(heartbeat_at=iso(now)))

    def succeed(
        self,
        run_id: int,
        *,
        now: dt.datetime,
        files: list[Path],
        manifest: Path | None,
        headline: list[str],
        exceptions: list[str],
        gaps: list[str],
        approval: str = "none",
        token: int | None = None,
        outbox: list[dict[str, Any]] | None = None,
        held: list[tuple[str, str]] | None = None,
    ) -> bool:
        """Record success; False if the run is no longer ours (abandoned or taken over meanwhile).

        ``outbox`` rows (see ``reportgen.deliver.queue.entries``) and ``held`` (channel, target)
        records are written in the same transaction: success is never recorded without what
        must be delivered, so a crash straight after it loses nothing.
        """
        with self.engine.begin() as conn:
            result = conn.execute(
                runs.update()
                .where(self._mine(run_id, token) & (runs.c.pid == self.pid))
                .values(
                    status=SUCCEEDED,
                    finished_at=iso(now),
                    heartbeat_at=iso(now),
                    error=None,
                    files=json.dumps([str(p) for p in files]),
                    manifest=str(manifest) if manifest else None,
                    headline=json.dumps(list(headline)),
                    exceptions=json.dumps(list(exceptions)),
                    gaps=json.dumps(list(gaps)),
                    approval=approval,
                )
            )
            if result.rowcount != 1:
                return False
            delivery_queue.insert(conn, run_id, outbox or [], now, partnership=self.partnership)
            for channel, target in held or []:
                conn.execute(deliveries.insert().values(partnership=self.partnership, run_id=run_id, channel=channel,
                                                        target=target, status="held", detail="awaiting approval",
                                                        at=iso(now)))
            return True

    def fail(
        self, run_id: int, *, now: dt.datetime, error: str, next_attempt_at: dt.datetime | None,
        token: int | None = None,
    ) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                runs.update()
                .where(self._mine(run_id, token))
                .values(
                    status=FAILED,
                    finished_at=iso(now),
                    error=error,
                    next_attempt_at=iso(next_attempt_at) if next_attempt_at else None,
                )
            )
            return result.rowcount == 1

    def abandon(self, run_id: int, *, now: dt.datetime, reason: str, token: int | None = None) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                runs.update()
                .where(self._mine(run_id, token))
                .values(status=ABANDONED, finished_at=iso(now), error=reason, next_attempt_at=None)
            )
            return result.rowcount == 1

    def mark_alerted(self, run_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id).values(alerted=1))

    def release(self, run_id: int, now: dt.datetime, outbox: list[dict[str, Any]] | None = None) -> bool:
        """Mark a pending run released and queue its deliveries, in one transaction; False if
        someone else released it first."""
        with self.engine.begin() as conn:
            result = conn.execute(
                runs.update()
                .where((runs.c.id == run_id) & (runs.c.approval == "pending"))
                .values(approval="released", released_at=iso(now))
            )
            if result.rowcount != 1:
                return False
            delivery_queue.insert(conn, run_id, outbox or [], now, partnership=self.partnership)
            return True

    def set_approval(self, run_id: int, approval: str) -> None:
        """none, pending, released or rejected (comms sent the draft back)."""
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id).values(approval=approval))

    def crashed(self, now: dt.datetime, stale_after: dt.timedelta) -> list[Run]:
        """Running rows whose process is gone (same host, pid not alive) or whose heartbeat is stale."""
        stale = iso(now - stale_after)
        out = []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(runs).where((runs.c.partnership == self.partnership) & (runs.c.status == RUNNING))
            ).mappings().all()
        for row in rows:
            run = Run.from_row(row)
            dead = run.host == self.host and run.pid is not None and not pid_alive(run.pid)
            if dead or (row["heartbeat_at"] or "") < stale:
                out.append(run)
        return out

    # --- deliveries ---------------------------------------------------------------------
    def record_delivery(
        self, run_id: int, channel: str, target: str, status: str, detail: str | None, now: dt.datetime
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                deliveries.insert().values(
                    partnership=self.partnership,
                    run_id=run_id, channel=channel, target=target, status=status, detail=detail, at=iso(now)
                )
            )

    def deliveries(self, run_id: int) -> list[DeliveryRecord]:
        """What became of a run's deliveries: each queued message with its current state
        (pending, sent, failed-retrying, failed-permanent, published, printed; alerts too),
        then the records kept here (held for approval)."""
        queue = delivery_queue.messages
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(deliveries)
                .where((deliveries.c.partnership == self.partnership) & (deliveries.c.run_id == run_id))
                .order_by(deliveries.c.id)
            ).mappings().all()
            queued = conn.execute(
                select(queue)
                .where((queue.c.partnership == self.partnership) & (queue.c.run_id == run_id))
                .order_by(queue.c.id)
            ).mappings().all()
        out = [
            DeliveryRecord(r["run_id"], r["channel"], r["target"], r["status"], r["detail"], parse_stamp(r["at"]))
            for r in rows
        ]
        out += [
            DeliveryRecord(run_id, q["channel"], q["target"], q["status"], q["detail"], parse_stamp(q["updated_at"]))
            for q in queued
        ]
        return out

    # --- job bookkeeping ------------------------------------------------------------------
    def first_seen(self, job: str, now: dt.datetime) -> dt.datetime:
        """When the service first scheduled ``job``: runs due before then are not caught up."""
        mine = (job_state.c.partnership == self.partnership) & (job_state.c.job == job)
        with self.engine.begin() as conn:
            found = conn.execute(select(job_state.c.first_seen).where(mine)).scalar()
            if found:
                return parse_stamp(found)
            try:
                with conn.begin_nested():
                    conn.execute(job_state.insert().values(partnership=self.partnership, job=job, first_seen=iso(now)))
            except IntegrityError:
                found = conn.execute(select(job_state.c.first_seen).where(mine)).scalar_one()  # the row that won
                return parse_stamp(found)
        return parse_stamp(iso(now))

    # --- reading ---------------------------------------------------------------------------
    def get(self, run_id: int) -> Run:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(runs).where((runs.c.id == run_id) & (runs.c.partnership == self.partnership))
            ).mappings().one()
        return Run.from_row(row)

    def find(self, job: str, period: str, version: int | None = None) -> Run | None:
        """The given version of (job, period), or the latest if ``version`` is None."""
        query = select(runs).where(
            (runs.c.partnership == self.partnership) & (runs.c.job == job) & (runs.c.period == period)
        )
        if version is not None:
            query = query.where(runs.c.version == version)
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(runs.c.version.desc()).limit(1)).mappings().first()
        return Run.from_row(row) if row else None

    def runs(
        self,
        *,
        job: str | None = None,
        period: str | None = None,
        report: str | None = None,
        status: str | None = None,
    ) -> list[Run]:
        query = select(runs).where(runs.c.partnership == self.partnership)
        if job:
            query = query.where(runs.c.job == job)
        if period:
            query = query.where(runs.c.period == period)
        if report:
            query = query.where(runs.c.report == report)
        if status:
            query = query.where(runs.c.status == status)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(runs.c.id)).mappings().all()
        return [Run.from_row(r) for r in rows]

    def dispose(self) -> None:
        self.engine.dispose()


def _create_tables(engine: Engine) -> None:
    """Create the ledger's tables if missing. Two services starting together both see a table
    missing and both create it; the loser's "already exists" just means it is there now."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    for attempt in range(5):
        try:
            metadata.create_all(engine)
            delivery_queue.metadata.create_all(engine)
            from reportgen.schedule import requests  # runs asked for in the console (imports this module)

            requests.metadata.create_all(engine)
            return
        except (OperationalError, ProgrammingError) as exc:
            if "already exists" not in str(exc) or attempt == 4:
                raise
