"""'Recent change against historical bounds': a monthly XmR (SPC) chart.

The series is drawn against its mean and process limits (mean +/- 2.66 x mean moving
range, the NHS "Making Data Count" method). Points showing special-cause variation get
a different marker shape AND colour, and the legend says in words what each means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from reportgen.charts import palette
from reportgen.charts.axes import (
    label_lines_at_right,
    month_axis,
    month_label,
    number,
    period_end,
    value_axis,
)
from reportgen.charts.book import ChartDraft, new_figure

SHIFT_RUN = 7  # points in a row on one side of the mean
TREND_RUN = 6  # points in a row each higher (or lower) than the one before
LINE = "#4D4D4D"  # 8.5:1 on white

_STYLE = {  # kind -> (marker, colour, words)
    "common": ("o", LINE, "Common cause (normal variation)"),
    "improvement": ("D", palette.IMPROVEMENT, "Special cause: improving"),
    "concern": ("s", palette.CONCERN, "Special cause: concern"),
    "neutral": ("^", palette.REDDISH_PURPLE, "Special cause (neither better nor worse)"),
}


@dataclass(frozen=True)
class Limits:
    mean: float
    upper: float
    lower: float


def xmr_limits(values: Sequence[float]) -> Limits:
    """Mean and natural process limits of an XmR chart."""
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    moving_range = float(np.abs(np.diff(data)).mean()) if len(data) > 1 else 0.0
    return Limits(mean, mean + 2.66 * moving_range, mean - 2.66 * moving_range)


def special_cause(values: Sequence[float], limits: Limits) -> list[str]:
    """Per point: 'high', 'low' or '' under the three common rules (outside the limits, a
    shift of 7 on one side of the mean, a trend of 6 rising or falling)."""
    data = [float(v) for v in values]
    flags = [""] * len(data)
    for i, v in enumerate(data):
        if v > limits.upper:
            flags[i] = "high"
        elif v < limits.lower:
            flags[i] = "low"

    def mark(start: int, stop: int, side: str) -> None:
        for j in range(start, stop):
            flags[j] = flags[j] or side

    # Shifts: runs of points on one side of the mean (points on the mean break a run).
    sides = [int(np.sign(v - limits.mean)) for v in data]
    for start, stop, side in _runs(sides):
        if side and stop - start >= SHIFT_RUN:
            mark(start, stop, "high" if side > 0 else "low")
    # Trends: runs of steps in one direction; a run of n steps covers n + 1 points.
    steps = [int(np.sign(b - a)) for a, b in zip(data, data[1:], strict=False)]
    for start, stop, step in _runs(steps):
        if step and stop - start + 1 >= TREND_RUN:
            mark(start, stop + 1, "high" if step > 0 else "low")
    return flags


def _runs(items: list[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal items as (start, stop, item), stop exclusive."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(items) + 1):
        if i == len(items) or items[i] != items[start]:
            runs.append((start, i, items[start]))
            start = i
    return runs


def _kind(flag: str, polarity: str) -> str:
    if not flag:
        return "common"
    if polarity == "contextual":
        return "neutral"
    good_high = polarity == "higher_is_better"
    return "improvement" if (flag == "high") == good_high else "concern"


def spc_chart(
    values: pd.Series,
    *,
    title: str,
    measure: str,
    polarity: str = "lower_is_better",
    limits: Limits | None = None,
    decimals: int = 0,
    caption: str = "",
    source: str = "",
    width_mm: float = 170.0,
    height_mm: float = 78.0,
) -> ChartDraft:
    """An XmR chart of a monthly ``values`` series (index: month keys like '2005-03').

    ``limits`` default to the XmR limits of the whole series shown; pass the evaluation's
    ``spc_mean/spc_ucl/spc_lcl`` so the chart and the scorecard agree.
    """
    series = values.dropna().astype(float)
    if series.empty:
        raise ValueError(f"no values to draw for {measure!r}")
    months = [period_end(k) for k in series.index]
    limits = limits or xmr_limits(series.to_numpy())
    flags = special_cause(series.to_numpy(), limits)
    kinds = [_kind(f, str(polarity)) for f in flags]

    fig, ax = new_figure(width_mm, height_mm)
    ax.plot(months, series.to_numpy(), color=LINE, linewidth=1.4, zorder=2)
    for kind, (marker, colour, _words) in _STYLE.items():
        xs = [m for m, k in zip(months, kinds, strict=True) if k == kind]
        ys = [v for v, k in zip(series.to_numpy(), kinds, strict=True) if k == kind]
        if xs:
            size = 4 if kind == "common" else 7
            ax.plot(
                xs,
                ys,
                linestyle="none",
                marker=marker,
                markersize=size,
                color=colour,
                markeredgecolor="white" if kind != "common" else colour,
                markeredgewidth=0.6,
                zorder=3,
            )
    ax.axhline(limits.mean, color=palette.MEAN, linewidth=1.4, zorder=1)
    for level in (limits.upper, limits.lower):
        ax.axhline(level, color=palette.LIMITS, linewidth=1.1, linestyle=(0, (5, 3)), zorder=1)
    value_axis(ax, decimals)
    month_axis(ax, months)
    low = min(float(series.min()), limits.lower)
    high = max(float(series.max()), limits.upper)
    pad = (high - low) * 0.08 or 1.0
    ax.set_ylim(max(0.0, low - pad) if low >= 0 else low - pad, high + pad)
    ax.set_ylabel(measure)
    label_lines_at_right(
        ax,
        [
            (months[-1] + 0.7, limits.upper, f"Upper limit {number(limits.upper, decimals)}", palette.GREY),
            (months[-1] + 0.7, limits.mean, f"Mean {number(limits.mean, decimals)}", palette.GREY),
            (months[-1] + 0.7, limits.lower, f"Lower limit {number(limits.lower, decimals)}", palette.GREY),
        ],
    )
    present = ["common"] + [k for k in ("improvement", "concern", "neutral") if k in kinds]
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=_STYLE[k][0],
            color=_STYLE[k][1],
            markersize=6,
            label=_STYLE[k][2],
        )
        for k in present
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=len(handles),
        frameon=False,
        handletextpad=0.3,
        columnspacing=1.2,
    )

    first, last = month_label(months[0], short=False), month_label(months[-1], short=False)
    latest = float(series.iloc[-1])
    specials = [(m, k) for m, k in zip(months, kinds, strict=True) if k != "common"]
    position = (
        "above the upper limit"
        if latest > limits.upper
        else "below the lower limit"
        if latest < limits.lower
        else "within the limits"
    )
    alt = (
        f"{measure} each month, {first} to {last}: {number(latest, decimals)} in {last}, {position} "
        f"(mean {number(limits.mean, decimals)}, limits {number(limits.lower, decimals)} to "
        f"{number(limits.upper, decimals)})."
    )
    if specials:
        counts = {k: sum(1 for _, kk in specials if kk == k) for k in ("improvement", "concern", "neutral")}
        parts = [f"{n} showing {'improvement' if k == 'improvement' else k}" for k, n in counts.items() if n]
        alt += f" {len(specials)} of {len(months)} months show special-cause variation ({', '.join(parts)})."
    else:
        alt += f" All {len(months)} months show only common-cause (normal) variation."
    return ChartDraft(fig, title, alt, caption=caption, source=source, width_mm=width_mm)
