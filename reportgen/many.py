"""One report for many partnerships in one job: ``generate_many``.

Every partnership's documents render through one executor (the local pool or a Dask
cluster), and a failure in one partnership (a broken config, a store with nothing for it, a
render error) is that partnership's outcome, never the end of the job.

How the data reaches the workers (``ship``):

- ``"documents"`` (the default): this process reads each partnership's rows from the store,
  evaluates and builds its documents, and sends the workers render jobs (the built document
  models, with their charts). Workers need neither the store nor the config, and every
  document is one job, so one big partnership's leaflets spread over every worker.
- ``"store"``: one job per partnership; each worker opens the store and the partnership's
  config itself and makes the whole report there. Nothing but a few paths crosses the wire,
  but workers need the store URL, the config folders and the output folder, and one
  partnership's documents stay on one worker.

Measured on three synthetic partnerships (docs/performance.md, "Many partnerships in one job"),
neither was faster; ``"documents"`` is the default because it balances work document by document
and keeps the workers free of store credentials, config and output folders.

Output goes to ``<out>/<partnership id>/<report>/<period>/``. Unless ``force``, a document whose
inputs are those of the one already issued there is left as it is (see :mod:`reportgen.inputs`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.deployment import select
from reportgen.errors import ReportgenError
from reportgen.executors import Executor, get_executor
from reportgen.pipeline import RunResult, _as_period, check_period, generate
from reportgen.render.jobs import warm_renderers
from reportgen.reports import FORMATS, builder

log = logging.getLogger(__name__)

SHIP = ("documents", "store")


@dataclass
class Outcome:
    """What one partnership's part of the job came to."""

    partnership: str
    status: str  # "written", "unchanged" or "failed"
    written: list[str] = field(default_factory=list)  # document stems rendered
    unchanged: list[str] = field(default_factory=list)  # document stems whose issued files were kept
    files: list[Path] = field(default_factory=list)
    error: str | None = None  # the one-line reason, when failed
    seconds: float = 0.0


@dataclass
class ManyResult:
    report: str
    period: str
    outcomes: list[Outcome]
    seconds: float
    executor: str

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def documents(self) -> int:
        return sum(len(o.written) + len(o.unchanged) for o in self.outcomes)


@dataclass(frozen=True)
class PartnershipTask:
    """One partnership's whole report, for a worker that reads the store itself (ship="store")."""

    partnership: str
    report: str
    period: str
    config_dir: str
    store_url: str | None
    out_dir: str
    variant: dict[str, Any]
    reuse: bool
    as_at: dt.datetime | None


def _outcome(pid: str, result: RunResult) -> Outcome:
    # A document read back with template glitches is this partnership's failure, as it is a
    # single run's (glitch_gate): the files stay for the officer, the job says why.
    status, error = result.status, None
    if result.glitches:
        noun = "glitch" if len(result.glitches) == 1 else "glitches"
        status, error = "failed", f"{len(result.glitches)} template {noun}: {result.glitches[0]}"
    return Outcome(
        pid,
        status,
        list(result.rendered),
        list(result.unchanged),
        list(result.files),
        seconds=result.seconds,
        error=error,
    )


def _failure(pid: str, exc: BaseException, started: float) -> Outcome:
    if isinstance(exc, ReportgenError):
        why = str(exc)
    else:  # a bug: its type and message here, the traceback in the log
        log.error("%s failed:\n%s", pid, "".join(traceback.format_exception(exc)))
        why = f"{type(exc).__name__}: {exc}"
    return Outcome(
        pid, "failed", error=why.splitlines()[0] if why else type(exc).__name__, seconds=time.perf_counter() - started
    )


def run_partnership(task: PartnershipTask) -> Outcome:
    """One partnership's report made where this runs (module-level: it is sent to workers)."""
    started = time.perf_counter()
    try:
        result = generate(
            task.report,
            task.period,
            config_dir=Path(task.config_dir),
            store_url=task.store_url,
            out_dir=Path(task.out_dir),
            variant=task.variant,
            executor="local://1",
            reuse=task.reuse,
            as_at=task.as_at,
        )
    except Exception as exc:  # noqa: BLE001 - one partnership's failure is its outcome, not the job's
        return _failure(task.partnership, exc, started)
    return _outcome(task.partnership, result)


