"""The leaflet's trend: one line a member of the public reads at a glance.

Crimes in the 12 months up to each quarter, over three years, with the target (when the
measure has one) as a dashed level line. Everything in the picture is a number or a date:
the words (what the line counts, what the dashed line is) are in the chart's title and
caption, which the document sets in its own language and script, since matplotlib cannot
shape Urdu. Big type (the leaflet's 14pt, large print's 18pt), few ticks, the first and
latest values written on the line, no SPC wording.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from matplotlib.ticker import FuncFormatter, MaxNLocator

from reportgen.charts import palette
from reportgen.charts.book import ChartDraft, new_figure
from reportgen.charts.fit import place_label


def trend_chart(
    values: Sequence[float],
    *,
    tick_labels: dict[int, str],
    number_text: Callable[[float], str],
    title: str,
    alt_text: str,
    caption: str = "",
    target: tuple[float, str] | None = None,
    font_pt: float = 14.0,
    width_mm: float = 176.0,
    height_mm: float = 72.0,
) -> ChartDraft:
    """``values`` oldest first, one a quarter; ``tick_labels`` by position (the points to
    name on the time axis); ``target`` as (value, its label, e.g. 'Target 15,640').

    The value axis starts at zero, so a fall of a tenth looks like a tenth."""
    ys = [float(v) for v in values]
    if len(ys) < 2:
        raise ValueError(f"a trend needs two points or more, not {len(ys)}, for {title!r}")
    xs = list(range(len(ys)))
    fig, ax = new_figure(width_mm, height_mm)
    small = font_pt
    ax.tick_params(axis="both", labelsize=small, length=0, pad=6)
    ax.plot(xs, ys, color=palette.ACTUAL, linewidth=3.2, marker="o", markersize=7, zorder=3, label="actual")
    top = max([*ys, target[0] if target else 0.0])
    # Head room for a value written above the highest point: about 2.2 lines of its type over
    # the plot's height (the axes take the figure's height less about 2 lines of tick labels).
    plot_pt = height_mm / 25.4 * 72 - 2.2 * font_pt
    ax.set_ylim(0, top / max(0.5, 1 - 2.4 * (font_pt + 2) / plot_pt))
    ax.set_xlim(-0.5, len(ys) - 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number_text(v)))
    ax.set_xticks(sorted(tick_labels))
    ax.set_xticklabels([tick_labels[i] for i in sorted(tick_labels)])
    ax.spines["left"].set_visible(False)
    if target is not None:
        ax.axhline(target[0], color=palette.TARGET, linestyle=(0, (6, 4)), linewidth=2.0, zorder=2, label="target")
    # The first and the latest value written on the line, so nobody has to read the axis.
    for index, offsets in ((0, ((-4, 10), (4, 10), (4, -12))), (len(ys) - 1, ((-4, 10), (-4, -12), (4, 10)))):
        place_label(ax, number_text(ys[index]), [(index, ys[index])], offsets=offsets,
                    fontsize=small + 2, fontweight="bold", color=palette.text_colour(palette.ACTUAL))
    if target is not None:
        level, words = target
        # Under the level line at the left, clear of the actual line and its values (placed by
        # measured extents, as every chart label is: docs/accessibility.md).
        place_label(ax, words, [(0, level), (len(ys) / 3, level), (len(ys) / 2, level)],
                    offsets=((0, -8), (0, 8), (4, -8), (4, 8)), fontsize=small, fontweight="bold",
                    color=palette.TARGET)
    return ChartDraft(fig, title, alt_text, caption=caption, width_mm=width_mm)


__all__ = ["trend_chart"]
