"""'Recent change against historical bounds': a monthly XmR (SPC) chart.

The series is drawn against its mean and process limits (mean +/- 2.66 x mean moving
range, the NHS "Making Data Count" method). Points showing special-cause variation get
a different marker shape AND colour, and the legend says in words what each means.

Limits are worked out afresh at each rebase (the indicator's ``spc_rebase``), so the mean
and limit lines step where the process changed. When more than half of the points behind
the latest limits are special cause, the limits describe no single process: the chart then
draws the points plainly and says, in its alt text and caption, that the limits need
rebasing, instead of marking every point.

``public=True`` words the chart for residents (the web page): "usual range", "unusually
low", never SPC's terms.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
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
from reportgen.evaluate.spc import xmr_points

LINE = "#4D4D4D"  # 8.5:1 on white
WINDOW = 24  # the strategy's "two-year mean": the last 24 months set the mean and limits

_STYLE = {  # variation -> (marker, colour, words)
    "common_cause": ("o", LINE, "Common cause (normal variation)"),
    "improvement": ("D", palette.IMPROVEMENT, "Special cause: improving"),
    "concern": ("s", palette.CONCERN, "Special cause: concern"),
    "neutral": ("^", palette.REDDISH_PURPLE, "Special cause (neither better nor worse)"),
}
_PUBLIC_WORDS = {  # the same marks in residents' words
    "common_cause": "A usual month",
    "improvement": "Unusually good",
    "concern": "Unusually bad",
    "neutral": "Unusual",
}
_SPC_POLARITY = {"lower_is_better": "lower", "higher_is_better": "higher", "contextual": "neutral"}
SPECIAL = ("improvement", "concern", "neutral")


def spc_chart(
    values: pd.Series,
    *,
    title: str,
    measure: str,
    polarity: str = "lower_is_better",
    decimals: int = 0,
    window: int = WINDOW,
    caption: str = "",
    source: str = "",
    width_mm: float = 170.0,
    height_mm: float = 78.0,
    rebase: Sequence[str] = (),
    public: bool = False,
) -> ChartDraft:
    """An XmR chart of the last ``window`` points of ``values`` (index: period keys, oldest
    first). Points are classified by the evaluation engine's own XmR code, so the chart and
    the scorecard's SPC column always agree. ``rebase`` lists period keys where the process
    changed (limits start afresh there). Unless ``public``, a sentence saying where the limits
    come from (and whether they need rebasing) is added to ``caption``."""
    series = values.dropna().astype(float)
    if series.empty:
        raise ValueError(f"no values to draw for {measure!r}")
    t = [period_end(k) for k in series.index]
    cuts = [period_end(k) for k in rebase]
    pol = _SPC_POLARITY.get(str(polarity), "neutral")
    points = xmr_points(series.to_numpy(), window, t=t, polarity=pol, rebase=cuts).tail(window)
    months = points["t"].tolist()
    data = points["value"].to_numpy()
    kinds = points["variation"].tolist()
    latest_row = points.iloc[-1]
    insufficient = kinds[-1] == "insufficient_data"
    needs_rebase = bool(latest_row["needs_rebase"])
    if needs_rebase:  # the limits describe no single process: do not paint every point
        current = (points["segment"] == latest_row["segment"]).to_numpy()
        kinds = ["common_cause" if c else k for k, c in zip(kinds, current, strict=True)]
    words = _PUBLIC_WORDS if public else {k: v[2] for k, v in _STYLE.items()}
    show_limits = not insufficient and not (public and needs_rebase)

    fig, ax = new_figure(width_mm, height_mm)
    ax.plot(months, data, color=LINE, linewidth=1.4, zorder=2)
    _mark_points(ax, months, data, kinds)
    value_axis(ax, decimals)
    month_axis(ax, months)
    low, high = float(data.min()), float(data.max())
    mean, upper, lower = (float(latest_row[c]) for c in ("mean", "ucl", "lcl"))
    if show_limits:
        lowest, highest = _draw_limits(ax, points, months, cuts)
        low, high = min(low, lowest), max(high, highest)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    ax.set_ylim(max(0.0, low - pad) if low >= 0 else low - pad, high + pad)
    ax.set_ylabel(measure)
    if show_limits:
        x = months[-1] + 0.7
        names = ("Top of the usual range", "Average", "Bottom of the usual range") if public else (
            "Upper limit", "Mean", "Lower limit")  # fmt: skip
        label_lines_at_right(
            ax,
            [
                (x, upper, f"{names[0]} {number(upper, decimals)}", palette.GREY),
                (x, mean, f"{names[1]} {number(mean, decimals)}", palette.GREY),
                (x, lower, f"{names[2]} {number(lower, decimals)}", palette.GREY),
            ],
        )
    _legend(ax, kinds, words)

    first, last = month_label(months[0], short=False), month_label(months[-1], short=False)
    latest = float(data[-1])
    alt = f"{measure}, {first} to {last}: {number(latest, decimals)} in {last}"
    basis = limits_basis(points)
    if public:
        alt += _public_words(points, kinds, latest, needs_rebase, insufficient, decimals)
        segment = int(latest_row["segment"])
        if cuts and segment > months[0] and not insufficient:  # the "usual" level changed in view
            since = month_label(segment, short=False)
            changed = f"The level changed in {since}, so the average and usual range are worked out again from then."
            caption = f"{caption} {changed}".strip()
        return ChartDraft(fig, title, alt, caption, source, width_mm)
    caption = " ".join(p for p in (basis, caption) if p)
    if insufficient:
        return ChartDraft(fig, title, alt + "; too few months for limits.", caption, source, width_mm)
    alt += _staff_words(points, kinds, (lower, mean, upper), decimals, basis)
    return ChartDraft(fig, title, alt, caption=caption, source=source, width_mm=width_mm)


def _mark_points(ax: Axes, months: list[int], data: np.ndarray, kinds: list[str]) -> None:
    """A marker per point in its kind's shape and colour (unknown kinds as common cause)."""
    for kind, (marker, colour, _words) in _STYLE.items():
        chosen = [i for i, k in enumerate(kinds) if k == kind or (kind == "common_cause" and k not in _STYLE)]
        if chosen:
            common = kind == "common_cause"
            ax.plot(
                [months[i] for i in chosen],
                [data[i] for i in chosen],
                linestyle="none",
                marker=marker,
                markersize=4 if common else 7.5,
                color=colour,
                markeredgecolor=colour if common else "white",
                markeredgewidth=0.6,
                zorder=3,
            )


