"""Building blocks the board pack and the annual review share: tables, charts and
definitions made from one evaluation, so both documents word a result alike."""

from __future__ import annotations

import re
from typing import cast

import pandas as pd

from reportgen.charts.drugs import bar_by_year
from reportgen.charts.spc_chart import spc_chart
from reportgen.charts.track import track_chart
from reportgen.charts.trajectory import trajectory_chart
from reportgen.config.models import BigTarget, Derived, DerivedKind, Frequency, Rule, Strategy, Unit
from reportgen.document import Align, Block, Cell, Chart, DefinitionList, Paragraph, Section, Table, Unavailable
from reportgen.periods import Kind, Period
from reportgen.reports.base import (
    ReportContext,
    fmt_number,
    fmt_value,
    is_missing,
    missing_words,
    spc_word,
    status_cell,
)
from reportgen.reports.series import compare_series, monthly, yearly, yearly_denominators
from reportgen.reports.spc_words import COLUMN as SPC_COLUMN
from reportgen.reports.spc_words import NOTE as SPC_NOTE
from reportgen.reports.spc_words import spc_cell
from reportgen.reports.statements import Comparison, Statement

DASH = "\u2013"
SPC_MIN_POINTS = 12  # fewer months than this and no SPC chart is drawn
UNIT_SUFFIX = {Unit.PERCENTAGE: "%", Unit.RATE_PER_1000: " per 1,000", Unit.DAYS: " days"}


# --- choosing what to show ------------------------------------------------------------------------
def current_strategy(ctx: ReportContext) -> Strategy | None:
    """The strategy a report period belongs to: of those whose target year has not ended
    before the period, the one with the latest target (2005-08 for March 2005)."""
    strategies = list(ctx.config.strategies)
    if not strategies:
        return None
    live = [s for s in strategies if s.target.end >= ctx.period.end and s.baseline.end < ctx.period.end]
    pool = live or strategies
    return max(pool, key=lambda s: (s.target.end, s.baseline.end))


def short_title(title: str) -> str:
    """'RECORDED CRIME - Reduce by 22%' -> 'Recorded crime'; other titles unchanged."""
    head = re.split(r"\s+[-\u2013]\s+", title, maxsplit=1)[0].strip()
    return head.capitalize() if head.isupper() else head


def target_rows(ctx: ReportContext, strategy: Strategy, target: BigTarget) -> pd.DataFrame:
    """The borough's indicator rows for one big target, in the order its measures are listed."""
    rows = ctx.indicator_rows(strategy=strategy.id)
    rows = rows[rows["target"] == target.id]
    order = {m.indicator: n for n, m in enumerate(target.measures)}
    return rows.assign(_order=rows["id"].map(order)).sort_values("_order").drop(columns="_order")


def lead_measure(target: BigTarget) -> str | None:
    """The one measure a target is judged on, when there is exactly one that is not
    monitor-only (single, threshold, or 'all improve' with monitored extras)."""
    judged = [m.indicator for m in target.measures if not m.monitor_only]
    if target.rule in (Rule.SINGLE, Rule.THRESHOLD) or len(judged) == 1:
        return (judged or [target.measures[0].indicator])[0]
    return None


def measure_statements(ctx: ReportContext, strategy: Strategy, target: BigTarget) -> list[Statement]:
    """Each measure of a target against the strategy's baseline, as every document words it."""
    rows = target_rows(ctx, strategy, target)
    return [ctx.statements.about(r, Comparison.BASELINE) for _, r in rows.iterrows()]


def rule_reasons(record: pd.Series | None) -> list[str]:
    """The rule's verdict ("10 of 14 measures improved; all must improve"): the evaluation lists
    one reason per measure first, which documents word from the statements instead."""
    if record is None:
        return []
    reasons = list(record.get("reasons") or [])
    n = record.get("n_measures")
    return reasons[int(n) :] if n is not None and not is_missing(n) else reasons


def target_record(ctx: ReportContext, strategy: Strategy, target: BigTarget) -> pd.Series | None:
    targets = ctx.evaluation.targets
    hit = targets[(targets["strategy"] == strategy.id) & (targets["id"] == target.id)]
    return hit.iloc[0] if not hit.empty else None


