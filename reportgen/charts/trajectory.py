"""Trajectory to target: the actual values so far, the straight line from the baseline to
the target, and the target itself, on one time axis of months."""

from __future__ import annotations

import pandas as pd

from reportgen.charts import palette
from reportgen.charts.axes import label_lines_at_right, number, period_end, value_axis
from reportgen.charts.book import ChartDraft, new_figure
from reportgen.periods import Kind, Period


def _fy_label(index: int) -> str:
    return Period.of_kind_at(Kind.FINANCIAL_YEAR, index).key


def trajectory_chart(
    actual: pd.Series,
    *,
    title: str,
    measure: str,
    baseline: tuple[str, float],
    target: tuple[str, float],
    basis: str = "",
    polarity: str = "lower_is_better",
    decimals: int = 0,
    caption: str = "",
    source: str = "",
    width_mm: float = 170.0,
    height_mm: float = 75.0,
    unit: str = "",
) -> ChartDraft:
    """``actual`` by period key (financial years, or months holding rolling-12 values);
    ``baseline`` and ``target`` as (period key, value). ``basis`` says what each point
    covers, e.g. 'rolling 12 months'."""
    series = actual.dropna().astype(float)
    base_key, base_value = baseline
    target_key, target_value = target
    x0, x1 = period_end(base_key), period_end(target_key)
    xs = [period_end(k) for k in series.index]
    fig, ax = new_figure(width_mm, height_mm)
    ax.plot([x0, x1], [base_value, target_value], color=palette.TARGET, linestyle=(0, (5, 3)), linewidth=1.4)
    ax.plot([x1], [target_value], marker="D", color=palette.TARGET, markersize=7, linestyle="none")
    ax.plot([x0], [base_value], marker="o", color=palette.TARGET, markersize=5, linestyle="none")
    if xs:
        ax.plot(
            xs,
            series.to_numpy(),
            color=palette.ACTUAL,
            linewidth=2.2,
            marker="o" if len(xs) <= 16 else None,
            markersize=4,
        )
    years = range(Period.of_kind_at(Kind.FINANCIAL_YEAR, min([x0, *xs])).end, x1 + 1, 12)
    ax.set_xticks(list(years))
    ax.set_xticklabels([_fy_label(y) for y in years])
    ax.set_xlim(min([x0, *xs]) - 3, x1 + 3)
    value_axis(ax, decimals)
    values = [base_value, target_value, *series.to_numpy()]
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or abs(high) * 0.1 or 1.0
    ax.set_ylim(max(0.0, low - pad) if low >= 0 else low - pad, high + pad)
    ax.set_ylabel(measure)
    ax.annotate(
        f"Baseline {base_key}: {number(base_value, decimals)}",
        xy=(x0, base_value),
        xytext=(0, 9),
        textcoords="offset points",
        ha="left",
        fontsize=palette.BASE_FONT_SIZE - 1,
    )
    items = [
        (x1 + 0.5, target_value, f"Target {target_key}:\n{number(target_value, decimals)}", palette.TARGET)
    ]
    label_lines_at_right(ax, items)
    mid_x = x0 + (x1 - x0) * 0.62
    mid_y = base_value + (target_value - base_value) * 0.62
    ax.annotate(
        "Trajectory to target",
        xy=(mid_x, mid_y),
        xytext=(4, 6),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=palette.BASE_FONT_SIZE - 1,
    )
    if xs:
        # Right of the last point on a white ground, so the dashed trajectory never strikes it through.
        ax.annotate(
            f"Latest {number(series.iloc[-1], decimals)}",
            xy=(xs[-1], series.iloc[-1]),
            xytext=(7, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            color=palette.text_colour(palette.ACTUAL),
            fontsize=palette.BASE_FONT_SIZE - 1,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
            zorder=5,
        )

    # ``unit`` ('%', ' per 1,000') follows every figure of the alt text, which has no axis to read.
    alt = (
        f"{measure}: baseline {number(base_value, decimals)}{unit} in {base_key}, target "
        f"{number(target_value, decimals)}{unit} by {target_key}."
    )
    if xs:
        latest_x, latest = xs[-1], float(series.iloc[-1])
        share = (latest_x - x0) / (x1 - x0) if x1 != x0 else 1.0
        on_line = base_value + (target_value - base_value) * share
        better = latest <= on_line if polarity != "higher_is_better" else latest >= on_line
        when = series.index[-1]
        alt += (
            f" The latest value ({when}{', ' + basis if basis else ''}) is {number(latest, decimals)}{unit}, "
            f"{'better' if better else 'worse'} than the trajectory's {number(on_line, decimals)}{unit} for then."
        )
    return ChartDraft(fig, title, alt, caption=caption, source=source, width_mm=width_mm)
