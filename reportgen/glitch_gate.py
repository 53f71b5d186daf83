"""The glitch check of every run: read back what was just written, before anyone is sent it.

``reportgen run`` (and every scheduled or ``--deliver`` run, through the same pipeline) reads
each file it rendered as a reader gets it (PDF page by page, Word section by section, HTML,
plain text, Braille back-translated) and looks for template glitches
(:mod:`reportgen.reports.glitches`): "ring .", "None", "(and 1 more)", "each month each month".

What a performance officer expects when one is found (docs/statements.md):

* the files stay where they were written, so the officer can open the page named;
* ``manifest.json`` lists each glitch under ``"glitches"``;
* ``reportgen run`` prints one line per glitch on stderr and exits 1;
* a scheduled or ``--deliver`` run fails (:class:`GlitchError`, naming every glitch) before
  anything is emailed or published; the failure reaches a person as any failed run does (the
  run history and the failure alert), and the staging folder is cleared like any failed run's:
  ``reportgen run`` of the same report and period writes the files to look at.

Only files rendered by this run are read (a document reused unchanged was read when it was
made), two at a time: the PDF readers are separate processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reportgen.errors import RenderError
from reportgen.reports.glitches import Glitch, check_file

READERS = 2  # pdftotext runs in its own process: two files at once on a small server


class GlitchError(RenderError):
    """A document of the run reads wrongly: it is written but must not be sent."""

    def __init__(self, lines: list[str], where: str, *, every: bool = True) -> None:
        self.lines = lines
        noun = "glitch" if len(lines) == 1 else "glitches"
        # The CLI has printed each line already; a scheduled run's error (and its alert) lists them.
        listed = ": " + "; ".join(lines) if every else " (listed above)"
        super().__init__(
            f"{len(lines)} template {noun} in the documents written to {where}{listed}.",
            hint="The documents were not sent. Fix the template or the data, then run again "
            "(every glitch is listed under \"glitches\" in manifest.json).",
        )


def check_written(folder: Path, names: Iterable[str]) -> list[Glitch]:
    """Every glitch in the files ``names`` of ``folder``, in the order given."""
    paths = [folder / name for name in names if (folder / name).exists()]
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        found = list(pool.map(check_file, paths))
    return [glitch for per_file in found for glitch in per_file]


def manifest_entries(glitches: list[Glitch]) -> list[dict[str, str]]:
    return [{"file": g.source, "where": g.where, "rule": g.rule, "text": g.context} for g in glitches]


def raise_if_glitches(result: object) -> None:
    """For a run that sends what it made (scheduled, ``--deliver``): stop before sending."""
    lines = list(getattr(result, "glitches", None) or [])
    if lines:
        raise GlitchError(lines, str(Path(getattr(result, "manifest", "")).parent))


__all__ = ["GlitchError", "check_written", "manifest_entries", "raise_if_glitches"]