# --- words for one indicator row ------------------------------------------------------------------
def _unit(row: pd.Series) -> Unit:
    return Unit(str(row["unit"]))


def value_text(row: pd.Series, column: str) -> str:
    return fmt_value(row.get(column), _unit(row), int(row.get("decimals") or 0), missing=DASH)


def basis_short(row: pd.Series) -> str:
    """'12 months to Mar 2005', 'Jan to Mar 2005', '2004/05'."""
    key = row.get("period")
    if is_missing(key) or not key:
        return ""
    period = Period.parse(str(key))
    end = Period(period.end, period.end, Kind.MONTH).label
    if row.get("aggregation") == "latest":
        return f"end of {end}"  # a stock on a day (a caseload), not a total over the period
    if row.get("compare_basis") == "rolling_12":
        return f"12 months to {end}"
    return period.label


def latest_text(ctx: ReportContext, row: pd.Series, *, common_basis: str | None = None) -> str:
    """The compared value with its denominator, and its basis unless it is the table's common
    one: '32.8% (124 of 378)', '731 (end of March 2005)'. The figure is the statement's (a survey's
    with its sample and 95% interval), so the table prints what the sentences say."""
    if bool(row.get("missing")) or is_missing(row.get("compare_value")):
        reason = row.get("missing_reason")
        # a rolling year that starts before the first data says so ("Only 10 of 12 months"),
        # rather than "No data"; the exceptions and the target's reasons give it in full
        if isinstance(reason, str) and reason.startswith("not enough months"):
            return f"Only {row.get('months_available')} of {row.get('months_needed')} months"
        if isinstance(reason, str) and reason.startswith("not available"):
            return "Not available"  # the partner's reason is in the exceptions and statements
        return "No data"
    text = ctx.statements.say_figure(ctx.statements.about(row, Comparison.YEAR_EARLIER))
    basis = basis_short(row)
    if basis and basis != common_basis:
        text += f" ({basis})"
    return text


def direction_text(ctx: ReportContext, row: pd.Series) -> str:
    """The Direction cell (against a year earlier), as the statement words it: 'Improving',
    'No significant change' for a survey share within chance, 'Up' for a contextual measure."""
    return ctx.statements.say_direction(ctx.statements.about(row, Comparison.YEAR_EARLIER))


def common_basis(rows: pd.DataFrame) -> str:
    """The basis most rows share, named once in a caption instead of in every cell; for a month,
    '12 months to March 2005'."""
    bases = [basis_short(r) for _, r in rows.iterrows()]
    bases = [b for b in bases if b]
    if not bases:
        return ""
    return max(sorted(set(bases)), key=bases.count)


def _for(basis: str) -> str:
    """'for the 12 months to March 2005', 'for 2004/05', 'for January to March 2005'."""
    return f"for the {basis}" if basis.startswith(("12 months", "end of")) else f"for {basis}"


def baseline_text(row: pd.Series, strategy: Strategy | None = None) -> str:
    if is_missing(row.get("baseline_value")):
        return DASH
    text = value_text(row, "baseline_value")
    if strategy is None or str(row.get("baseline_period")) != strategy.baseline_period:
        text += f" ({row['baseline_period']})"
    return text


def target_text(row: pd.Series, strategy: Strategy | None = None) -> str:
    if is_missing(row.get("target_value")):
        return DASH
    text = value_text(row, "target_value")
    if strategy is None or str(row.get("target_period")) != strategy.target_period:
        text += f" by {row['target_period']}"
    return text


def spc_text(row: pd.Series) -> str:
    return spc_word(row.get("spc_variation"))


# --- tables ---------------------------------------------------------------------------------------
ALIGN8: tuple[Align, ...] = ("left", "right", "right", "right", "right", "left", "left", "left")


def _columns(strategy: Strategy, first: str) -> tuple[str, ...]:
    return (
        first,
        f"Baseline {strategy.baseline_period}",
        "Latest",
        f"Target {strategy.target_period}",
        "Trajectory now",
        "Status",
        "Direction",
        "SPC signal",
    )


