"""Render jobs: one document in one format, small enough to run anywhere.

The pipeline turns its documents into :class:`RenderJob` values and sends them through an
executor (:mod:`reportgen.executors`); each job returns the file's bytes and how long it took,
and the pipeline writes the bytes straight to disk. A job carries everything it needs (the
document holds its charts already drawn), so a worker needs no store, no configuration and no
matplotlib: charts are drawn once in the parent and reused by every format and variant.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reportgen.document import Document


@dataclass(frozen=True)
class RenderJob:
    stem: str  # file name without suffix, e.g. "leaflet-hindley"
    document: Document
    format: str  # "pdf", "docx" or "html"
    number: int = 1  # the document's position in the run (1-based), for progress
    suffix: str = ""  # version suffix for a re-issue, e.g. "-v2"


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


def render_job(job: RenderJob) -> RenderedFile:
    """Render ``job`` in memory (module-level so it can be pickled to a worker)."""
    from reportgen.render import get_renderer

    renderer = get_renderer(job.format)
    started = time.perf_counter()
    data = renderer.to_bytes(job.document)
    seconds = time.perf_counter() - started
    name = f"{job.stem}{job.suffix}{renderer.suffix}"
    doc = job.document
    return RenderedFile(job.stem, name, job.format, doc.title, doc.variant, data, seconds, job.number)


def jobs_for(
    documents: Iterable[tuple[str, Document]], formats: Iterable[str], suffix: str = ""
) -> Iterator[RenderJob]:
    """One job per document and format, lazily, in document order.

    Formats are separate jobs so that one document's PDF and Word file render side by side
    on two cores (the board pack's two files take about as long as each other).
    """
    wanted = tuple(formats)
    for number, (stem, doc) in enumerate(documents, start=1):
        for fmt in wanted:
            yield RenderJob(stem, doc, fmt, number, suffix)


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
