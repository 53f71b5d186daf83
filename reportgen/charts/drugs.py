"""Drugs performance: yearly bars (people in treatment; the share retained 12 weeks or more;
the share discharged successfully), each bar labelled with its value and, for shares,
its denominator, as the strategy shows them."""

from __future__ import annotations

import pandas as pd

from reportgen.charts import palette
from reportgen.charts.axes import change_words, number, value_axis
from reportgen.charts.book import ChartDraft, new_figure


def bar_by_year(
    values: pd.Series,
    *,
    title: str,
    measure: str,
    axis_label: str = "",
    denominators: pd.Series | None = None,
    percentage: bool = False,
    decimals: int = 0,
    colour: str = palette.ACTUAL,
    caption: str = "",
    source: str = "",
    width_mm: float = 120.0,
    height_mm: float = 68.0,
) -> ChartDraft:
    """Bars by period key. With ``denominators`` each bar is labelled '64% of 812'. ``measure``
    names the series in the alt text; ``axis_label`` (default: ``measure``) labels the axis."""
    series = values.dropna().astype(float)
    if series.empty:
        raise ValueError(f"no values to draw for {title!r}")
    fig, ax = new_figure(width_mm, height_mm)
    xs = list(range(len(series)))
    ax.bar(xs, series.to_numpy(), color=colour, width=0.62, zorder=2)
    suffix = "%" if percentage else ""
    top = float(series.max())
    ax.set_ylim(0, (100.0 if percentage and top <= 100 else top) * 1.18)
    for x, (key, value) in zip(xs, series.items(), strict=True):
        text = f"{number(value, decimals)}{suffix}"
        of = denominators.get(key) if denominators is not None else None  # None when not in the index
        if of is not None and pd.notna(of):
            text += f"\nof {number(of)}"
        ax.annotate(
            text,
            xy=(x, value),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=palette.BASE_FONT_SIZE - 1,
            color=palette.BLACK,
        )
    ax.set_xticks(xs)
    ax.set_xticklabels([str(k) for k in series.index])
    value_axis(ax, decimals if not percentage else 0, suffix)
    ax.set_ylabel(axis_label or measure)
    first_key, last_key = series.index[0], series.index[-1]
    alt = f"{measure}, {first_key} to {last_key}: {change_words(series.iloc[0], series.iloc[-1], decimals)}"
    if percentage:
        alt = alt.replace(number(series.iloc[0], decimals), f"{number(series.iloc[0], decimals)}%", 1)
        alt += "%"
    if denominators is not None and last_key in denominators.index and pd.notna(denominators[last_key]):
        alt += f" (of {number(denominators[last_key])} in {last_key})"
    rising = all(b >= a for a, b in zip(series.to_numpy(), series.to_numpy()[1:], strict=False))
    falling = all(b <= a for a, b in zip(series.to_numpy(), series.to_numpy()[1:], strict=False))
    if len(series) > 2 and rising != falling:
        alt += f", {'rising' if rising else 'falling'} every year"
    alt += "."
    return ChartDraft(fig, title, alt, caption=caption, source=source, width_mm=width_mm)