def scorecard_table(ctx: ReportContext, strategy: Strategy) -> Table:
    """One row per big target: its lead measure's numbers, or for composite targets how
    many of its measures improved."""
    leads = []
    for target in strategy.targets:
        lead = lead_measure(target)
        rows = target_rows(ctx, strategy, target)
        leads.append(rows[rows["id"] == lead] if lead else rows.iloc[0:0])
    basis = common_basis(pd.concat(leads)) if leads else ""
    out: list[tuple[str | Cell, ...]] = []
    for target, lead_rows in sorted(zip(strategy.targets, leads, strict=True), key=lambda p: p[0].number):
        record = target_record(ctx, strategy, target)
        status = record["status"] if record is not None else "no_data"
        name = f"{target.number}. {short_title(target.title)}"
        if not lead_rows.empty:
            r = lead_rows.iloc[0]
            out.append(
                (
                    name,
                    baseline_text(r, strategy),
                    latest_text(ctx, r, common_basis=basis),
                    target_text(r, strategy),
                    value_text(r, "trajectory_value"),
                    status_cell(status),
                    direction_text(ctx, r),
                    spc_cell(ctx, r),
                )
            )
            continue
        improved = int(record["n_improved"]) if record is not None else 0
        total = int(record["n_measures"]) if record is not None else len(target.measures)
        if target.rule is Rule.FRACTION_IMPROVE:
            need = f"{fmt_number((target.fraction or 0) * 100)}% improve"
        else:
            need = "All improve"
        out.append(
            (
                name,
                f"{total} measures",
                f"{improved} of {total} improved",
                need,
                DASH,
                status_cell(status),
                DASH,
                DASH,
            )
        )
    return Table(
        caption=f"Scorecard, {ctx.period.label}"
        + (f": latest figures are {_for(basis)} unless stated" if basis else ""),
        columns=(*_columns(strategy, "Big target")[:-1], SPC_COLUMN),
        rows=tuple(out),
        column_align=ALIGN8,
        notes=(
            "Counts are totals for 12 months, so they compare with the yearly baseline and target without "
            "seasonal swings. Percentages show their numerator and denominator in brackets.",
            "Trajectory now: where the straight line from the baseline to the target says we should be now. "
            "Targets made of several measures show how many have improved on the baseline.",
            SPC_NOTE,
        ),
    )


def indicator_table(ctx: ReportContext, rows: pd.DataFrame, caption: str, strategy: Strategy) -> Table:
    basis = common_basis(rows)
    out = []
    for _, r in rows.iterrows():
        title = str(r["title"]) + (" (monitored)" if str(r.get("status")) == "grey" else "")
        out.append(
            (
                title,
                baseline_text(r, strategy),
                latest_text(ctx, r, common_basis=basis),
                target_text(r, strategy),
                value_text(r, "trajectory_value"),
                status_cell(r.get("status")),
                direction_text(ctx, r),
                spc_text(r),
            )
        )
    if basis:
        caption += f": latest figures are {_for(basis)} unless stated"
    surveyed = any(ctx.statements.about(r, Comparison.YEAR_EARLIER).interval_text for _, r in rows.iterrows())
    return Table(
        caption=caption,
        columns=_columns(strategy, "Measure"),
        rows=tuple(out),
        column_align=ALIGN8,
        notes=(SURVEY_NOTE,) if surveyed else (),
    )


# Said under a table with survey figures, so "no significant change" is read rightly.
SURVEY_NOTE = (
    "Survey figures give the number of people who answered and, after the semicolon, the 95% confidence "
    "interval: the range the share of all residents very probably lies in. A change between two surveys is called an "
    "improvement only when a two-proportion test finds it significant at 5%; otherwise it is "
    "\u201cno significant change\u201d."
)


