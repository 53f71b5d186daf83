"""The leaflet's trend chart: what it counts, what it says in words, and when it is left out.

Each point is the crimes of the 12 months up to a quarter's end, over three years of data
(nine points, a quarter apart). Twelve-month totals rather than quarters because a
neighbourhood's quarter is a small count that swings by chance (docs/statistics.md): a
longer period is the honest picture, and the words say "about the same" unless the latest
12 months differ from the first beyond chance (the exact Poisson test the leaflet's table
uses; the two windows do not overlap). The borough's chart shows the measure its crime
target is set on, with the target as a dashed line; a neighbourhood has no target of its
own, so its chart shows all its crime, as its headline does.

A point below the disclosure threshold is never drawn: the leaflet then says there are too
few crimes to show a trend. Charts are drawn once per run by the chart book, one per area,
language and type size.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
from babel.dates import format_date

from reportgen.charts.trend import trend_chart
from reportgen.document import Chart, Paragraph
from reportgen.evaluate.significance import count_change_significant
from reportgen.i18n import _, current
from reportgen.periods import Kind, Period
from reportgen.reports.base import is_missing
from reportgen.reports.disclosure import format_number
from reportgen.reports.public_figures import AreaFigures, PublicFigures

log = logging.getLogger(__name__)

POINTS = 9  # 12-month totals a quarter apart: three years of data, the first and last not overlapping
MIN_POINTS = 5  # two years of data at least, so the first and last 12 months do not overlap
WIDTH_MM = {False: 176.0, True: 180.0}  # the text width of the standard and the large-print leaflet
HEIGHT_MM = {False: 56.0, True: 84.0}
FONT_PT = {False: 14.0, True: 18.0}


@dataclass(frozen=True)
class Trend:
    """The points of one leaflet's chart, oldest first."""

    indicator: str
    area_id: str
    ends: tuple[Period, ...]  # the quarter each 12-month total ends with
    values: tuple[float, ...]
    target: tuple[Period, float] | None  # the target year and its value, lower is better


def _target(ctx: Any, indicator: str, area_id: str) -> tuple[Period, float] | None:
    """The crime target on ``indicator`` in the evaluation, when there is one to reach by falling."""
    rows = ctx.evaluation.indicators
    rows = rows[(rows["id"] == indicator) & (rows["area"] == area_id)]
    for _n, row in rows.iterrows():
        if is_missing(row.get("target_value")) or str(row.get("polarity")) != "lower_is_better":
            continue
        if row.get("compare_basis") not in (None, "rolling_12") and not is_missing(row.get("compare_basis")):
            continue  # a target on another basis than 12-month totals cannot be drawn as a level
        return Period.parse(str(row["target_period"])), float(row["target_value"])
    return None


def chart_indicator(ctx: Any, figs: PublicFigures, area_id: str, is_borough: bool
                    ) -> tuple[str, tuple[Period, float] | None]:
    """Which measure the chart shows, and its target: the borough's target measure (all crime,
    else the counted types), a neighbourhood's all crime."""
    if is_borough:
        for indicator in (figs.crime_indicator, figs.breakdown_indicator):
            if indicator and (target := _target(ctx, indicator, area_id)) is not None:
                return indicator, target
    return figs.crime_indicator, None


def trend_points(ctx: Any, figs: PublicFigures, area_id: str, is_borough: bool) -> Trend | None:
    """Rolling 12-month totals at the last ``POINTS`` quarter ends up to the leaflet's quarter;
    None when there are fewer than ``MIN_POINTS`` complete ones."""
    indicator, target = chart_indicator(ctx, figs, area_id, is_borough)
    try:
        quarters = ctx.evaluation.series(indicator, area_id, kind=Kind.QUARTER)
    except LookupError:
        return None
    quarters = pd.Series(quarters).dropna()
    last = figs.period if figs.period.kind is Kind.QUARTER else Period.of_kind_at(Kind.QUARTER, figs.period.end)
    ends, values = [], []
    for back in range(POINTS - 1, -1, -1):
        end = last.shift(-3 * back)
        keys = [end.shift(-3 * k).key for k in range(4)]
        if all(k in quarters.index for k in keys):
            ends.append(end)
            values.append(float(sum(quarters[k] for k in keys)))
        elif ends:  # a gap after the start: the line would join across it
            return None
    if len(values) < MIN_POINTS:
        return None
    return Trend(indicator, area_id, tuple(ends), tuple(values), target)


def _month(period: Period) -> str:
    """'March 2005' in the leaflet's language, in the form used inside a sentence."""
    lang = current()
    if lang.code == "en":
        return Period(period.end, period.end, Kind.MONTH).label
    return lang.month_year_of(period.last_day)


