"""'Recent change against historical bounds': a monthly XmR (SPC) chart.

The series is drawn against its mean and process limits (mean +/- 2.66 x mean moving
range, the NHS "Making Data Count" method). Points showing special-cause variation get
a different marker shape AND colour, and the legend says in words what each means.
"""

from __future__ import annotations

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
from reportgen.evaluate.spc import xmr_points

LINE = "#4D4D4D"  # 8.5:1 on white
WINDOW = 24  # the strategy's "two-year mean": the last 24 months set the mean and limits

_STYLE = {  # variation -> (marker, colour, words)
    "common_cause": ("o", LINE, "Common cause (normal variation)"),
    "improvement": ("D", palette.IMPROVEMENT, "Special cause: improving"),
    "concern": ("s", palette.CONCERN, "Special cause: concern"),
    "neutral": ("^", palette.REDDISH_PURPLE, "Special cause (neither better nor worse)"),
}
_SPC_POLARITY = {"lower_is_better": "lower", "higher_is_better": "higher", "contextual": "neutral"}


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
) -> ChartDraft:
    """An XmR chart of the last ``window`` points of ``values`` (index: period keys, oldest
    first). Points are classified by the evaluation engine's own XmR code, so the chart and
    the scorecard's SPC column always agree."""
    series = values.dropna().astype(float)
    if series.empty:
        raise ValueError(f"no values to draw for {measure!r}")
    t = [period_end(k) for k in series.index]
    points = xmr_points(series.to_numpy(), window, t=t, polarity=_SPC_POLARITY.get(str(polarity), "neutral"))
    points = points[points["baseline"]]
    months = points["t"].tolist()
    data = points["value"].to_numpy()
    kinds = points["variation"].tolist()
    mean, upper, lower = (float(points[c].iloc[0]) for c in ("mean", "ucl", "lcl"))
    insufficient = kinds[-1] == "insufficient_data"

    fig, ax = new_figure(width_mm, height_mm)
    ax.plot(months, data, color=LINE, linewidth=1.4, zorder=2)
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
    value_axis(ax, decimals)
    month_axis(ax, months)
    low, high = float(data.min()), float(data.max())
    if not insufficient:
        ax.axhline(mean, color=palette.MEAN, linewidth=1.4, zorder=1)
        for level in (upper, lower):
            ax.axhline(level, color=palette.LIMITS, linewidth=1.1, linestyle=(0, (5, 3)), zorder=1)
        low, high = min(low, lower), max(high, upper)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    ax.set_ylim(max(0.0, low - pad) if low >= 0 else low - pad, high + pad)
    ax.set_ylabel(measure)
    if not insufficient:
        x = months[-1] + 0.7
        label_lines_at_right(
            ax,
            [
                (x, upper, f"Upper limit {number(upper, decimals)}", palette.GREY),
                (x, mean, f"Mean {number(mean, decimals)}", palette.GREY),
                (x, lower, f"Lower limit {number(lower, decimals)}", palette.GREY),
            ],
        )
    present = ["common_cause"] + [k for k in ("improvement", "concern", "neutral") if k in kinds]
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
    latest = float(data[-1])
    alt = f"{measure} each month, {first} to {last}: {number(latest, decimals)} in {last}"
    if insufficient:
        return ChartDraft(fig, title, alt + "; too few months for limits.", caption, source, width_mm)
    position = (
        "above the upper limit"
        if latest > upper
        else "below the lower limit"
        if latest < lower
        else "within the limits"
    )
    alt += (
        f", {position} (mean {number(mean, decimals)}, limits {number(lower, decimals)} to "
        f"{number(upper, decimals)})."
    )
    specials = [k for k in kinds if k in ("improvement", "concern", "neutral")]
    if specials:
        parts = [f"{specials.count(k)} {k}" for k in ("improvement", "concern", "neutral") if k in specials]
        alt += f" {len(specials)} of {len(months)} months show special-cause variation ({', '.join(parts)})."
        alt += f" Latest month: {_STYLE.get(kinds[-1], _STYLE['common_cause'])[2].lower()}."
    else:
        alt += f" All {len(months)} months show only common-cause (normal) variation."
    return ChartDraft(fig, title, alt, caption=caption, source=source, width_mm=width_mm)