# --- charts ---------------------------------------------------------------------------------------
def trajectory_block(ctx: ReportContext, row: pd.Series) -> Chart | None:
    """The lead measure against its straight line from baseline to target."""
    if is_missing(row.get("baseline_value")) or is_missing(row.get("target_value")):
        return None
    indicator, area = str(row["id"]), str(row["area"])
    key = f"trajectory-{indicator}-{area}-{row['baseline_period']}-{row['target_period']}-{ctx.period.end}"
    decimals = int(row.get("decimals") or 0)
    unit = _unit(row)

    def draw():  # noqa: ANN202 - a ChartDraft
        series, basis = compare_series(ctx.evaluation, indicator, area, ctx.period)
        start = Period.parse(str(row["baseline_period"])).end
        series = series[[Period.parse(k).end >= start for k in series.index]]
        measure = _measure_label(row, basis)
        return trajectory_chart(
            series,
            title=f"{row['title']}: progress towards the target",
            measure=measure,
            baseline=(str(row["baseline_period"]), float(row["baseline_value"])),
            target=(str(row["target_period"]), float(row["target_value"])),
            basis=basis,
            polarity=str(row["polarity"]),
            decimals=decimals if unit is not Unit.COUNT else 0,
            source=_source(ctx, row),
            unit=UNIT_SUFFIX.get(unit, ""),
        )

    return ctx.charts.get(key, draw)


def _measure_label(row: pd.Series, basis: str = "") -> str:
    unit = _unit(row)
    base = {Unit.PERCENTAGE: "Per cent", Unit.RATE_PER_1000: "Per 1,000 residents", Unit.DAYS: "Days"}.get(
        unit, "Number"
    )
    return f"{base} ({basis})" if basis else base


def _source(ctx: ReportContext, row: pd.Series) -> str:
    owner = str(row.get("owner") or "")
    for partner in ctx.config.partners:
        if partner.id == owner:
            return partner.name
    return "partnership calculation from partners' data" if owner else ""


def spc_block(ctx: ReportContext, row: pd.Series) -> Chart | None:
    """'Recent change against historical bounds' for a monthly indicator."""
    indicator, area = str(row["id"]), str(row["area"])
    if ctx.config.indicator(indicator).frequency is not Frequency.MONTHLY:
        return None
    period = Period(ctx.period.end, ctx.period.end, Kind.MONTH)
    key = f"spc-{indicator}-{area}-{period.key}"

    def draw():  # noqa: ANN202
        return spc_chart(
            monthly(ctx.evaluation, indicator, area, period),
            title=f"{row['title']}: recent change against historical bounds",
            measure=f"{_measure_label(row)} each month",
            polarity=str(row["polarity"]),
            decimals=int(row.get("decimals") or 0),
            source=_source(ctx, row),
            # the chart adds where its mean and limits come from ("from 13 months, March 2022 to ...")
            caption="XmR method. A point outside the limits, 7 in a row on one side of the mean, 7 rising or "
            "falling in a row, or 2 of 3 close to a limit is a special cause.",
            rebase=ctx.config.indicator(indicator).spc_rebase,
        )

    if len(monthly(ctx.evaluation, indicator, area, period)) < SPC_MIN_POINTS:
        return None
    return ctx.charts.get(key, draw)


def spc_unavailable(ctx: ReportContext, row: pd.Series) -> Unavailable | None:
    """Why a monthly measure has no SPC chart (fewer than 12 months held), or None when it has
    one or is not monthly (SPC charts are drawn for monthly measures only)."""
    indicator, area = str(row["id"]), str(row["area"])
    if ctx.config.indicator(indicator).frequency is not Frequency.MONTHLY:
        return None
    held = len(monthly(ctx.evaluation, indicator, area, Period(ctx.period.end, ctx.period.end, Kind.MONTH)))
    if held >= SPC_MIN_POINTS:
        return None
    return Unavailable(
        f"The chart of {row['title']} against historical bounds",
        f"it needs at least {SPC_MIN_POINTS} months of data and {held} {'is' if held == 1 else 'are'} held",
    )


