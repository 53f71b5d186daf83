"""Helpers shared by the chart modules: period axes, direct line labels, number words."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reportgen.charts import palette
from reportgen.numfmt import fmt_number
from reportgen.periods import Kind, Period


def month_label(index: int, *, short: bool = True) -> str:
    label = Period(index, index, Kind.MONTH).label
    if not short:
        return label
    name, year = label.split()
    return f"{name[:3]} {year[2:]}"


def period_end(key: str) -> int:
    """The month index a period key ends at: x positions of mixed-frequency series."""
    return Period.parse(str(key)).end


def month_axis(ax: Axes, months: Sequence[int], *, every: int = 3) -> None:
    """Tick every ``every`` months, aligned so the last month is labelled."""
    if not months:
        return
    last = max(months)
    ticks = [m for m in months if (last - m) % every == 0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([month_label(m) for m in ticks], rotation=0)
    ax.set_xlim(min(months) - 0.7, max(months) + 0.7)


def value_axis(ax: Axes, decimals: int = 0, suffix: str = "") -> None:
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=decimals == 0))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{fmt_number(v, decimals)}{suffix}"))


def spread_labels(positions: list[float], min_gap: float) -> list[float]:
    """Nudge label y positions apart (keeping order) so direct labels never overlap."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [positions[i] for i in order]
    for n in range(1, len(placed)):
        if placed[n] - placed[n - 1] < min_gap:
            placed[n] = placed[n - 1] + min_gap
    out = [0.0] * len(positions)
    for rank, i in enumerate(order):
        out[i] = placed[rank]
    return out


def label_lines_at_right(
    ax: Axes, items: list[tuple[float, float, str, str]], *, min_gap_frac: float = 0.08
) -> None:
    """Direct labels just right of line ends, (x, y, text, colour) each, nudged apart.

    Labels sit outside the plot area, so call after the y limits are final.
    """
    if not items:
        return
    low, high = ax.get_ylim()
    ys = spread_labels([y for _, y, _, _ in items], (high - low) * min_gap_frac)
    for (x, _y, text, colour), label_y in zip(items, ys, strict=True):
        ax.annotate(
            text,
            xy=(x, label_y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            color=palette.text_colour(colour),
            fontsize=palette.BASE_FONT_SIZE - 0.5,
            annotation_clip=False,
        )


def number(value: float, decimals: int = 0) -> str:
    return fmt_number(value, decimals)


def change_words(first: float, last: float, decimals: int = 0) -> str:
    """'fell from 2,831 to 2,176' / 'rose from ...' / 'stayed at ...'."""
    a, b = fmt_number(first, decimals), fmt_number(last, decimals)
    if a == b:
        return f"stayed at {b}"
    return f"{'rose' if last > first else 'fell'} from {a} to {b}"


def path_words(series: pd.Series, decimals: int = 0) -> str:
    """The shape of a series in words: 'rose from 89.4 to a peak of 113.3 in 2001/02, then fell
    to 92.9', or just 'fell from 2,831 to 2,176' when there is no turning point worth naming."""
    values = series.astype(float)
    first, last = float(values.iloc[0]), float(values.iloc[-1])
    peak_key, trough_key = values.idxmax(), values.idxmin()
    peak, trough = float(values.max()), float(values.min())
    interior = set(values.index[1:-1])
    if peak_key in interior and peak > max(first, last) * 1.02:
        return (
            f"rose from {fmt_number(first, decimals)} to a peak of {fmt_number(peak, decimals)} in "
            f"{peak_key}, then fell to {fmt_number(last, decimals)}"
        )
    if trough_key in interior and trough < min(first, last) * 0.98:
        return (
            f"fell from {fmt_number(first, decimals)} to a low of {fmt_number(trough, decimals)} in "
            f"{trough_key}, then rose to {fmt_number(last, decimals)}"
        )
    return change_words(first, last, decimals)
