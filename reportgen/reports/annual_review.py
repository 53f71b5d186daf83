"""The annual strategy review: how the year went against every strategy.

For a strategy whose target year has just ended, the "then and now" table the strategy
documents publish (baseline year against this year, "Down 25%", target met or not); for
the strategies still running, progress on every big target from the baseline to the target
year. Then the long track against comparators, the latest month against its historical
bounds, drugs performance, what residents told us (with denominators), the priority
neighbourhoods, and staff's narrative (Markdown files) in its place.

The Word version is the one staff edit, so structure is carried by real styles (the
renderer's Heading 1-3, Table Grid and Caption), never by direct formatting.
"""

from __future__ import annotations

import pandas as pd

from reportgen.config.models import BigTarget, Derived, DerivedKind, Frequency, Strategy, Unit
from reportgen.document import Block, BulletList, Cell, Document, Paragraph, Section, Status, Table
from reportgen.periods import Kind, Period
from reportgen.reports import commentary
from reportgen.reports.base import (
    ReportContext,
    fmt_number,
    fmt_pct_change,
    headline_lines,
    is_missing,
    running_title,
    status_word,
)
from reportgen.reports.parts import (
    DASH,
    area_row,
    definitions_section,
    lead_measure,
    measure_statements,
    neighbourhood_section,
    rate_indicators,
    rows_by_area,
    rule_reasons,
    scorecard_table,
    short_title,
    spc_block,
    spc_unavailable,
    status_legend,
    target_record,
    target_rows,
    track_block,
    trajectory_block,
    unavailable_section,
    value_text,
    yearly_bar_block,
)
from reportgen.reports.statements import Comparison

KIND = "annual-review"


def build(ctx: ReportContext) -> list[tuple[str, Document]]:
    finished = [s for s in ctx.config.strategies if s.target == ctx.period]
    # A strategy's baseline year is reviewed too: its figures are the baseline itself, which
    # is what a partnership with one year of data can show (progress comes the year after).
    running = [s for s in ctx.config.strategies if s.baseline.end <= ctx.period.end < s.target.end]
    sections: list[Section] = []
    for strategy in finished:
        sections.append(then_and_now_section(ctx, strategy))
    for strategy in running:
        sections.append(progress_section(ctx, strategy))
    for maker in (track_section, bounds_section):
        section = maker(ctx)
        if section is not None:
            sections.append(section)
    drugs = [s for s in (drugs_section(ctx, strategy) for strategy in running + finished) if s is not None]
    sections += drugs[:1]
    survey = survey_section(ctx)
    if survey is not None:
        sections.append(survey)
    gap = neighbourhood_section(ctx, (running + finished)[0] if running or finished else None)
    if gap is not None:
        sections.append(gap)
    sections.append(definitions_section())
    narratives = commentary.load(ctx.config.root, ctx.period)
    intro = [n for n in narratives if n.slot == "introduction"]
    if intro:
        sections.insert(0, Section(intro[0].title, (), id="introduction"))
    sections = commentary.merge(sections, narratives, before="definitions")
    partnership = ctx.config.partnership
    doc = Document(
        kind=KIND,
        title=f"Annual strategy review {ctx.period.label}",
        subtitle=(running[0].title if running else finished[0].title if finished else ""),
        partnership=partnership.name,
        period_label=f"April {ctx.period.first_day.year} to March {ctx.period.last_day.year}",
        date=ctx.document_date,
        sections=tuple(sections),
        notice=ctx.notice,
        author=partnership.name,
        keywords=("community safety", "annual review", "strategy", ctx.period.key),
        toc=True,
        statements=ctx.statements.take(),
        footer_text=(
            f"Prepared by {partnership.contact.name}. Every figure is computed from partners' data; "
            "percentages show their numerator and denominator."
        ),
    )
    return [(f"annual-review-{ctx.period.key.replace('/', '-')}", doc)]


