"""The long track: a rate per 1,000 residents by year, the borough against its comparators
(Greater Manchester, England and Wales), each line labelled at its end instead of a legend."""

from __future__ import annotations

import pandas as pd

from reportgen.charts import palette
from reportgen.charts.axes import label_lines_at_right, number, path_words, value_axis
from reportgen.charts.book import ChartDraft, new_figure

_COLOURS = (palette.ACTUAL, palette.COMPARATOR, palette.REDDISH_PURPLE, palette.BLUISH_GREEN)
_MARKERS = ("o", "s", "^", "D")


def track_chart(
    lines: dict[str, pd.Series],
    *,
    title: str,
    measure: str = "Crimes per 1,000 residents",
    axis_label: str = "",
    decimals: int = 1,
    caption: str = "",
    source: str = "",
    width_mm: float = 170.0,
    height_mm: float = 80.0,
) -> ChartDraft:
    """Lines by period key (e.g. '1995/96' ... '2004/05'); the first line is the borough.

    Each line has its own marker shape as well as colour, so it reads in grey print too.
    """
    cleaned = {name: s.dropna().astype(float) for name, s in lines.items()}
    cleaned = {name: s for name, s in cleaned.items() if not s.empty}
    if not cleaned:
        raise ValueError(f"no values to draw for {title!r}")
    keys = sorted({k for s in cleaned.values() for k in s.index})
    position = {k: n for n, k in enumerate(keys)}
    fig, ax = new_figure(width_mm, height_mm)
    labels = []
    for n, (name, series) in enumerate(cleaned.items()):
        colour = _COLOURS[n % len(_COLOURS)]
        xs = [position[k] for k in series.index]
        ax.plot(
            xs,
            series.to_numpy(),
            color=colour,
            marker=_MARKERS[n % len(_MARKERS)],
            markersize=4.5,
            linewidth=2.2 if n == 0 else 1.6,
        )
        labels.append(
            (xs[-1] + 0.2, float(series.iloc[-1]), f"{name} {number(series.iloc[-1], decimals)}", colour)
        )
    ax.set_xticks(range(len(keys)))
    step = 1 if len(keys) <= 7 else 2
    ax.set_xticklabels([k if (len(keys) - 1 - i) % step == 0 else "" for i, k in enumerate(keys)])
    ax.set_xlim(-0.4, len(keys) - 0.6)
    value_axis(ax, 0)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(axis_label or measure)
    label_lines_at_right(ax, labels)

    names = list(cleaned)
    main, main_series = names[0], cleaned[names[0]]
    alt = (
        f"{measure}, {main_series.index[0]} to {main_series.index[-1]}: {main} "
        f"{path_words(main_series, decimals)}"
    )
    for other in names[1:]:
        s = cleaned[other]
        alt += f"; {other} {path_words(s, decimals)}"
    alt += "."
    if len(names) > 1:
        joined = pd.concat([main_series, cleaned[names[1]]], axis=1, join="inner").dropna()
        if not joined.empty:
            below = int((joined.iloc[:, 0] < joined.iloc[:, 1]).sum())
            if below == len(joined):
                alt += f" {main} was below {names[1]} in every year shown."
            elif below == 0:
                alt += f" {main} was above {names[1]} in every year shown."
            else:
                alt += f" {main} was below {names[1]} in {below} of {len(joined)} years."
    return ChartDraft(fig, title, alt, caption=caption, source=source, width_mm=width_mm)
