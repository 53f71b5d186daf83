"""The report pipeline: config + store -> evaluation -> documents -> files + manifest.

``generate`` is the one function the CLI and the scheduler call. A :class:`Session` holds
what several reports of one run share (config, the store's observations, evaluations by
period, the chart book), so ``run all`` reads the store once, evaluates each period once
and draws each chart once.

Files are rendered into a hidden temporary folder beside the destination and then
renamed into place one by one, the manifest last: a failed run never leaves a half
document where a good one stood.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata as md
import json
import logging
import os
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

import reportgen
from reportgen.charts import ChartBook
from reportgen.config import load_config
from reportgen.config.models import Config
from reportgen.document import Document, has_figures, unavailable
from reportgen.errors import EmptyDocumentError, PeriodError, RenderError, StoreError
from reportgen.fsutil import owned_tempdir
from reportgen.glitch_gate import check_written, manifest_entries
from reportgen.i18n import use_language
from reportgen.logsetup import redact
from reportgen.manifest import MANIFEST_NAME, write_merged
from reportgen.periods import Kind, Period
from reportgen.reports import FORMATS, PERIOD_KINDS, REPORTS, builder, is_available
from reportgen.reports.base import ReportContext, default_summary
from reportgen.reports.glitches import Glitch
from reportgen.store import Store

if TYPE_CHECKING:
    from reportgen.evaluate.engine import Evaluation
    from reportgen.executors import Executor
    from reportgen.render.jobs import RenderedFile

log = logging.getLogger(__name__)

_VERSIONED = (
    "pandas",
    "numpy",
    "matplotlib",
    "weasyprint",
    "python-docx",
    "jinja2",
    "pydantic",
    "sqlalchemy",
)


@dataclass
class RunResult:
    report: str
    period: str  # the period key, e.g. "2005-03"
    files: list[Path]
    manifest: Path
    headline: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    seconds: float = 0.0
    documents: list[tuple[str, Document]] = field(default_factory=list, repr=False)  # (file stem, model)
    unavailable: list[str] = field(default_factory=list)  # "X is not shown: why." for each part left out
    rendered: list[str] = field(default_factory=list)  # stems of the documents rendered by this run
    unchanged: list[str] = field(default_factory=list)  # stems whose issued files were reused (reuse=True)
    glitches: list[str] = field(default_factory=list)  # one line per template glitch read back (glitch_gate)

    @property
    def status(self) -> str:
        """'unchanged' when every document was reused, else 'written'."""
        return "unchanged" if self.unchanged and not self.rendered else "written"


def period_folder(period: Period) -> str:
    """The folder name for a period: '2005-03', '2005-Q1', '2004_05'."""
    return period.key.replace("/", "_")


def output_dir(out_dir: Path, report: str, period: Period) -> Path:
    return Path(out_dir) / report / period_folder(period)


def _as_period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else Period.parse(str(period))


def _parse_stamp(text: object) -> dt.datetime | None:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    stamp = dt.datetime.fromisoformat(str(text))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


class Session:
    """What the reports of one run share: config, observations, evaluations and charts."""

    def __init__(
        self,
        config_dir: Path,
        store_url: str | None = None,
        *,
        as_at: dt.datetime | None = None,
        config: Config | None = None,
        received_by: dt.datetime | None = None,
    ) -> None:
        self.timings: dict[str, float] = {}
        started = time.perf_counter()
        self.config_dir = Path(config_dir)
        self.config = config or load_config(self.config_dir)
        self.timings["config"] = time.perf_counter() - started
        started = time.perf_counter()
        # a document is never made from a store this created: a mistyped URL is an error
        self.store = Store(store_url, partnership=self.config.partnership.id, create=False)
        self.as_at = as_at
        # received_by replays a past day: only what partners had sent by then
        self.received_by = received_by
        self.observations = self.store.frame(as_at=as_at, received_by=received_by)
        self.loads = self.store.loads()
        self.timings["store"] = time.perf_counter() - started
        self.charts = ChartBook(defer_png=True)  # PNGs are made as Word jobs are sent
        self._evaluations: dict[str, Evaluation] = {}
        self.evaluate_seconds: dict[str, float] = {}

    def evaluation(self, period: Period) -> Evaluation:
        """The evaluation at ``period``, computed once per session."""
        if period.key not in self._evaluations:
            from reportgen.evaluate.engine import evaluate

            started = time.perf_counter()
            # partners' notes as known at the same moment as the figures
            notes = self.store.notes(as_at=self.received_by or self.as_at, until=period)
            self._evaluations[period.key] = evaluate(self.config, self.observations, period, notes=notes)
            self.evaluate_seconds[period.key] = time.perf_counter() - started
            log.info("evaluated %s in %.2fs", period.key, self.evaluate_seconds[period.key])
        return self._evaluations[period.key]

    def data_as_at(self, period: Period) -> dt.datetime | None:
        """When the newest observation up to the end of ``period`` was received from its
        partner (its return's own date; the load time when the return had none).

        Taken from the data, so re-pulling identical files (or loading years of history at
        once) keeps it, and the documents (which carry it as their date) stay byte-identical.
        """
        frame = self.observations
        if frame.empty:
            return None
        column = "received_at" if "received_at" in frame.columns else "loaded_at"
        used = frame.loc[frame["period_end"] <= period.end, column]
        return _parse_stamp(used.max()) if not used.empty else None

    def inputs(self, period: Period) -> list[dict[str, Any]]:
        """The loads whose data the documents for ``period`` may use (newest per source)."""
        if self.loads.empty:
            return []
        frame = self.observations
        used = frame.loc[frame["period_end"] <= period.end, "source"].unique().tolist()
        loads = self.loads[self.loads["source"].isin(used)]
        latest = loads.sort_values("id").groupby(["partner", "source"], sort=True).tail(1)
        columns = ["partner", "source", "file", "checksum", "loaded_at"]
        records = latest[columns].sort_values(["partner", "source"]).to_dict("records")
        return [{str(k): (None if pd.isna(v) else v) for k, v in r.items()} for r in records]

    def returns_status(self, period: Period) -> pd.DataFrame | None:
        """Partners' returns owed for ``period`` (received, late, partial, missing, revised)
        when the returns workflow is installed, else None. "Overdue" is judged at the time
        the data was known, not by the clock, so a re-run gives the same annex."""
        if period.kind is not Kind.MONTH:
            return None
        try:
            from reportgen.returns.status import return_status
        except ImportError:
            return None
        known = self.received_by or self.data_as_at(period)
        today = known.date() if known else period.last_day
        # Only data returns (files partners fill in: CSV, Excel) are owed by a deadline. Feeds
        # (police.uk files, SQL) carry no submission date of their own, so judging them "late"
        # by when we happened to load them would mark every month late; with no returns owed
        # the annex shows which data is present instead. `reportgen returns status` still
        # lists feeds (unless --returns-only).
        return return_status(
            self.config, self.store, period, today=today, received_by=self.received_by, feeds=False
        )

    def close(self) -> None:
        self.store.dispose()


def _versions() -> dict[str, str]:
    out = {"reportgen": reportgen.__version__, "python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_period(report: str, period: Period) -> None:
    kind = PERIOD_KINDS[report]
    if period.kind is not kind:
        examples = {Kind.MONTH: "2005-03", Kind.QUARTER: "2005-Q1", Kind.FINANCIAL_YEAR: "2004/05"}
        raise PeriodError(
            f"The {report} is written for a {kind.value.replace('_', ' ')}, not a "
            f"{period.kind.value.replace('_', ' ')} ({period.key}).",
            hint=f"Use --period {examples[kind]} for example.",
        )


def generate(
    report: str,
    period: Period | str,
    *,
    config_dir: Path = Path("data_sources"),
    store_url: str | None = None,
    out_dir: Path = Path("outputs"),
    variant: dict[str, Any] | None = None,
    version: int | None = None,
    formats: tuple[str, ...] | None = None,
    as_at: dt.datetime | None = None,
    received_by: dt.datetime | None = None,
    session: Session | None = None,
    on_document: Callable[[int, int, str], None] | None = None,
    executor: str | Executor | None = None,
    parallel: bool | None = None,
    reuse: bool = False,
) -> RunResult:
    """Build one report for one period and write its files and manifest.

    ``variant`` options reach the builder as ``ctx.options`` (large_print, area, poster,
    lang...). ``version`` (2, 3...) suffixes file names for a re-issue after late data.
    ``formats`` defaults to the report's own (PDF and Word; HTML for the web page).
    ``as_at`` uses the data as the store knew it then; ``received_by`` only what partners
    had sent by then (a reporting day replayed).
    ``on_document(done, total, stem)`` is called after each document is rendered in every
    format (e.g. to advance a progress bar over the leaflets of every neighbourhood).
    ``executor`` ('local', 'local://N', 'dask://host:port' or an Executor) is where the
    render jobs run; by default a local pool when there is more than one file to make.
    ``parallel=False`` renders in this process (same as ``executor='local://1'``); the files
    are identical either way.
    ``reuse=True`` leaves alone what would come out the same as last time (see
    :mod:`reportgen.inputs`): when the report's inputs key matches the manifest in the
    destination, nothing is evaluated or written; otherwise only the documents whose key
    changed are rendered, and the others' files are kept as they are.
    """
    request = _request(report, period, variant=variant, version=version, formats=formats, out_dir=out_dir,
                       as_at=as_at, on_document=on_document, executor=executor, parallel=parallel, reuse=reuse)
    early = _start_early(request)
    own = session is None
    try:
        session = session or Session(config_dir, store_url, as_at=as_at, received_by=received_by)
    except BaseException:
        if early is not None:
            early.close()
        raise
    try:
        return _generate(request, session, early, dict(session.timings) if own else {})
    finally:
        if own:
            session.close()
        if early is not None:
            early.close()  # already closed after rendering, unless the run failed before it


@dataclass
class _Request:
    """One :func:`generate` call, checked: what each of its steps reads."""

    report: str
    period: Period
    module: Any  # the report's builder module
    formats: tuple[str, ...]
    variant: dict[str, Any]
    version: int | None
    out_dir: Path
    as_at: dt.datetime | None
    on_document: Callable[[int, int, str], None] | None
    executor: str | Executor | None
    reuse: bool
    started: float

    @property
    def suffix(self) -> str:
        """What a re-issue adds to its file names ('-v2')."""
        return f"-v{self.version}" if self.version else ""

    @property
    def dest(self) -> Path:
        return output_dir(self.out_dir, self.report, self.period)


@dataclass
class _Built:
    """The documents of one run and what was said about them."""

    ctx: ReportContext
    documents: list[tuple[str, Document]]
    missing_parts: list[str]
    headline: list[str]
    exceptions: list[str]
    summary_statements: tuple[tuple[str, str], ...]  # (key, sentence) pairs: ReportContext.statements.take()


def _request(report: str, period: Period | str, *, variant: dict[str, Any] | None, version: int | None,
             formats: tuple[str, ...] | None, out_dir: Path, as_at: dt.datetime | None,
             on_document: Callable[[int, int, str], None] | None, executor: str | Executor | None,
             parallel: bool | None, reuse: bool) -> _Request:
    """The run asked for, checked as the CLI and schedules.toml's jobs check it."""
    started = time.perf_counter()
    period = _as_period(period)
    if report not in REPORTS:
        builder(report)  # raises LookupFailure naming the known reports
    from reportgen.reports.request import RunRequest, check_request

    # The same check as schedules.toml's jobs and `reportgen run`: an unknown variant key fails here.
    check_request(RunRequest(report=report, variant=dict(variant or {}), period=period.key))
    check_period(report, period)
    if executor is None and parallel is not None:
        executor = "local" if parallel else "local://1"
    return _Request(report, period, builder(report), tuple(formats) if formats else FORMATS[report],
                    dict(variant or {}), version, Path(out_dir), as_at, on_document, executor, reuse, started)


def _start_early(request: _Request) -> Executor | None:
    """Render workers forked (and warming up) before the store is read; None when the
    caller brought its own executor."""
    if request.executor is not None and not isinstance(request.executor, str):
        return None
    from reportgen.render.jobs import start_executor

    return start_executor(request.executor, request.formats, each_area=bool(request.variant.get("each_area")))


def _generate(request: _Request, session: Session, early: Executor | None, timings: dict[str, Any]) -> RunResult:
    """The steps of one run: refuse an empty store, reuse what has not changed, build the
    documents, render what is new into a hidden folder, then put files and manifest in place."""
    _refuse_empty_store(session)
    inputs_key = _inputs_key(session, request.report, request.period, request.variant, request.formats,
                             request.version)
    previous = _previous(request.dest, request.variant, request.version) if (
        request.reuse and not request.variant.get("alt_formats")) else None
    if previous is not None and previous.get("inputs_key") == inputs_key and _intact(request.dest, previous["files"]):
        return _unchanged_result(request, previous)
    built = _build(request, session, timings)
    from reportgen.inputs import document_key

    request.dest.parent.mkdir(parents=True, exist_ok=True)
    versions = _versions()
    keys = [document_key(doc, request.formats, request.suffix, versions) for _, doc in built.documents]
    kept = _reusable(request.dest, previous, built.documents, keys)
    tmp = owned_tempdir(request.dest.parent, request.dest.name)  # a killed run's leftovers are swept here
    try:
        files, pool_url = _render_new(request, session, built, kept, previous, tmp, early, timings)
        alt_notes: list[str] = []
        if request.variant.get("alt_formats"):
            t_alt = time.perf_counter()
            files += write_alternative_formats(built.documents, tmp, request.suffix, alt_notes)
            timings["alt_formats"] = time.perf_counter() - t_alt
        glitches = _read_back(tmp, files, timings)
        timings["total"] = time.perf_counter() - request.started
        manifest = _manifest(request, session, built, files, keys, inputs_key, alt_notes, timings, pool_url)
        if glitches:
            manifest["glitches"] = manifest_entries(glitches)
        paths, manifest_path = _put_in_place(tmp, request.dest, files, manifest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return RunResult(request.report, request.period.key, paths, manifest_path, built.headline, built.exceptions,
                     time.perf_counter() - request.started, built.documents, built.missing_parts,
                     rendered=[stem for stem, _ in built.documents if stem not in kept],
                     unchanged=[stem for stem, _ in built.documents if stem in kept],
                     glitches=[str(g) for g in glitches])


def _read_back(tmp: Path, files: list[dict[str, Any]], timings: dict[str, Any]) -> list[Glitch]:
    """The files this run rendered, read back for template glitches (:mod:`reportgen.glitch_gate`)."""
    t0 = time.perf_counter()
    glitches = check_written(tmp, [f["name"] for f in files if (tmp / f["name"]).exists()])
    timings["glitch_check"] = time.perf_counter() - t0
    for glitch in glitches:
        log.info("glitch: %s", glitch)  # `reportgen run` prints them; a sending run fails naming them
    return glitches


def _refuse_empty_store(session: Session) -> None:
    """A pack of "no data" in every cell looks like a report; better to say why there is none."""
    if not session.observations.empty:
        return
    where = redact(session.store.url)
    limit = " received by then" if session.received_by else (" known then" if session.as_at else "")
    raise StoreError(
        f"The store {where} holds no observations{limit}, so there is nothing to report.",
        hint="Run `reportgen pull` (or `reportgen returns ingest FILE`) first, or give --store.",
    )


def _unchanged_result(request: _Request, previous: dict[str, Any]) -> RunResult:
    """The result of a run whose inputs match the manifest in its folder: nothing is made."""
    dest = request.dest
    log.info("%s %s unchanged: its inputs match %s", request.report, request.period.key, dest / MANIFEST_NAME)
    stems = list(previous.get("documents", {}))
    if request.on_document:
        for number, stem in enumerate(stems, start=1):
            request.on_document(number, len(stems), stem)
    return RunResult(request.report, request.period.key, [dest / f["name"] for f in previous["files"]],
                     dest / MANIFEST_NAME, previous.get("headline", []), previous.get("exceptions", []),
                     time.perf_counter() - request.started, unchanged=stems)


def _build(request: _Request, session: Session, timings: dict[str, Any]) -> _Built:
    """Evaluate the period (once per session) and build the report's documents and summary."""
    period = request.period
    evaluation = session.evaluation(period)
    timings["evaluate"] = session.evaluate_seconds.get(period.key, 0.0)
    ctx = ReportContext(
        config=session.config,
        evaluation=evaluation,
        period=period,
        charts=session.charts,
        options=dict(request.variant),
        returns_status=session.returns_status(period),
        data_as_at=session.data_as_at(period),
    )
    chart_seconds = session.charts.seconds
    t0 = time.perf_counter()
    # Builders speak the variant's language (gettext catalogs, Babel number and month forms).
    with use_language(ctx.options.get("lang")):
        documents: list[tuple[str, Document]] = list(request.module.build(ctx))
    timings["build"] = time.perf_counter() - t0
    timings["charts"] = session.charts.seconds - chart_seconds
    if not documents:
        raise RenderError(f"The {request.report} builder produced no documents for {period.key}.")
    missing_parts = _check_contents(request.report, period, documents)
    summarise: Callable[[ReportContext], tuple[list[str], list[str]]] = getattr(
        request.module, "summarise", default_summary
    )
    headline, exceptions = summarise(ctx)
    # Statements the summary (the delivery email's body) printed; the builders took theirs.
    return _Built(ctx, documents, missing_parts, headline, exceptions, ctx.statements.take())


def _render_new(request: _Request, session: Session, built: _Built, kept: set[str], previous: dict[str, Any] | None,
                tmp: Path, early: Executor | None, timings: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """Render every document not kept into ``tmp``; the manifest's file entries (kept ones
    from the last manifest) in document order, and the executor's URL."""
    from reportgen.render.jobs import count_jobs

    documents = built.documents
    todo = [d for d in documents if d[0] not in kept]
    t_render = time.perf_counter()
    pool: Executor | None = early
    own_pool = early is not None
    try:
        # One document that must fit its pages: its Word file is guessed from the longest
        # version beside the PDF rather than after it (checked in _render).
        guess = len(todo) == 1
        if pool is None:
            pool, own_pool = _executor_for(request.executor, count_jobs(todo, request.formats, guess=guess),
                                           request.formats)
        if request.on_document and kept:
            for number, (stem, _) in enumerate(documents, start=1):
                if stem in kept:
                    request.on_document(number, len(documents), stem)
        fresh = _render(pool, todo, request.formats, request.suffix, tmp, session.charts, request.on_document,
                        guess=guess)
    finally:
        if own_pool and pool is not None:
            pool.close()
    places = [n for n, (stem, _) in enumerate(documents) if stem not in kept]
    for place, printed in zip(places, todo, strict=True):
        documents[place] = printed  # the version its PDF printed, for alternative formats
    timings["render"] = time.perf_counter() - t_render
    return _in_document_order(documents, kept, fresh, previous, request.suffix), pool.url


def _manifest(request: _Request, session: Session, built: _Built, files: list[dict[str, Any]], keys: list[str],
              inputs_key: str, alt_notes: list[str], timings: dict[str, Any], executor_url: str) -> dict[str, Any]:
    """What the folder's manifest says about this run."""
    ctx, documents, suffix = built.ctx, built.documents, request.suffix
    return {
        "report": request.report,
        "period": request.period.key,
        "period_label": request.period.label,
        "version": request.version,
        "variant": dict(request.variant),
        "data_as_at": ctx.data_as_at.isoformat() if ctx.data_as_at else None,
        "as_at": request.as_at.isoformat() if request.as_at else None,
        "received_by": session.received_by.isoformat() if session.received_by else None,
        "document_date": ctx.document_date.isoformat(),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": {"dir": str(session.config_dir), "checksum": session.config.checksum},
        "store": redact(session.store.url),
        "inputs": session.inputs(request.period),
        "inputs_key": inputs_key,
        "documents": {
            stem: {"key": key, "files": [f["name"] for f in files if _stem_of(f["name"], suffix) == stem]}
            for (stem, _), key in zip(documents, keys, strict=True)
        },
        "files": files,
        "charts": len(session.charts),
        "headline": built.headline,
        "exceptions": built.exceptions,
        # What each document (and the summary) said about each figure: measure|area|basis|
        # period|compared with -> words, so wording can be checked across documents.
        "statements": {
            **{f"{stem}{suffix}": dict(doc.statements) for stem, doc in documents if doc.statements},
            **({"summary": dict(built.summary_statements)} if built.summary_statements else {}),
        },
        **({"unavailable": built.missing_parts} if built.missing_parts else {}),
        **({"alt_formats": alt_notes} if alt_notes else {}),
        "versions": _versions(),
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "executor": executor_url,
    }


def _put_in_place(
    tmp: Path, dest: Path, files: list[dict[str, Any]], manifest: dict[str, Any]
) -> tuple[list[Path], Path]:
    """Move the rendered files from ``tmp`` into ``dest``, each by rename (atomic on one
    filesystem), the manifest last so a manifest always describes files that are in place."""
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for entry in files:
        if (tmp / entry["name"]).exists():  # a kept document's file is already in place
            os.replace(tmp / entry["name"], dest / entry["name"])
        paths.append(dest / entry["name"])
    # One manifest per folder: merged with the other variants written there, under a lock.
    return paths, write_merged(dest, manifest)


def _inputs_key(session: Session, report: str, period: Period, variant: dict[str, Any] | None,
                formats: tuple[str, ...], version: int | None) -> str:
    """Everything the report's documents can read, hashed (see :mod:`reportgen.inputs`)."""
    from reportgen.inputs import code_checksum, digest, frame_digest

    commentary = session.config_dir / "commentary"
    notes = sorted(
        (p.relative_to(commentary).as_posix(), _sha256(p.read_bytes()))
        for p in (commentary.rglob("*") if commentary.is_dir() else [])
        if p.is_file()
    )
    return digest(
        "inputs", report, period.key, dict(variant or {}), list(formats), version,
        session.config.partnership.id, session.config.checksum, notes,
        frame_digest(session.observations, ("indicator", "area", "period", "loaded_at")),
        frame_digest(session.loads, ("id",)),
        session.as_at, session.received_by, code_checksum(), _versions(),
    )


def _previous(dest: Path, variant: dict[str, Any] | None, version: int | None) -> dict[str, Any] | None:
    """This variant's entry in the manifest already in ``dest`` (None if there is none)."""
    from reportgen import manifest as folder_manifest

    manifest = folder_manifest.read(dest / MANIFEST_NAME)
    if manifest is None:
        return None
    mine = folder_manifest.variant_key({"variant": dict(variant or {}), "version": version})
    entries = manifest.get("variants") or [folder_manifest.variant_entry(manifest)]
    entry = next((e for e in entries if isinstance(e, dict) and folder_manifest.variant_key(e) == mine), None)
    return entry if entry is not None and isinstance(entry.get("files"), list) else None


def _intact(dest: Path, entries: list[dict[str, Any]]) -> bool:
    """Whether every file in ``entries`` is in ``dest`` with the checksum the manifest gives."""
    for entry in entries:
        path = dest / entry["name"]
        if not path.is_file() or _sha256(path.read_bytes()) != entry.get("sha256"):
            return False
    return True


def _reusable(dest: Path, previous: dict[str, Any] | None, documents: list[tuple[str, Document]],
              keys: list[str]) -> set[str]:
    """Stems of the documents whose files in ``dest`` were made from the same key."""
    if previous is None:
        return set()
    issued = previous.get("documents") or {}
    by_name = {f["name"]: f for f in previous["files"]}
    kept = set()
    for (stem, _), key in zip(documents, keys, strict=True):
        entry = issued.get(stem) or {}
        names = entry.get("files") or []
        if entry.get("key") == key and names and all(n in by_name for n in names) and _intact(
            dest, [by_name[n] for n in names]
        ):
            kept.add(stem)
    return kept


def _stem_of(name: str, suffix: str) -> str:
    """The document stem of a file name made by the renderers ('leaflet-x-v2.pdf' -> 'leaflet-x')."""
    base = name.rsplit(".", 1)[0]
    return base[: -len(suffix)] if suffix and base.endswith(suffix) else base


def _in_document_order(documents: list[tuple[str, Document]], kept: set[str], fresh: list[dict[str, Any]],
                       previous: dict[str, Any] | None, suffix: str) -> list[dict[str, Any]]:
    """Manifest entries in document order: a kept document's from the last manifest, the
    others' just rendered."""
    if not kept or previous is None:
        return fresh
    old = previous["files"]
    return [
        entry
        for stem, _ in documents
        for entry in (old if stem in kept else fresh)
        if _stem_of(entry["name"], suffix) == stem
    ]


def _check_contents(report: str, period: Period, documents: list[tuple[str, Document]]) -> list[str]:
    """Log every part a document could not compute, and refuse a document with no figures.

    Returns the one-line reasons ("Crime over ten years is not shown: ...") for the manifest.
    """
    lines: list[str] = []
    for stem, doc in documents:
        gaps = [u.text for u in unavailable(doc)]
        for line in gaps:
            log.info("%s: %s", stem, line)  # the CLI prints these; the service's log keeps them
        lines += [line for line in gaps if line not in lines]
        if not has_figures(doc):
            why = " ".join(gaps) if gaps else "none of its sections could be computed from the data held."
            raise EmptyDocumentError(
                f"The {report} for {period.label} ({stem}) would carry no figures at all: {why}",
                hint="Check that `reportgen pull` loaded the months this period needs "
                "(`reportgen evaluate --period ...` shows what is held), or report a later period.",
            )
    return lines


def _render(
    pool: Executor,
    documents: list[tuple[str, Document]],
    formats: tuple[str, ...],
    suffix: str,
    folder: Path,
    charts: ChartBook,
    on_document: Callable[[int, int, str], None] | None,
    *,
    guess: bool,
) -> list[dict[str, Any]]:
    """Render every document in every format through ``pool`` into ``folder``; the manifest
    entries. Where a document printed a shorter version to fit its pages, ``documents`` is
    updated to that version (alternative formats follow it) and any file guessed from the
    longest version is made again from it."""
    from reportgen.render.jobs import RenderJob, jobs_for, render_job

    files: list[dict[str, Any]] = []
    printed: dict[int, int] = {}  # document number -> the version its PDF printed
    guessed: list[RenderedFile] = []
    jobs = jobs_for(documents, formats, suffix, guess=guess, with_png=charts.with_png)
    # Results stream back in order and go straight to disk: memory stays flat however many
    # neighbourhoods there are.
    for done in (f for result in pool.map(render_job, jobs) for f in result):
        if done.format == "pdf":
            printed[done.number] = done.choice
        if done.guess:
            guessed.append(done)
        (folder / done.name).write_bytes(done.data)
        files.append(_file_entry(done))
        log.info("rendered %s in %.2fs", done.name, done.seconds)
        if on_document and done.format == formats[-1]:
            on_document(done.number, len(documents), done.stem)
    for done in guessed:
        if printed.get(done.number, 0) != done.choice:
            stem, doc = documents[done.number - 1]
            version = charts.with_png(doc.versions()[printed[done.number]])
            (redone,) = render_job(RenderJob(stem, version, (done.format,), done.number, suffix))
            (folder / redone.name).write_bytes(redone.data)
            files[[f["name"] for f in files].index(redone.name)] = _file_entry(redone)
            log.info("re-rendered %s from the version that fits", redone.name)
    for number, choice in printed.items():
        if choice:
            stem, doc = documents[number - 1]
            documents[number - 1] = (stem, doc.versions()[choice])
    return files


def _file_entry(done: RenderedFile) -> dict[str, Any]:
    """The manifest's entry for one rendered file."""
    return {
        "name": done.name,
        "format": done.format,
        "title": done.title,
        "variant": done.variant,
        "bytes": len(done.data),
        "sha256": _sha256(done.data),
        "seconds": round(done.seconds, 3),
    }


def write_alternative_formats(
    documents: list[tuple[str, Document]], folder: Path, suffix: str, notes: list[str]
) -> list[dict[str, Any]]:
    """Braille, audio, plain text and easy read for each document, written into ``folder``
    beside its PDF; manifest entries for each file. Braille and audio are English only, so
    a translated document gets plain text and easy read, and ``notes`` says why."""
    from reportgen.altformats.produce import write_alt_formats
    from reportgen.i18n import for_tag

    entries: list[dict[str, Any]] = []
    for stem, doc in documents:
        started = time.perf_counter()
        lang = for_tag(doc.language)
        paths = write_alt_formats(doc, folder, f"{stem}{suffix}", direction=lang.direction)
        seconds = (time.perf_counter() - started) / max(len(paths), 1)
        if not doc.language.lower().startswith("en"):
            notes.append(f"{stem}{suffix}: Braille, audio and the easy-read PDF are made in English only; "
                         f"plain text and easy read are in {lang.english_name}.")
        for path in paths:
            data = path.read_bytes()
            fmt = ("easy-read" if path.name.endswith("-easy-read.html")
                   else "easy-read-pdf" if path.name.endswith("-easy-read.pdf") else path.suffix.lstrip("."))
            entries.append({"name": path.name, "format": fmt, "title": doc.title, "variant": doc.variant,
                            "alternative_for": f"{stem}{suffix}", "bytes": len(data), "sha256": _sha256(data),
                            "seconds": round(seconds, 3)})
            log.info("wrote %s (%s version of %s)", path.name, fmt, stem)
    return entries


def _executor_for(
    executor: str | Executor | None, jobs: int, formats: tuple[str, ...]
) -> tuple[Executor, bool]:
    """The executor to render ``jobs`` files with, and whether this run owns (closes) it.

    One file renders in this process (a pool would only add a fork); more go to a local pool
    of one worker per CPU.
    """
    from reportgen.executors import Executor as ExecutorBase
    from reportgen.executors import get_executor
    from reportgen.render.jobs import warm_renderers

    if isinstance(executor, ExecutorBase):
        return executor, False
    pool = get_executor(executor or ("local://1" if jobs <= 1 else "local"))
    if pool.url.startswith("local"):
        # Warm here only when a worker will render several files: then every worker inherits
        # the imports and fonts. With a job per worker (one document's PDF and Word), each
        # worker imports just its own renderer, side by side, which is sooner.
        if jobs > pool.workers:
            warm_renderers(formats)
    else:
        pool.warm(f"reportgen.render.{fmt}" for fmt in formats)
    return pool, True




def due_reports(period: Period | str) -> list[tuple[str, Period]]:
    """Every report due when ``period`` closes.

    For a month: the board pack and web page; the leaflet if the month ends a quarter; the
    annual review if it ends a financial year. A quarter gives its leaflet (and the annual
    review for Q1), a financial year its annual review.
    """
    period = _as_period(period)
    due: list[tuple[str, Period]] = []
    if period.kind is Kind.MONTH:
        due += [("board-pack", period), ("web", period)]
    quarter = Period.of_kind_at(Kind.QUARTER, period.end)
    if period.kind in (Kind.MONTH, Kind.QUARTER) and quarter.end == period.end:
        due.append(("leaflet", quarter))
    year = period.financial_year_of_end()
    if year.end == period.end:
        due.append(("annual-review", year))
    return due


def generate_all(
    period: Period | str,
    *,
    config_dir: Path = Path("data_sources"),
    store_url: str | None = None,
    out_dir: Path = Path("outputs"),
    as_at: dt.datetime | None = None,
    received_by: dt.datetime | None = None,
    on_report: Callable[[str, Period], None] | None = None,
    skip_missing: bool = True,
    executor: str | Executor | None = None,
) -> tuple[list[RunResult], list[str]]:
    """Every report due for ``period`` (see :func:`due_reports`) in one session.

    Returns the results and the names of reports skipped because their builder is not
    installed (``skip_missing``).
    """
    results: list[RunResult] = []
    skipped: list[str] = []
    session = Session(config_dir, store_url, as_at=as_at, received_by=received_by)
    try:
        for report, report_period in due_reports(period):
            if skip_missing and not is_available(report):
                log.warning("skipped %s: its builder is not installed", report)
                skipped.append(report)
                continue
            if on_report:
                on_report(report, report_period)
            results.append(
                generate(
                    report,
                    report_period,
                    out_dir=out_dir,
                    session=session,
                    as_at=as_at,
                    config_dir=config_dir,
                    executor=executor,
                )
            )
    finally:
        session.close()
    return results, skipped


def read_manifest(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def generate_many(report: str, period: Period | str, **kwargs: Any) -> Any:
    """One report for many partnerships through one executor: see :func:`reportgen.many.generate_many`
    (here too so the pipeline's callers find every entry point in one place)."""
    from reportgen.many import generate_many as many

    return many(report, period, **kwargs)