def _draw_limits(ax: Axes, points: pd.DataFrame, months: list[int], cuts: list[int]) -> tuple[float, float]:
    """The mean and limits of each segment, a faint line at each rebase in view; returns the
    lowest lower limit and the highest upper limit (the value axis must show them)."""
    # One level per segment: each runs from half a month before its first point to half a
    # month after its last, so the lines step at a rebase without joining across it.
    limits = points[["mean", "ucl", "lcl"]].to_numpy(dtype=float, copy=True)
    limits[points["n"].to_numpy() < 1] = np.nan
    segments = points["segment"].to_numpy()
    for seg in pd.unique(segments):
        at = np.flatnonzero(segments == seg)
        x0, x1 = months[at[0]] - 0.5, months[at[-1]] + 0.5
        ax.hlines(limits[at[0], 0], x0, x1, color=palette.MEAN, linewidth=1.4, zorder=1)
        ax.hlines(limits[at[0], 1:], x0, x1, color=palette.LIMITS, linewidth=1.1, linestyle=(0, (5, 3)), zorder=1)
    for cut in cuts:
        if months[0] < cut <= months[-1]:
            ax.axvline(cut - 0.5, color=palette.LIGHT_GREY, linewidth=1.0, zorder=0)
    return float(np.nanmin(limits[:, 2])), float(np.nanmax(limits[:, 1]))