def trajectory_unavailable(row: pd.Series) -> Unavailable | None:
    """Why the lead measure has no trajectory chart (no baseline or no target value)."""
    if not (is_missing(row.get("baseline_value")) or is_missing(row.get("target_value"))):
        return None
    reason = row.get("missing_reason")
    if not (isinstance(reason, str) and reason):
        reason = f"no baseline value for {row.get('baseline_period')}"
    return Unavailable(f"The chart of {row['title']} against its target", reason)


def rate_indicators(ctx: ReportContext) -> list[Derived]:
    return [d for d in ctx.config.derived if d.kind is DerivedKind.RATE_PER_1000]


def track_block(ctx: ReportContext, years: int = 10) -> Chart | None:
    """The long track of the first rate-per-1,000 indicator: the borough against comparators."""
    rates = rate_indicators(ctx)
    if not rates:
        return None
    rate = rates[0]
    fy = Period.of_kind_at(Kind.FINANCIAL_YEAR, ctx.period.end)
    if fy.end != ctx.period.end:
        fy = fy.previous()
    partnership = ctx.config.partnership
    key = f"track-{rate.id}-{fy.key}-{years}"

    def lines() -> dict[str, pd.Series]:
        out = {}
        for area_id, name in [(partnership.borough.id, partnership.borough.name)] + [
            (c.id, c.name) for c in partnership.comparators
        ]:
            series = yearly(ctx.evaluation, rate.id, area_id, fy, years)
            if not series.empty:
                out[name] = series
        return out

    data = lines()
    if partnership.borough.name not in data or len(data[partnership.borough.name]) < 2:
        return None

    def draw():  # noqa: ANN202
        first = next(iter(data.values()))
        return track_chart(
            data,
            title=f"{rate.label}: {len(first)}-year track against comparators",
            measure=rate.title,
            axis_label="Per 1,000 residents",
            decimals=rate.decimals,
            caption=f"Financial years {first.index[0]} to {first.index[-1]}; rate per 1,000 residents.",
            source="police recorded crime; comparators from published regional and national figures",
        )

    return ctx.charts.get(key, draw)


def yearly_bar_block(ctx: ReportContext, row: pd.Series, years: int = 4) -> Chart | None:
    """A measure by financial year (people in treatment, % retained, % discharged successfully)."""
    indicator, area = str(row["id"]), str(row["area"])
    fy = Period.of_kind_at(Kind.FINANCIAL_YEAR, ctx.period.end)
    if fy.end != ctx.period.end:
        fy = fy.previous()
    values = yearly(ctx.evaluation, indicator, area, fy, years)
    if len(values) < 2:
        return None
    denominators = yearly_denominators(ctx.evaluation, indicator, area, fy, years)
    unit = _unit(row)
    key = f"years-{indicator}-{area}-{fy.key}-{years}"

    def draw():  # noqa: ANN202
        return bar_by_year(
            values,
            title=f"{row['title']}, by year",
            measure=_measure_label(row),
            denominators=denominators,
            percentage=unit is Unit.PERCENTAGE,
            decimals=0,
            source=_source(ctx, row),
            width_mm=130.0,
        )

    return ctx.charts.get(key, draw)


# --- priority neighbourhoods ----------------------------------------------------------------------
def rows_by_area(ctx: ReportContext, indicator: str) -> pd.DataFrame:
    """One evaluation row per area for ``indicator``, indexed by area.

    An indicator that is itself a target (all crime, when "reduce all crime" is a big target)
    has its borough row under the strategy, not among the monitored rows; the figures are the
    same either way, so take the monitored row where there is one, else the first targeted one.
    """
    rows = ctx.evaluation.indicators
    rows = rows[rows["id"] == indicator]
    rows = rows.assign(_targeted=rows["strategy"] != "").sort_values("_targeted", kind="stable")
    return rows.drop_duplicates("area").drop(columns="_targeted").set_index("area")


def area_row(rows: pd.DataFrame, area: str) -> pd.Series:
    """``area``'s row of a :func:`rows_by_area` frame (one row per area, so a Series, never a frame)."""
    return cast(pd.Series, rows.loc[area])


