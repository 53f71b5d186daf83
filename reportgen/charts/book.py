"""ChartBook: each chart of a run drawn once, kept as SVG (HTML/PDF) and PNG (Word).

Charts are memoised by key, so the board pack, the annual review and the web page that
show the same series in one run share one drawing. Output is deterministic (fixed SVG id
salt, no dates in metadata) so the same data gives byte-identical documents.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

from cycler import cycler

from reportgen.charts import palette
from reportgen.document import Chart
from reportgen.errors import RenderError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)
T = TypeVar("T")

PNG_DPI = 200  # print resolution for Word at the printed size; half the bytes of 300 dpi

# Text stays text in the SVG ("none"): selectable in the PDF, drawn by WeasyPrint with the same
# DejaVu font. Measured on the demo board pack (10 charts): 120 KB of SVG and 3.3 s CPU for the
# PDF, against 337 KB and 4.6 s with text as paths.
RC_PARAMS: dict[str, object] = {
    "svg.hashsalt": "reportgen",
    "svg.fonttype": "none",
    "font.family": palette.FONT_FAMILY,
    "font.size": palette.BASE_FONT_SIZE,
    "axes.titlesize": palette.BASE_FONT_SIZE + 1,
    "axes.labelsize": palette.BASE_FONT_SIZE,
    "xtick.labelsize": palette.BASE_FONT_SIZE - 1,
    "ytick.labelsize": palette.BASE_FONT_SIZE - 1,
    "legend.fontsize": palette.BASE_FONT_SIZE - 1,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": palette.GREY,
    "axes.labelcolor": palette.BLACK,
    "xtick.color": palette.GREY,
    "ytick.color": palette.GREY,
    "xtick.labelcolor": palette.BLACK,
    "ytick.labelcolor": palette.BLACK,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": palette.LIGHT_GREY,
    "grid.linewidth": 0.6,
    "axes.prop_cycle": cycler(color=list(palette.OKABE_ITO)),
    "lines.linewidth": 2.0,
    "figure.dpi": 100,
    "savefig.facecolor": "white",
}


@dataclass(frozen=True)
class ChartDraft:
    """A drawn figure and the words that go with it, before it is saved."""

    figure: Figure
    title: str
    alt_text: str  # the chart's message in words: "Recorded crime fell from 2,831 to 2,176 ..."
    caption: str = ""
    source: str = ""
    width_mm: float = 160.0


def _matplotlib() -> ModuleType:
    """matplotlib, imported on the first chart: a run without charts (a leaflet) never pays
    its ~0.5 s import. pyplot is never needed: figures are made and saved directly."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    return matplotlib


def new_figure(width_mm: float = 160.0, height_mm: float = 80.0) -> tuple[Figure, Axes]:
    """A figure at its printed size, so fonts print at the size we set."""
    from matplotlib.figure import Figure

    with _matplotlib().rc_context(RC_PARAMS):
        fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>\s*\*\s*\{([^}]*)\}\s*</style>\s*", re.S)


def _attributes(declarations: str) -> str:
    pairs = (d.split(":", 1) for d in declarations.split(";") if ":" in d)
    return "".join(f' {name.strip()}="{value.strip().replace(chr(34), chr(39))}"' for name, value in pairs)


def presentation_attributes(svg: str) -> str:
    """Turn matplotlib's ``style="fill: ..."`` into SVG presentation attributes (``fill="..."``).

    Inline in HTML, style attributes go through the page's CSS parser, which knows no SVG
    properties (WeasyPrint warns once per declaration, thousands per pack); attributes are
    read by the SVG renderer alone. The global ``*{...}`` rule becomes attributes on the root,
    from where the SVG properties inherit, so it cannot leak into the page around the chart.
    """
    root_attrs = ""
    match = _STYLE_ELEMENT.search(svg)
    if match:
        root_attrs = _attributes(match.group(1))
        svg = svg[: match.start()] + svg[match.end() :]
    svg = _STYLE_ATTR.sub(lambda m: _attributes(m.group(1)), svg)
    if root_attrs:
        svg = re.sub(r"<svg\b", lambda m: m.group(0) + root_attrs, svg, count=1)
    return svg


def _chart_id(key: str) -> str:
    ident = re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")
    return ident if ident[:1].isalpha() else f"c-{ident}"