def summarise(ctx: ReportContext) -> tuple[list[str], list[str]]:
    lines = headline_lines(ctx)
    missed = ctx.evaluation.targets
    missed = missed[missed["status"].isin(["not_met", "at_risk", "no_data"])]
    return lines, [
        f"Target {int(r['number'])}, {running_title(str(r['title']))}: {status_word(r['status'])}"
        for _, r in missed.iterrows()
    ]


# --- then and now ---------------------------------------------------------------------------------
_MET_WORDS = {"met": "Yes, target met", "not_met": "No, target not met", "no_data": "No data"}


def then_and_now_rows(ctx: ReportContext, strategy: Strategy) -> list[tuple[str, str, str, str, Cell]]:
    """(priority, baseline, this year, 'Down 25%', met?) for each big target, in order."""
    rows = []
    for target in sorted(strategy.targets, key=lambda t: t.number):
        record = target_record(ctx, strategy, target)
        measures = target_rows(ctx, strategy, target)
        if measures.empty:
            continue
        status = str(record["status"]) if record is not None else "no_data"
        met = Cell(_MET_WORDS.get(status, status_word(status)), Status.from_value(status))
        lead = lead_measure(target)
        if lead is None:
            # A target made of several measures has no single "then" and "now": say how many improved.
            total = int(record["n_measures"]) if record is not None else len(target.measures)
            improved = int(record["n_improved"]) if record is not None else 0
            rows.append((running_title(target.title), f"{total} measures", f"{improved} improved", DASH, met))
            continue
        r = measures[measures["id"] == lead].iloc[0] if (measures["id"] == lead).any() else measures.iloc[0]
        statement = ctx.statements.about(r, Comparison.BASELINE)
        change = ctx.statements.say_change(statement) if statement.change_label else _change(r)
        rows.append(
            (
                running_title(target.title),
                value_text(r, "baseline_value"),
                value_text(r, "compare_value"),
                # A no-break space keeps "Down 25%" on one line, as the published table prints it.
                change.replace(" ", "\u00a0"),
                met,
            )
        )
    return rows


def _change(row: pd.Series) -> str:
    label = row.get("change_label")
    return str(label) if not is_missing(label) else fmt_pct_change(row.get("change_pct"))


def yearly_count_notes(ctx: ReportContext, strategy: Strategy) -> tuple[str, ...]:
    """What a priority counted once a year says in words: 'Drug and Alcohol Misuse (people in
    treatment): different people in drug or alcohol treatment at any time in the year.' A yearly
    return of people is not the sum of the months nor the caseload on one day, so the 1,500 of
    this table is never read as the 731 in treatment at the end of March elsewhere in the review."""
    notes = []
    for target in sorted(strategy.targets, key=lambda t: t.number):
        lead = lead_measure(target)
        if lead is None:
            continue
        spec = ctx.config.indicator(lead)
        if spec.frequency is Frequency.ANNUAL and spec.unit is Unit.COUNT and spec.public_title:
            what = spec.public_title[:1].lower() + spec.public_title[1:]
            notes.append(f"{running_title(target.title)}: {what}.")
    return tuple(notes)


def then_and_now_section(ctx: ReportContext, strategy: Strategy) -> Section:
    rows = then_and_now_rows(ctx, strategy)
    met = sum(1 for row in rows if row[4].status is Status.MET)
    table = Table(
        caption=f"The {strategy.title} priorities: {strategy.baseline_period} against {ctx.period.label}",
        columns=(
            "Priority",
            strategy.baseline_period,
            ctx.period.label,
            "Up or down?",
            "Target met?",
        ),
        rows=tuple(rows),
        column_align=("left", "right", "right", "left", "left"),
        notes=(
            "Numbers are totals for each financial year (April to March). Whether each priority met its "
            "target "
            "is shown by a symbol and words as well as by colour: \u25cf met, \u25a0 not met.",
            *yearly_count_notes(ctx, strategy),
        ),
    )
    return Section(
        f"Where we are now: the {short_title(strategy.title)} priorities",
        (
            Paragraph(
                f"The {strategy.title} set {len(strategy.targets)} priorities. The table compares "
                f"{strategy.baseline_period}, the year before it began, with {ctx.period.label}, its final "
                "year. "
                f"{met} of {len(rows)} met their targets."
            ),
            table,
        ),
        id="then-and-now",
    )


