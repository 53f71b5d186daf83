"""Labels placed by their measured extents: never over a data line, another label or the frame.

matplotlib knows each text's box on the canvas only once the figure is laid out, so a label is
placed by trying candidate positions and measuring: the first whose box is inside the axes and
clear of every line and label wins. ``keep_inside`` then shrinks the axes if any text would
run over the figure's edge (a right-hand label such as "Target 2007/08: 32.1" was clipped),
and ``label_problems`` lists what still collides, for the tests and the chart book's log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

PAD_PX = 1.5  # clearance around a label, in canvas pixels (figure dpi 100: about 1 pt)


def _renderer(fig: Figure) -> RendererBase:
    # figures here are made without pyplot, so their canvas may be the bare base class
    return fig._get_renderer()  # type: ignore[attr-defined]  # private, but the only renderer without pyplot


def lay_out(fig: Figure) -> None:
    """Run the figure's layout engine now, so positions measured next are the final ones."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)


def _line_points(line: Line2D) -> np.ndarray:
    """A line's path in canvas pixels, densified so a box between two vertices is still hit."""
    xy = line.get_transform().transform(np.column_stack(line.get_data()).astype(float))
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) < 2:
        return xy
    out = [xy[:1]]
    for a, b in zip(xy[:-1], xy[1:], strict=True):
        n = max(2, int(np.hypot(*(b - a)) / 2))
        out.append(np.linspace(a, b, n)[1:])
    return np.vstack(out)


def _data_lines(ax: Axes) -> list[Line2D]:
    return [ln for ln in ax.lines if ln.get_visible() and np.size(ln.get_xdata()) > 0]


def _hits(box: Bbox, points: np.ndarray) -> bool:
    if not len(points):
        return False
    x0, y0, x1, y1 = box.x0 - PAD_PX, box.y0 - PAD_PX, box.x1 + PAD_PX, box.y1 + PAD_PX
    inside = (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)
    return bool(inside.any())


def _labels(fig: Figure) -> list[Text]:
    return [t for ax in fig.axes for t in ax.texts if t.get_visible() and t.get_text().strip()]


def place_label(
    ax: Axes,
    text: str,
    anchors: Sequence[tuple[float, float]],
    *,
    offsets: Sequence[tuple[float, float]] = ((4, 6), (4, -6), (-4, 6), (-4, -6), (0, 14), (0, -14)),
    **kwargs: object,
) -> Annotation | None:
    """Annotate ``text`` at the first anchor (data coordinates) and offset (points) whose box
    lies inside the axes and touches no data line or other label; None (and no label) when
    no candidate is clear, since a struck-through label is worse than none (the chart's alt
    text and caption still say it). Call after the limits are final."""
    fig = cast(Figure, ax.figure)  # our axes are made on a Figure (new_figure), never a SubFigure
    lay_out(fig)
    renderer = _renderer(fig)
    frame = ax.get_window_extent(renderer)
    lines = [_line_points(ln) for ln in _data_lines(ax)]
    others = [t.get_window_extent(renderer) for t in _labels(fig)]
    for anchor in anchors:
        for dx, dy in offsets:
            label = ax.annotate(
                text,
                xy=anchor,
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx >= 0 else "right",
                va="bottom" if dy >= 0 else "top",
                **kwargs,  # type: ignore[arg-type]  # Annotation's keywords, passed through as given
            )
            box = label.get_window_extent(renderer)
            clear = (
                frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            ) and not any(_hits(box, pts) for pts in lines)
            clear = clear and not any(box.overlaps(o) for o in others)
            if clear:
                return label
            label.remove()
    return None


def keep_inside(fig: Figure, *, margin_px: float = 8.0) -> None:
    """Shrink the axes so no text runs over the figure's edge (labels outside the plot area,
    at the right of line ends, are not counted by every layout engine). The margin allows for
    the PDF drawing the SVG's text a little wider than matplotlib measures it (seen: the colon of
    "Target 2007/08:" cut with a 2 px margin)."""
    lay_out(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        fig.set_layout_engine("none")  # freeze: the positions set below must stay
    renderer = _renderer(fig)
    width, height = fig.bbox.width, fig.bbox.height
    for _ in range(3):
        fig.draw_without_rendering()
        boxes = [t.get_window_extent(renderer) for t in _all_texts(fig)]
        if not boxes:
            return
        over_right = max(b.x1 for b in boxes) - (width - margin_px)
        over_left = margin_px - min(b.x0 for b in boxes)
        over_top = max(b.y1 for b in boxes) - (height - margin_px)
        if max(over_right, over_left, over_top) <= 0:
            return
        for ax in fig.axes:
            pos = ax.get_position()
            left = pos.x0 + max(over_left, 0) / width
            right = pos.x1 - max(over_right, 0) / width
            top = pos.y1 - max(over_top, 0) / height
            ax.set_position(Bbox.from_extents(left, pos.y0, right, top))


def _all_texts(fig: Figure) -> Iterable[Text]:
    """Every text that is drawn: tick labels only of the ticks inside the view (matplotlib keeps
    labels of ticks beyond the limits, placed but never drawn)."""
    texts: list[Text] = list(fig.texts)
    for ax in fig.axes:
        texts += [*ax.texts, ax.title, ax._left_title, ax._right_title]  # type: ignore[attr-defined]  # no public getter
        if not ax.axison:  # axes switched off (the icons): no tick or axis labels are drawn
            continue
        texts += [ax.xaxis.label, ax.yaxis.label]
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.get_visible():
                continue
            for tick in axis._update_ticks():  # type: ignore[union-attr]  # private: the ticks inside the view
                texts += [tick.label1, tick.label2]
        legend = ax.get_legend()
        if legend is not None:
            texts += legend.get_texts()
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def label_problems(fig: Figure) -> list[str]:
    """What collides in a drawn figure: any text over the figure's edge; any annotation over a
    data line or another annotation. Empty when every label is clear."""
    fig.draw_without_rendering()  # axis labels find their places only when drawn
    renderer = _renderer(fig)
    problems = []
    for t in _all_texts(fig):
        box = t.get_window_extent(renderer)
        if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > fig.bbox.width + 0.5 or box.y1 > fig.bbox.height + 0.5:
            problems.append(f"{t.get_text()!r} runs over the edge of the figure")
    for ax in fig.axes:
        lines = [(ln, _line_points(ln)) for ln in _data_lines(ax)]
        labels = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
        boxes = [t.get_window_extent(renderer) for t in labels]
        for i, (t, box) in enumerate(zip(labels, boxes, strict=True)):
            # a label drawn on its own white ground (bbox patch) over a line is intended
            if t.get_bbox_patch() is None:
                for ln, pts in lines:
                    if _hits(box, pts):
                        problems.append(f"{t.get_text()!r} is struck through by a line ({ln.get_label()})")
                        break
            for other, obox in zip(labels[i + 1 :], boxes[i + 1 :], strict=True):
                if box.overlaps(obox):
                    problems.append(f"{t.get_text()!r} overlaps {other.get_text()!r}")
    return problems