def _tick(period: Period) -> str:
    """A time-axis label: 'Mar 2005' ('mar 2005'); the year alone in a right-to-left script,
    whose month names matplotlib cannot shape."""
    lang = current()
    if lang.direction == "rtl":
        return str(period.last_day.year)
    if lang.code == "en":
        return f"{period.last_day:%b %Y}"
    return format_date(period.last_day, "LLL y", locale=lang.locale)


def trend_words(trend: Trend) -> tuple[str, bool]:
    """The trend in a sentence (the chart's alt text starts with it), and whether the change
    is beyond chance."""
    first, last = trend.values[0], trend.values[-1]
    beyond_chance = bool(count_change_significant(last, first)[0])
    numbers = {"first": format_number(first), "last": format_number(last),
               "start": _month(trend.ends[0]), "end": _month(trend.ends[-1])}
    if beyond_chance and last < first:
        said = _("Crime went down: {first} crimes in the 12 months to {start}, {last} in the 12 months "
                 "to {end}.").format(**numbers)
    elif beyond_chance:
        said = _("Crime went up: {first} crimes in the 12 months to {start}, {last} in the 12 months "
                 "to {end}.").format(**numbers)
    else:
        said = _("Crime stayed about the same: {first} crimes in the 12 months to {start}, {last} in the "
                 "12 months to {end}. A change this small can happen by chance.").format(**numbers)
    return said, beyond_chance


def trend_block(ctx: Any, figs: PublicFigures, area: AreaFigures, is_borough: bool, *,
                large_print: bool = False, height_mm: float | None = None) -> Chart | Paragraph:
    """The chart for one leaflet, or one sentence saying why there is none."""
    place = _(area.area_name)
    trend = trend_points(ctx, figs, area.area_id, is_borough)
    if trend is None:
        log.info("Leaflet %s: no trend chart: fewer than %d complete 12-month totals.", area.area_id, MIN_POINTS)
        return Paragraph(_("There are not yet enough figures to show how crime in {place} has changed over "
                           "time.").format(place=place))
    if min(trend.values) < max(1, area.threshold):
        # Small counts are never printed, in a table or on a chart (docs/statistics.md).
        log.info("Leaflet %s: no trend chart: a 12-month total is below the disclosure threshold.", area.area_id)
        return Paragraph(_("There are too few crimes in {place} to show a trend.").format(place=place))
    lang = current()
    said, beyond = trend_words(trend)
    start = trend.ends[0].shift(-9)  # the first month the first 12-month total counts
    title = _("Crime in {place} since {month}").format(place=place, month=_month_start(start))
    caption = [_("Each point counts the crimes in the 12 months up to that date.")] if trend.target is None else []
    alt = [said]
    target_label = None
    if trend.target is not None:
        year, value = trend.target
        caption.append(_("Each point counts the types of crime in our target, over the 12 months up to that "
                         "date. The dashed line is our target for the 12 months to {month}.").format(
                             month=_month(year)))
        alt.append(_("Our target is {target} or fewer in the 12 months to {month}.").format(
            target=format_number(value), month=_month(year)))
        # Words in the picture only where matplotlib can set the script; the caption says it anyway.
        target_label = (format_number(value) if lang.direction == "rtl"
                        else _("Target: {target}").format(target=format_number(value)))
    if not beyond:
        caption.append(_("The change is small enough to be chance."))
    ticks = {n: _tick(end) for n, end in enumerate(trend.ends) if (len(trend.ends) - 1 - n) % 4 == 0}
    height = height_mm or HEIGHT_MM[large_print]
    key = (f"leaflet-trend-{trend.indicator}-{trend.area_id}-{trend.ends[-1].key}-{lang.code}-"
           f"{'large' if large_print else 'standard'}-{height:g}")
    alt_text = " ".join(alt)
    caption_text = " ".join(caption)
    target = (trend.target[1], target_label) if trend.target is not None and target_label else None

    def draw():  # noqa: ANN202 - a ChartDraft
        return trend_chart(trend.values, tick_labels=ticks, number_text=format_number, title=title,
                           alt_text=alt_text, caption=caption_text, target=target,
                           font_pt=FONT_PT[large_print], width_mm=WIDTH_MM[large_print],
                           height_mm=height)

    return ctx.charts.get(key, draw)


def _month_start(period: Period) -> str:
    """'April 2002' for the title 'Crime in ... since April 2002' (Polish 'od kwietnia 2002')."""
    lang = current()
    if lang.code == "en":
        return Period(period.start, period.start, Kind.MONTH).label
    return lang.month_year_of(period.first_day)


__all__ = ["Trend", "chart_indicator", "trend_block", "trend_points", "trend_words"]