# --- progress on running strategies ---------------------------------------------------------------
def progress_section(ctx: ReportContext, strategy: Strategy) -> Section:
    if strategy.baseline.end == ctx.period.end:
        intro = (
            f"{ctx.period.label} is the baseline year of the {strategy.title}: its figures are the starting "
            f"point the {len(strategy.targets)} big targets are measured from, so progress against the "
            f"trajectory to the target year {strategy.target_period} shows from the next year on. "
        )
    else:
        intro = (
            f"Progress on the {len(strategy.targets)} big targets of the {strategy.title}, from the baseline "
            f"year {strategy.baseline_period} to {ctx.period.label}, against a straight-line trajectory to "
            f"the target year {strategy.target_period}. "
        )
    blocks: list[Block] = [Paragraph(intro + status_legend()), scorecard_table(ctx, strategy)]
    for target in sorted(strategy.targets, key=lambda t: t.number):
        blocks.append(_target_part(ctx, strategy, target))
    return Section(
        f"Progress against the big targets, {ctx.period.label}",
        tuple(blocks),
        id="progress",
        page_break_before=True,
    )


def _target_part(ctx: ReportContext, strategy: Strategy, target: BigTarget) -> Section:
    record = target_record(ctx, strategy, target)
    status = Status.from_value(str(record["status"]) if record is not None else "no_data")
    # The rule's verdict, then every measure worded by its statement (basis included).
    reasons = rule_reasons(record) + [ctx.statements.say(s) for s in measure_statements(ctx, strategy, target)]
    blocks: list[Block] = [
        Paragraph(f"**{status.glyph} {status_word(status.code)}.** {running_title(target.title)}."),
    ]
    if reasons:
        blocks.append(BulletList(tuple(reasons)))
    lead = lead_measure(target)
    rows = target_rows(ctx, strategy, target)
    lead_rows = rows[rows["id"] == lead] if lead else rows.iloc[0:0]
    if not lead_rows.empty:
        chart = trajectory_block(ctx, lead_rows.iloc[0])
        if chart is not None:
            blocks.append(chart)
    return Section(
        f"Target {target.number}: {short_title(target.title)}",
        tuple(blocks),
        level=2,
        id=f"progress-{target.number}",
    )


# --- context charts -------------------------------------------------------------------------------
def track_section(ctx: ReportContext) -> Section | None:
    chart = track_block(ctx)
    if chart is None:
        rates = rate_indicators(ctx)
        if not rates:
            return None  # no rate per 1,000 configured: the section does not apply
        held = len(ctx.evaluation.series(rates[0].id, ctx.borough, kind=Kind.FINANCIAL_YEAR))
        label = rates[0].label[:1].lower() + rates[0].label[1:]
        return unavailable_section(
            "Crime over ten years",
            f"it needs {label} for at least two complete financial years, and "
            f"{held} {'is' if held == 1 else 'are'} held",
            section_id="track",
        )
    return Section(
        "Crime over ten years",
        (Paragraph(chart.alt_text), chart),
        id="track",
        # no forced page: after the last target it left a page two-thirds empty (page rules)
    )


