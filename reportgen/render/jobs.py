"""Render jobs: one document in one format, small enough to run anywhere.

The pipeline turns its documents into :class:`RenderJob` values and sends them through an
executor (:mod:`reportgen.executors`); each job returns the file's bytes and how long it took,
and the pipeline writes the bytes straight to disk. A job carries everything it needs (the
document holds its charts already drawn), so a worker needs no store, no configuration and no
matplotlib: charts are drawn once in the parent and reused by every format and variant.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportgen.document import Document

if TYPE_CHECKING:
    from reportgen.executors import Executor


@dataclass(frozen=True)
class RenderJob:
    stem: str  # file name without suffix, e.g. "leaflet-hindley"
    document: Document
    formats: tuple[str, ...]  # "pdf", "docx", "html": one, or all of a document that must fit
    number: int = 1  # the document's position in the run (1-based), for progress
    suffix: str = ""  # version suffix for a re-issue, e.g. "-v2"
    # Render the longest version without fitting, side by side with the PDF job that fits
    # it; the pipeline re-renders this file in the rare case the PDF needed a shorter one.
    guess: bool = False


@dataclass(frozen=True)
class RenderedFile:
    stem: str
    name: str  # stem + version suffix + extension
    format: str
    title: str
    variant: str
    data: bytes
    seconds: float
    number: int
    choice: int = 0  # which of the document's versions() this is (0: the document itself)
    guess: bool = False  # made from the longest version before the PDF had chosen


def render_job(job: RenderJob) -> list[RenderedFile]:
    """Render ``job`` in memory (module-level so it can be pickled to a worker).

    A document with shorter versions is fitted here, in the worker: its PDF is laid out
    until a version fits, and the other formats are made from that version. Fitting in the
    parent instead would lay out every neighbourhood's leaflet in one process before the
    pool starts.
    """
    from reportgen.render import get_renderer

    doc, choice = job.document, 0
    files: list[RenderedFile] = []
    if _needs_fitting(doc) and not job.guess:
        from reportgen.render.pdf import PdfRenderer

        started = time.perf_counter()
        data, choice = PdfRenderer().fit(doc)
        doc = doc.versions()[choice]
        if "pdf" in job.formats:
            files.append(_file(job, doc, "pdf", ".pdf", data, time.perf_counter() - started, choice))
    for fmt in job.formats:
        if files and fmt == "pdf":
            continue
        renderer = get_renderer(fmt)
        started = time.perf_counter()
        data = renderer.to_bytes(doc)
        files.append(_file(job, doc, fmt, renderer.suffix, data, time.perf_counter() - started, choice))
    order = {fmt: i for i, fmt in enumerate(job.formats)}
    return sorted(files, key=lambda f: order[f.format])


def _file(job: RenderJob, doc: Document, fmt: str, extension: str, data: bytes, seconds: float,
          choice: int) -> RenderedFile:
    name = f"{job.stem}{job.suffix}{extension}"
    return RenderedFile(job.stem, name, fmt, doc.title, doc.variant, data, seconds, job.number, choice, job.guess)


def _needs_fitting(doc: Document) -> bool:
    return bool(doc.shorter)


def jobs_for(
    documents: Iterable[tuple[str, Document]],
    formats: Iterable[str],
    suffix: str = "",
    *,
    guess: bool = False,
    with_png: Callable[[Document], Document] | None = None,
) -> Iterator[RenderJob]:
    """The render jobs for ``documents``, lazily, in document order.

    Formats are separate jobs so that one document's PDF and Word file render side by side
    on two cores (the board pack's two files take about as long as each other). A document
    with shorter versions is one job for all its formats, since which version the Word file
    is made from depends on how the PDF lays out; with ``guess`` (for a run of one such
    document, when a core would otherwise sit idle) its other formats are separate jobs
    made from the longest version, checked against the PDF's choice afterwards.

    ``with_png`` gives a document its charts' PNGs for the formats that need them (Word). It
    is called as the job is made, and jobs are consumed as they are sent, so the PNGs are
    saved while the PDF job already runs.
    """
    wanted = tuple(formats)

    def prepare(doc: Document, fmts: tuple[str, ...]) -> Document:
        return with_png(doc) if with_png and any(f in PNG_FORMATS for f in fmts) else doc

    for number, (stem, doc) in enumerate(documents, start=1):
        if _needs_fitting(doc) and not (guess and "pdf" in wanted):
            yield RenderJob(stem, prepare(doc, wanted), wanted, number, suffix)
        else:
            for fmt in wanted:
                yield RenderJob(stem, prepare(doc, (fmt,)), (fmt,), number, suffix,
                                guess=fmt != "pdf" and _needs_fitting(doc))


def count_jobs(documents: list[tuple[str, Document]], formats: tuple[str, ...], *, guess: bool = False) -> int:
    """How many jobs :func:`jobs_for` makes, without making them."""
    return sum(len(list(jobs_for([d], formats, guess=guess))) for d in documents)


PNG_FORMATS = ("docx",)  # formats that show charts as PNG rather than SVG

_RENDER_MODULES = {"pdf": "reportgen.render.pdf", "docx": "reportgen.render.docx", "html": "reportgen.render.html"}
_warmed: set[str] = set()


def warm_renderers(formats: Iterable[str]) -> None:
    """Import the renderers for ``formats`` and lay out one tiny page, in this process.

    Called before a pool forks, so every worker inherits WeasyPrint, python-docx, and
    fontconfig's font list already loaded instead of paying for them once each.
    """
    import importlib

    for fmt in formats:
        if fmt in _warmed or fmt not in _RENDER_MODULES:
            continue
        importlib.import_module(_RENDER_MODULES[fmt])
        if fmt == "pdf":
            from reportgen.render.pdf import html_to_pdf

            html_to_pdf("<!doctype html><html lang='en'><title>warm</title><p>warm</p></html>", title="warm")
        _warmed.add(fmt)


def lane_of(job: RenderJob) -> str:
    """The lane (worker) a job belongs to: its first format's."""
    return job.formats[0]


def warm_lane(fmt: str) -> None:
    """Warm one lane's renderer (module-level so it can be sent to a worker)."""
    warm_renderers((fmt,))


def start_executor(executor: str | None, formats: tuple[str, ...], *, each_area: bool) -> Executor | None:
    """A local executor started now, its workers importing the renderers while the caller
    imports the data stack, reads the store, evaluates and builds; None when the executor is
    better chosen after the build (a remote one, one format of one document, one CPU).

    One document in several formats gets a worker per format (each imports only its own
    renderer). A run for every area gets its pool forked now, each worker warming every
    format, so the render phase is rendering only (and the workers do not inherit the
    store's observations). Light to import, so the CLI can call it before pandas loads.
    """
    import functools

    from reportgen.executors import get_executor
    from reportgen.executors.local import LaneExecutor, default_workers

    if not (executor is None or executor.strip().lower().startswith("local")):
        return None
    if not each_area:
        if executor in (None, "local") and len(formats) >= 2 and default_workers() >= 2:
            return LaneExecutor(formats, lane_of, warm_lane)
        return None
    pool = get_executor(executor)
    pool.start(functools.partial(warm_renderers, formats))
    return pool