def _legend(ax: Axes, kinds: list[str], words: dict[str, str]) -> None:
    """A legend below the chart: common cause, then each special kind shown."""
    present = ["common_cause"] + [k for k in SPECIAL if k in kinds]
    handles = [
        Line2D([], [], linestyle="none", marker=_STYLE[k][0], color=_STYLE[k][1], markersize=6, label=words[k])
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


def _staff_words(
    points: pd.DataFrame, kinds: list[str], levels: tuple[float, float, float], decimals: int, basis: str
) -> str:
    """The staff chart's alt text after the latest value: where it lies against the limits
    (``levels``: lower, mean, upper), where the limits come from, and which months are special."""
    lower, mean, upper = levels
    latest, n_months = float(points["value"].iloc[-1]), len(points)
    position = "above the upper limit" if latest > upper else "below the lower limit" if latest < lower else (
        "within the limits")  # fmt: skip
    bounds = f"limits {number(lower, decimals)} to {number(upper, decimals)}"
    alt = f", {position} (mean {number(mean, decimals)}, {bounds})."
    alt += f" {basis}"
    if bool(points.iloc[-1]["needs_rebase"]):
        flagged = int((points["rule"] != "").sum())
        return alt + f" {flagged} of {n_months} months would be flagged: {REBASE_SENTENCE}"
    specials = [k for k in kinds if k in SPECIAL]
    if specials:
        parts = [f"{specials.count(k)} {k}" for k in SPECIAL if k in specials]
        alt += f" {len(specials)} of {n_months} months show special-cause variation ({', '.join(parts)})."
        alt += f" Latest month: {_STYLE.get(kinds[-1], _STYLE['common_cause'])[2].lower()}."
    else:
        alt += f" All {n_months} months show only common-cause (normal) variation."
    return alt


#: What a document says when the limits describe no single process.
REBASE_SENTENCE = (
    "more than half of the points behind the limits are special cause, so the process has changed "
    "and the limits need rebasing (a sustained change is set with spc_rebase) before the chart can "
    "show which months are unusual."
)


def limits_basis(points: pd.DataFrame) -> str:
    """Where the latest limits come from, in words: 'Mean and limits from 12 months, April 2004
    to March 2005 (recalculated from April 2004, when the process changed).'"""
    last = points.iloc[-1]
    n = int(last["n"])
    if n == 0:
        return ""
    months = points["t"].to_numpy()
    segment = int(last["segment"])
    if bool(last["carried"]):
        since = int((points["segment"] == segment).sum())
        return (
            f"The process changed in {month_label(segment, short=False)}; with {since} "
            f"{'month' if since == 1 else 'months'} since, fewer than limits need, the mean and limits are "
            f"still those of the {n} months before (provisional)."
        )
    own = points[(points["segment"] == segment) & points["baseline"]]["t"].to_numpy()
    if len(own) == n:  # the window is on the chart
        span = f"{month_label(int(own[0]), short=False)} to {month_label(int(own[-1]), short=False)}"
    else:  # a longer window than the chart shows: count from the end
        span = f"to {month_label(int(months[-1]), short=False)}"
    text = f"Mean and limits from {n} {'month' if n == 1 else 'months'}, {span}"
    if segment > int(points["t"].min()) or (points["segment"] != points["segment"].iloc[0]).any():
        text += f" (recalculated from {month_label(segment, short=False)}, when the process changed)"
    return text + "."


def _public_words(
    points: pd.DataFrame, kinds: list[str], latest: float, changed: bool, insufficient: bool, decimals: int
) -> str:
    """The alt text's verdict for residents."""
    if insufficient:
        return "."
    if changed:
        return ". The level changed during this time, so no usual range is shown."
    last = points.iloc[-1]
    upper, lower = float(last["ucl"]), float(last["lcl"])
    where = "above its usual range" if latest > upper else "below its usual range" if latest < lower else (
        "within its usual range")  # fmt: skip
    text = f", {where} ({number(lower, decimals)} to {number(upper, decimals)})."
    unusual = [k for k in kinds if k in SPECIAL]
    if unusual:
        text += f" {len(unusual)} of {len(kinds)} months were unusual."
    return text