def neighbourhood_section(ctx: ReportContext, strategy: Strategy | None) -> Section | None:
    partnership = ctx.config.partnership
    gaps = [d for d in ctx.config.derived if d.kind is DerivedKind.GAP]
    priority = partnership.priority_areas
    if not gaps or not priority:
        return None
    gap = gaps[0]
    count_id = gap.of[0]
    rate = next(
        (d for d in ctx.config.derived if d.kind is DerivedKind.RATE_PER_1000 and d.of == gap.of), None
    )
    counts = rows_by_area(ctx, count_id)
    rates = rows_by_area(ctx, rate.id) if rate else None
    borough = partnership.borough.id
    if borough not in counts.index or is_missing(counts.loc[borough, "compare_value"]):
        why = missing_words(area_row(counts, borough), ctx.period.label) if borough in counts.index else "no data"
        label = ctx.config.indicator(count_id).label
        return unavailable_section(
            "Priority neighbourhood gap",
            f"{why} for {label[:1].lower() + label[1:]} in {partnership.borough.name}",
            section_id="neighbourhoods",
            what="The priority neighbourhood gap table",
        )
    borough_rate = 1000.0 * float(area_row(counts, borough)["compare_value"]) / partnership.borough.population
    table_rows = []
    total_count = 0.0
    for area in priority:
        if area.id not in counts.index or is_missing(counts.loc[area.id, "compare_value"]):
            table_rows.append((area.name, fmt_number(area.population), "No data", DASH, DASH, DASH))
            continue
        c = area_row(counts, area.id)
        total_count += float(c["compare_value"])
        area_rate = 1000.0 * float(c["compare_value"]) / area.population
        yoy = _yoy_label(rates, area.id)
        table_rows.append(
            (
                area.name,
                fmt_number(area.population),
                fmt_number(c["compare_value"]),
                fmt_number(area_rate, 1),
                _gap_words(area_rate, borough_rate),
                yoy,
            )
        )
    together_pop = sum(a.population for a in priority)
    together_rate = 1000.0 * total_count / together_pop
    table_rows.append(
        (
            "Priority neighbourhoods together",
            fmt_number(together_pop),
            fmt_number(total_count),
            fmt_number(together_rate, 1),
            _gap_words(together_rate, borough_rate),
            DASH,
        )
    )
    b = area_row(counts, borough)
    table_rows.append(
        (
            partnership.borough.name,
            fmt_number(partnership.borough.population),
            fmt_number(b["compare_value"]),
            fmt_number(borough_rate, 1),
            DASH,
            _yoy_label(rates, borough),
        )
    )
    basis = _basis_words(b)
    blocks: list[Block] = []
    gap_rows = ctx.indicator_rows(strategy=strategy.id) if strategy else ctx.indicator_rows()
    gap_row = gap_rows[gap_rows["id"] == gap.id]
    if not gap_row.empty and not is_missing(gap_row.iloc[0].get("compare_value")):
        g = gap_row.iloc[0]
        target = (
            fmt_value(g["target_value"], "percentage", 0) if not is_missing(g.get("target_value")) else DASH
        )
        threshold = _threshold(strategy, gap.id)
        aim = f"no more than {fmt_number(threshold)}%" if threshold is not None else target
        blocks.append(
            Paragraph(
                "Crime in the priority neighbourhoods taken together is "
                f"**{fmt_value(g['compare_value'], 'percentage', 1)} above** the borough rate ({basis}); "
                f"the aim is {aim} by {g['target_period']}."
                # a year earlier may be before the data starts: no "the gap was No data"
                + (
                    ""
                    if is_missing(g.get("previous_value"))
                    else f" A year earlier the gap was {fmt_value(g['previous_value'], 'percentage', 1)}."
                )
            )
        )
    blocks.append(
        Table(
            caption=f"Crime in the priority neighbourhoods against the borough, {basis}",
            columns=(
                "Neighbourhood",
                "Residents",
                "Crimes",
                "Per 1,000 residents",
                "Compared with the borough",
                "Change on a year earlier",
            ),
            rows=tuple(table_rows),
            column_align=("left", "right", "right", "right", "left", "left"),
            notes=(
                f"Crimes: all recorded crime, {basis}. Per 1,000 residents: crimes divided by residents, "
                "times 1,000.",
            ),
        )
    )
    return Section("Priority neighbourhood gap", tuple(blocks), id="neighbourhoods", page_break_before=True)