class ChartBook:
    """Memoises charts by key for one run: ``book.get(key, draw)`` calls ``draw()`` once.

    With ``defer_png`` a chart comes back with its SVG only, and :meth:`with_png` adds the
    PNGs to a document when a format needs them (Word): the pipeline calls it after the
    PDF's job has gone to its worker, so the PNGs (two fifths of the charts' time) are
    saved while the PDF lays out instead of before it starts.
    """

    def __init__(self, *, png_dpi: int = PNG_DPI, defer_png: bool = False) -> None:
        self.png_dpi = png_dpi
        self.defer_png = defer_png
        self._charts: dict[str, Chart] = {}
        self._figures: dict[str, Figure] = {}  # by chart id: laid-out figures whose PNG is not saved yet
        self._pngs: dict[str, bytes] = {}
        self.seconds = 0.0  # time spent drawing and saving, for the run manifest
        self.requests = 0

    def __len__(self) -> int:
        return len(self._charts)

    def __contains__(self, key: str) -> bool:
        return key in self._charts

    @property
    def keys(self) -> list[str]:
        return list(self._charts)

    def get(self, key: str, draw: Callable[[], ChartDraft]) -> Chart:
        """The chart for ``key``, drawing it with ``draw`` the first time it is asked for."""
        self.requests += 1
        if key in self._charts:
            return self._charts[key]
        started = time.perf_counter()
        with _matplotlib().rc_context(RC_PARAMS):
            try:
                draft = draw()
            except RenderError:
                raise
            except Exception as exc:  # matplotlib raises many kinds; the run needs one
                raise RenderError(f"Could not draw chart {key!r}: {exc.__class__.__name__}: {exc}") from exc
            chart = self._save(key, draft)
        self._charts[key] = chart
        self.seconds += time.perf_counter() - started
        log.debug("drew chart %s in %.2fs", key, time.perf_counter() - started)
        return chart

    def _save(self, key: str, draft: ChartDraft) -> Chart:
        svg = io.BytesIO()
        fig = draft.figure
        chart_id = _chart_id(key)
        try:
            # Lay out once and freeze it: both saves then reuse the positions instead of solving
            # the constrained layout again (it is the same figure size in inches); then pull the
            # axes in if any label would run over the figure's edge and be clipped.
            from reportgen.charts.fit import keep_inside  # matplotlib only once a chart is drawn

            keep_inside(fig)
            fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        except Exception as exc:
            fig.clear()
            raise RenderError(f"Could not save chart {key!r}: {exc.__class__.__name__}: {exc}") from exc
        self._figures[chart_id] = fig
        return Chart(
            id=chart_id,
            title=draft.title,
            alt_text=draft.alt_text,
            svg=presentation_attributes(svg.getvalue().decode("utf-8")).encode("utf-8"),
            png=b"" if self.defer_png else self._png(chart_id),
            width_mm=draft.width_mm,
            caption=draft.caption,
            source=draft.source,
        )

    def _png(self, chart_id: str) -> bytes:
        """The chart's PNG, saved from its frozen figure the first time it is wanted."""
        if chart_id not in self._pngs:
            fig = self._figures.pop(chart_id)
            started = time.perf_counter()
            png = io.BytesIO()
            try:
                with _matplotlib().rc_context(RC_PARAMS):
                    # Light compression: a third of the time of the default level for ~5% more bytes.
                    fig.savefig(png, format="png", dpi=self.png_dpi, metadata={"Software": None},
                                pil_kwargs={"compress_level": 3})
            except Exception as exc:
                raise RenderError(f"Could not save chart {chart_id!r} as PNG: {exc.__class__.__name__}: {exc}") from exc
            finally:
                fig.clear()
            self._pngs[chart_id] = png.getvalue()
            if self.defer_png:  # otherwise get() counts it with the drawing
                self.seconds += time.perf_counter() - started
        return self._pngs[chart_id]

    def with_png(self, value: T) -> T:
        """``value`` (a document, or any part of one) with every chart of this book that has
        no PNG yet given its PNG; parts without such charts are returned as they are."""
        if isinstance(value, Chart):
            if value.png or (value.id not in self._figures and value.id not in self._pngs):
                return value
            return dataclasses.replace(value, png=self._png(value.id))
        if isinstance(value, tuple):
            items = tuple(self.with_png(v) for v in value)
            same = all(a is b for a, b in zip(items, value, strict=True))
            return value if same else items  # type: ignore[return-value]  # same tuple type as value, rebuilt
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for field in dataclasses.fields(value):
                old = getattr(value, field.name)
                if isinstance(old, tuple) or dataclasses.is_dataclass(old):
                    new = self.with_png(old)
                    if new is not old:
                        changes[field.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        return value
