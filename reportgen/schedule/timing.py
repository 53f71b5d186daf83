"""When a job is due, in local wall-clock time, and which period each due time reports.

A cron expression or working-day rule is read in the job's time zone the way people read a
clock on the wall: a 01:30 job runs once on the night the clocks go back (at the first
01:30), and on the night they go forward a time in the missing hour runs as the clocks jump.
APScheduler 3's own CronTrigger fires twice in the repeated hour and half an hour late in the
missing one, so the service uses :class:`WallClockTrigger` built on :func:`iter_due`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from reportgen.periods import Kind, Period
from reportgen.schedule.calendar import period_due_on, working_day_due
from reportgen.schedule.config import Job

_TICK = dt.timedelta(microseconds=1)


@dataclass(frozen=True, order=True)
class Due:
    """One (period, due time) pair for a job; ``at`` is time-zone aware."""

    at: dt.datetime
    period: Period


def wall_to_instant(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The first instant (UTC) at which clocks in ``tz`` show ``wall`` (naive), or, if the
    clocks skip it, the instant they jump past it."""
    first = wall.replace(tzinfo=tz, fold=0)
    instant = first.astimezone(dt.UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == wall:
        # Ambiguous times exist twice; fold=0 is the earlier, which is the one we want.
        return instant
    # In a gap: the transition lies between the two readings; find it to the second.
    low = wall.replace(tzinfo=tz, fold=1).astimezone(dt.UTC)
    high = instant
    low, high = min(low, high), max(low, high)
    while high - low > dt.timedelta(seconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= wall:
            high = mid
        else:
            low = mid
    return high.replace(microsecond=0) if high.microsecond else high


def _iter_cron(expr: str, tz: ZoneInfo, start: dt.datetime) -> Iterator[dt.datetime]:
    # Cron fields are matched against wall-clock time: run the cron over naive local time
    # (expressed as UTC so it has no transitions), then map each wall time to an instant.
    cron = CronTrigger.from_crontab(expr, timezone=dt.UTC)
    wall = start.astimezone(tz).replace(tzinfo=None) - dt.timedelta(hours=3)
    cursor = wall.replace(tzinfo=dt.UTC)
    previous: dt.datetime | None = None
    while True:
        nxt = cron.get_next_fire_time(previous, cursor)
        if nxt is None:
            return
        previous, cursor = nxt, nxt + _TICK
        instant = wall_to_instant(nxt.replace(tzinfo=None), tz)
        if instant >= start:
            yield instant


def _iter_working_day(job: Job, start: dt.datetime) -> Iterator[Due]:
    tz = job.tz
    assert job.when.working_day is not None
    period = Period.containing(job.kind, start.astimezone(tz).date()).previous().previous()
    while True:
        day = working_day_due(period, job.when.working_day)
        at = wall_to_instant(dt.datetime.combine(day, job.when.at), tz)
        if at >= start:
            yield Due(at, period)
        period = period.next()


def iter_due(job: Job, start: dt.datetime) -> Iterator[Due]:
    """Every due time of ``job`` at or after ``start``, in order, with the period it reports."""
    fixed = Period.parse(job.fixed_period) if job.fixed_period else None
    if job.when.working_day is not None:
        for due in _iter_working_day(job, start):
            yield Due(due.at, fixed or due.period)
        return
    if job.when.once is not None:
        once = job.when.once
        at = once if once.tzinfo else wall_to_instant(once, job.tz)
        if at >= start:
            yield Due(at, fixed or period_due_on(job.kind, at.astimezone(job.tz).date()))
        return
    assert job.when.cron is not None
    for at in _iter_cron(job.when.cron, job.tz, start):
        yield Due(at, fixed or period_due_on(job.kind, at.astimezone(job.tz).date()))


def due_between(job: Job, after: dt.datetime, until: dt.datetime) -> list[Due]:
    """Due times in ``(after, until]``, the first for each period (a daily cron job reporting
    the last closed month is due once per month: its first firing after the month closed)."""
    seen: set[Period] = set()
    out: list[Due] = []
    for due in iter_due(job, after + _TICK):
        if due.at > until:
            break
        if due.period not in seen:
            seen.add(due.period)
            out.append(due)
    return out


def next_due(job: Job, after: dt.datetime) -> Due | None:
    """The first due time strictly after ``after``."""
    return next(iter_due(job, after + _TICK), None)


class WallClockTrigger(BaseTrigger):
    """An APScheduler trigger that fires at a job's due times (see :func:`iter_due`).

    Pickled into the job store, so it keeps only the job's settings.
    """

    def __init__(self, job: Job) -> None:
        self.job_data = job.model_dump(mode="json")
        self._job: Job | None = job

    @property
    def job(self) -> Job:
        if self._job is None:
            self._job = Job.model_validate(self.job_data)
        return self._job

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        start = min(now, previous_fire_time + _TICK) if previous_fire_time else now
        if previous_fire_time is not None and start <= previous_fire_time:
            start = previous_fire_time + _TICK  # never the same firing twice
        due = next(iter_due(self.job, start), None)
        return due.at.astimezone(self.job.tz) if due else None

    def __getstate__(self) -> dict[str, object]:
        return {"version": 1, "job_data": self.job_data}

    def __setstate__(self, state: dict[str, Any]) -> None:  # what __getstate__ gave, unpickled
        self.job_data = state["job_data"]
        self._job = None

    def __str__(self) -> str:
        when = self.job.when
        rule = when.cron or (f"working day {when.working_day} at {when.at}" if when.working_day else when.once)
        return f"wallclock[{rule}, {self.job.timezone}]"


__all__ = ["Due", "Kind", "WallClockTrigger", "due_between", "iter_due", "next_due", "wall_to_instant"]