def bounds_section(ctx: ReportContext) -> Section | None:
    """All recorded crime each month against its two-year mean and limits, at the year's end."""
    rates = rate_indicators(ctx)
    if not rates:
        return None
    indicator = rates[0].of[0]
    rows = rows_by_area(ctx, indicator)
    if ctx.borough not in rows.index:
        return None
    row = area_row(rows, ctx.borough).copy()
    row["area"] = ctx.borough
    chart = spc_block(ctx, row)
    if chart is None:
        why = spc_unavailable(ctx, row)
        if why is None:
            return None
        return Section("Recent change against historical bounds", (why,), id="historical-bounds")
    return Section(
        "Recent change against historical bounds",
        (
            Paragraph(
                "Each month's total against the average of the last two years and the upper and lower limits "
                "within which months normally fall. Points outside the limits, or long runs on one side of "
                "the average, show a real change rather than chance."
            ),
            Paragraph(chart.alt_text),
            chart,
        ),
        id="historical-bounds",
    )


def drugs_section(ctx: ReportContext, strategy: Strategy) -> Section | None:
    """A target judged on one measure with monitored companions (drugs: successful completions,
    with numbers in treatment and retention) gets each measure by year."""
    for target in sorted(strategy.targets, key=lambda t: t.number):
        lead = lead_measure(target)
        rows = target_rows(ctx, strategy, target)
        if not lead or len(rows) < 2 or len(target.measures) == 1:
            continue
        yearly_rows = [
            r for _, r in rows.iterrows() if ctx.config.indicator(str(r["id"])).frequency is not Frequency.MONTHLY
        ]
        charts = [c for c in (yearly_bar_block(ctx, r) for r in reversed(yearly_rows)) if c is not None]
        if not charts:
            continue
        blocks: list[Block] = []
        for chart in charts:
            blocks += [Paragraph(chart.alt_text), chart]
        return Section(f"{short_title(target.title)} performance", tuple(blocks), id="drugs", page_break_before=True)
    return None


# --- survey ---------------------------------------------------------------------------------------
def _survey_measures(ctx: ReportContext) -> list[Derived]:
    return [d for d in ctx.config.derived if d.kind is DerivedKind.PERCENTAGE and d.frequency is Frequency.ANNUAL]


def survey_section(ctx: ReportContext) -> Section | None:
    measures = _survey_measures(ctx)
    if not measures:
        return None
    borough = ctx.borough
    year = Period.of_kind_at(Kind.FINANCIAL_YEAR, ctx.period.end)
    last = year.previous()
    rows = []
    sizes = set()
    for m in measures:
        now = _share(ctx, m, borough, year)
        before = _share(ctx, m, borough, last)
        if now is None:
            continue
        sizes.add(now[1])
        # The change is the evaluation's, worded by the statement every other page uses.
        statement = ctx.statements.of(m.id, borough)
        change = DASH
        if statement is not None and statement.period == year.key and statement.change_label:
            change = ctx.statements.say_change(statement)
        rows.append((m.title, _share_text(now), _share_text(before) if before else DASH, change))
    if not rows:
        return None
    respondents = fmt_number(max(sizes))
    return Section(
        "What residents told us",
        (
            Paragraph(
                f"Results of the residents' survey for {year.label}: each percentage is worked out from the "
                "number of people who answered the question and shown with it "
                f"({respondents} residents took part "
                f"in {year.label}; questions for victims only were answered by fewer)."
            ),
            Table(
                caption=f"Survey results, {year.label} and {last.label}",
                columns=("Question", year.label, last.label, "Change"),
                rows=tuple(rows),
                column_align=("left", "right", "right", "left"),
                notes=(f"The last column compares {year.label} with {last.label}, as the rest of this review does.",),
            ),
        ),
        id="survey",
    )


def _share(ctx: ReportContext, measure: Derived, area: str, year: Period) -> tuple[float, float] | None:
    num = ctx.evaluation.series(measure.numerator_id, area, kind=Kind.FINANCIAL_YEAR)
    den = ctx.evaluation.series(measure.denominator_id, area, kind=Kind.FINANCIAL_YEAR)
    if year.key not in num.index or year.key not in den.index or not den[year.key]:
        return None
    return float(num[year.key]), float(den[year.key])


def _share_text(share: tuple[float, float]) -> str:
    return f"{fmt_number(100 * share[0] / share[1])}% ({fmt_number(share[0])} of {fmt_number(share[1])})"