def _yoy_label(rates: pd.DataFrame | None, area: str) -> str:
    """The area's change on a year earlier ('Down 4%'), or a dash when there is none."""
    if rates is None or area not in rates.index:
        return DASH
    label = rates.loc[area, "yoy_change_label"]
    return DASH if is_missing(label) or not label else str(label)


def _threshold(strategy: Strategy | None, indicator: str) -> float | None:
    if strategy is None:
        return None
    for t in strategy.targets:
        if t.threshold is not None and any(m.indicator == indicator for m in t.measures):
            return t.threshold
    return None


def _gap_words(rate: float, borough_rate: float) -> str:
    if not borough_rate or is_missing(borough_rate) or is_missing(rate):
        return DASH
    gap = 100.0 * (rate / borough_rate - 1.0)
    if round(gap) == 0:
        return "Same as the borough"
    return f"{fmt_number(abs(gap))}% {'higher' if gap > 0 else 'lower'}"


def _basis_words(row: pd.Series) -> str:
    period = Period.parse(str(row["period"]))
    end = Period(period.end, period.end, Kind.MONTH).label
    return f"12 months to {end}" if row.get("compare_basis") == "rolling_12" else period.label


# --- what cannot be shown -------------------------------------------------------------------------
def unavailable_section(
    title: str, reason: str, *, section_id: str, what: str | None = None, level: int = 1
) -> Section:
    """A section kept in its place with one line saying why its content cannot be computed."""
    return Section(title, (Unavailable(what or title, reason),), level=level, id=section_id)


# --- definitions ----------------------------------------------------------------------------------
def definitions_section(level: int = 1, section_id: str = "definitions") -> Section:
    items = (
        ("Baseline", "The value in the strategy's baseline year, from which each target is set."),
        ("Target", "The value to reach by the end of the strategy's target year."),
        (
            "Trajectory",
            "A straight line from the baseline to the target. 'Trajectory now' is where that "
            "line is at the end of the period reported.",
        ),
        (
            "Rolling 12 months",
            "The total of the last twelve months. Counts are compared on this basis so "
            "a single month's seasonal rise or fall does not mislead.",
        ),
        ("\u25cf On track", "At or better than the trajectory."),
        (
            "\u25b2 At risk",
            "Close to the trajectory: worse than it, but within its tolerance (usually 5% of the trajectory).",
        ),
        ("\u25a0 Off track", "Worse than the trajectory by more than the tolerance."),
        (
            "\u25cb Monitored",
            "Tracked for context, without a target of its own (for example domestic "
            "violence reports, where more reporting can be good news).",
        ),
        (
            "Direction",
            "The latest figure against the same figure a year earlier: Improving or Worsening "
            "for measures with a better direction, Up or Down for measures tracked for context, "
            "only when the change is beyond chance (a significance test at 5%). Otherwise: No "
            "significant change for survey and other percentages of counts, Similar to a year ago "
            "for counts, and for counts too small to judge (under 20 unless configured).",
        ),
        (
            "SPC signal",
            "Statistical process control (the NHS 'Making Data Count' XmR method). The mean "
            "and limits come from the last 24 months. 'Common cause' means normal variation; "
            "'Special cause' means a change unlikely to be chance: a point beyond the limits, "
            "7 points in a row on one side of the mean, or 7 rising or falling in a row.",
        ),
        (
            "Rate per 1,000",
            "A count divided by the area's residents, times 1,000, so areas of different "
            "sizes can be compared.",
        ),
    )
    return Section("Definitions", (DefinitionList(items),), level=level, id=section_id)


def status_legend() -> str:
    return (
        "Status is shown by a symbol and a word as well as colour: \u25cf On track or Met, "
        "\u25b2 At risk, \u25a0 Off track or Not met, \u25cb Monitored or No data."
    )


def cell(text: str, status: str | None = None) -> Cell | str:
    return status_cell(status, text) if status else text