class _Progress:
    """One count over every document of every partnership. The total is the documents of the
    partnerships built so far plus, for each one still to come, their average."""

    def __init__(self, partnerships: int, callback: Callable[[int, int, str], None] | None) -> None:
        self.partnerships, self.callback = partnerships, callback
        self.counted = self.known = self.done = 0

    def count(self, documents: int) -> None:
        self.counted += 1
        self.known += documents

    def step(self, documents: int, label: str) -> None:
        self.done += documents
        if self.callback:
            average = self.known / self.counted if self.counted else 0
            total = self.known + round(average * (self.partnerships - self.counted))
            self.callback(self.done, max(self.done, total), label)

    def partnership(self, pid: str) -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
        """``advance`` for generate's on_document, and ``close`` for when it has returned."""
        seen = [False]

        def advance(_done: int, total: int, stem: str) -> None:
            if not seen[0]:
                seen[0] = True
                self.count(total)
            self.step(1, f"{pid}: {stem}")

        def close() -> None:
            if not seen[0]:  # failed before any document
                seen[0] = True
                self.count(0)

        return advance, close


def generate_many(
    report: str,
    period: Any,
    *,
    deployment: Path | str,
    partnerships: str = "all",
    store_url: str | None = None,
    out_dir: Path | str = Path("outputs"),
    variant: dict[str, Any] | None = None,
    executor: str | Executor | None = None,
    force: bool = False,
    ship: str = "documents",
    as_at: dt.datetime | None = None,
    on_document: Callable[[int, int, str], None] | None = None,
    on_partnership: Callable[[Outcome], None] | None = None,
) -> ManyResult:
    """``report`` for ``period`` for each partnership of ``deployment`` that ``partnerships``
    names ('all' or 'id,id'), every document rendered through one ``executor``.

    Returns one :class:`Outcome` per partnership, in the order listed; raises only for a
    mistake in the job itself (an unknown partnership, a deployment with none, a malformed
    executor URL). ``on_document(done, total, label)`` advances one progress count over all
    documents; ``on_partnership(outcome)`` is called as each partnership finishes.
    """
    if ship not in SHIP:
        raise ValueError(f"ship must be one of {SHIP}, not {ship!r}")
    started = time.perf_counter()
    period = _as_period(period)
    builder(report)  # an unknown report, or one for another kind of period, is the job's mistake:
    check_period(report, period)  # said once here, not once per partnership
    chosen = select(deployment, partnerships)
    out = Path(out_dir)
    pool = executor if isinstance(executor, Executor) else get_executor(executor or "local")
    own = not isinstance(executor, Executor)
    progress = _Progress(len(chosen), on_document)
    outcomes: list[Outcome] = []

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        log.info("%s %s %s: %s", outcome.partnership, report, period.key, outcome.status)
        if on_partnership:
            on_partnership(outcome)

    try:
        if ship == "store":
            tasks = [
                PartnershipTask(
                    pid,
                    report,
                    period.key,
                    str(folder),
                    store_url,
                    str(out / pid),
                    dict(variant or {}),
                    not force,
                    as_at,
                )
                for pid, folder in chosen.items()
            ]
            for outcome in pool.map(run_partnership, tasks):
                documents = len(outcome.written) + len(outcome.unchanged)
                progress.count(documents)
                progress.step(documents, outcome.partnership)
                done(outcome)
        else:
            formats = FORMATS.get(report, ("pdf", "docx"))
            pool.warm(f"reportgen.render.{fmt}" for fmt in formats)
            # every worker imports the renderers and lays out one tiny page (fontconfig's font
            # list) now, while this process reads the first partnership: forked local workers
            # start warm, and a Dask worker's first leaflets no longer pay for it
            pool.start(functools.partial(warm_renderers, formats))
            for pid, folder in chosen.items():
                t0 = time.perf_counter()
                advance, close = progress.partnership(pid)
                try:
                    result = generate(
                        report,
                        period,
                        config_dir=folder,
                        store_url=store_url,
                        out_dir=out / pid,
                        variant=variant,
                        executor=pool,
                        reuse=not force,
                        as_at=as_at,
                        on_document=advance,
                    )
                except Exception as exc:  # noqa: BLE001 - one partnership's failure never stops the others
                    done(_failure(pid, exc, t0))
                    continue
                finally:
                    close()
                done(_outcome(pid, result))
        progress.step(0, f"{report} {period.label}")  # the final count: every partnership's documents known
    finally:
        if own:
            pool.close()
    return ManyResult(report, period.key, outcomes, time.perf_counter() - started, pool.url)
