"""Runs asked for by hand: ``reportgen run ... --deliver``, ``rerun`` and ``approve``.

They go through the same ledger as the service, so a manual run and a scheduled one never
both produce the same (job, period): the second is told it has been done, unless ``--force``
asks for a new version. ``rerun`` makes a new version after data were revised, keeps the
earlier one, and notes what changed.
"""

from __future__ import annotations

import datetime as dt

from reportgen.errors import LookupFailure, ScheduleError
from reportgen.periods import Period
from reportgen.schedule.config import Job, Schedules
from reportgen.schedule.ledger import SUCCEEDED, Run
from reportgen.schedule.runner import Runner, event


def resolve_jobs(settings: Schedules, name: str) -> list[Job]:
    """The job called ``name``, or every job producing the report ``name`` (all leaflet variants)."""
    by_id = [j for j in settings.jobs if j.id == name]
    if by_id:
        return by_id
    by_report = [j for j in settings.jobs if j.report == name]
    if by_report:
        return by_report
    known = sorted({j.id for j in settings.jobs} | {j.report for j in settings.jobs})
    raise LookupFailure(
        f"{settings.source or 'schedules.toml'}: no job or report called {name!r}",
        hint=f"known: {', '.join(known) or '(no jobs)'}; deliveries are configured per job",
    )


def manual_run(
    runner: Runner, name: str, period: Period, *, force: bool = False, deliver: bool = True
) -> list[tuple[Job, Run | None, str]]:
    """Run and deliver every job ``name`` resolves to, for ``period``. Returns (job, run,
    message) per job; run is None when the period was already done and not forced."""
    out: list[tuple[Job, Run | None, str]] = []
    for job in resolve_jobs(runner.settings, name):
        existing = runner.ledger.find(job.id, period.key)
        version = 1
        if existing is not None and force:
            version = runner.ledger.next_version(job.id, period.key)
        elif existing is not None and existing.status == SUCCEEDED:
            out.append((job, None, f"{job.id} {period.key} was already produced (version {existing.version}, "
                        f"{existing.trigger}, {existing.started_at:%Y-%m-%d %H:%M} UTC); "
                        "use --force for a new version"))
            continue
        run = runner.execute(job, period, trigger="manual", version=version, deliver=deliver,
                             retry_early=True, note="forced re-run by hand" if version > 1 else None)
        if run is None:
            current = runner.ledger.find(job.id, period.key)
            state = current.status if current else "taken"
            out.append((job, None, f"{job.id} {period.key} is {state} elsewhere; not run twice"))
        else:
            out.append((job, run, f"{job.id} {period.key} v{run.version}: {run.status}"))
    return out


def revision_note(runner: Runner, previous: Run, period: Period, note: str | None) -> str:
    """What changed since ``previous`` was produced: the person's note and the revised data."""
    lines = [note.strip()] if note else []
    since = previous.started_at
    try:
        from reportgen.store import Store

        store = Store(runner.settings.store, partnership=runner.ledger.partnership, create=False)
        try:
            revised = store.revisions_since(since)
        finally:
            store.dispose()
    except Exception as exc:  # the note is a courtesy; the store problem shows in the render
        event("rerun.note", previous.job, period.key, "unknown", error=exc)
        revised = None
    if revised is not None:
        relevant = [
            r for r in revised.itertuples(index=False) if Period.parse(str(r.period)).end <= period.end
        ]
        if relevant:
            lines.append(
                f"{len(relevant)} value(s) revised since version {previous.version} "
                f"({since:%d %B %Y %H:%M} UTC):"
            )
            for r in relevant[:12]:
                lines.append(f"  {r.indicator}, {r.area}, {r.period}: now {r.value:g} (from {r.source})")
            if len(relevant) > 12:
                lines.append(f"  ... and {len(relevant) - 12} more")
        else:
            lines.append(f"No stored values were revised since version {previous.version}.")
    return "\n".join(lines)


def rerun(
    runner: Runner, name: str, period: Period, *, note: str | None = None, deliver: bool = True
) -> list[tuple[Job, Run | None, str]]:
    """A new version of each job's document for ``period``, keeping the earlier ones."""
    out = []
    for job in resolve_jobs(runner.settings, name):
        previous = runner.ledger.find(job.id, period.key)
        if previous is None:
            raise ScheduleError(
                f"{job.id} has no earlier run for {period.key} to revise",
                hint=f"produce it first: reportgen run {job.report} --period {period.key} --deliver",
            )
        version = runner.ledger.next_version(job.id, period.key)
        text = revision_note(runner, previous, period, note)
        run = runner.execute(job, period, trigger="rerun", version=version, note=text, deliver=deliver,
                             retry_early=True)
        msg = f"{job.id} {period.key} v{version}: {run.status if run else 'taken by another process'}"
        out.append((job, run, msg))
    return out


def local(moment: dt.datetime | None, tz: str) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z") if moment else ""
