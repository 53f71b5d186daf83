"""The monthly board pack: exceptions first, the scorecard, a section per big target,
the priority-neighbourhood gap, a data-quality annex and definitions.

Written for board members: plain words, every figure with its basis ("12 months to March
2005") and denominator, and status always as a symbol and a word, never colour alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd

from reportgen.config.models import BigTarget, DerivedKind, Frequency, Strategy
from reportgen.document import (
    Block,
    BulletList,
    Callout,
    Cell,
    Document,
    Headline,
    HeadlineRow,
    Paragraph,
    Section,
    Status,
    Table,
)
from reportgen.periods import Period
from reportgen.reports import commentary, decisions, owner_notes
from reportgen.reports.base import (
    ReportContext,
    exception_lines,
    headline_lines,
    is_missing,
    missing_words,
    running_title,
    status_cell,
    status_word,
)
from reportgen.reports.parts import (
    DASH,
    current_strategy,
    definitions_section,
    indicator_table,
    latest_text,
    lead_measure,
    measure_statements,
    neighbourhood_section,
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
    trajectory_unavailable,
    value_text,
    yearly_bar_block,
)
from reportgen.reports.spc_words import needs_rebase, rebase_note

KIND = "board-pack"
MAX_BAR_CHARTS = 3  # yearly bars for each measure of a target with at most this many (drugs)


def build(ctx: ReportContext) -> list[tuple[str, Document]]:
    strategy = current_strategy(ctx)
    exceptions = _exceptions(ctx, strategy)
    notes = owner_notes.load_notes(ctx.config.root, ctx.period, {e.measure for e in exceptions})
    sections: list[Section] = [summary_section(ctx, strategy, exceptions, notes)]
    if strategy is not None:
        sections.append(exceptions_section(ctx, strategy, exceptions, notes))
    if strategy is not None:
        sections.append(Section("Scorecard", _scorecard_blocks(ctx, strategy), id="scorecard"))
        for target in sorted(strategy.targets, key=lambda t: t.number):
            sections.append(target_section(ctx, strategy, target))
    gap = neighbourhood_section(ctx, strategy)
    if gap is not None:
        sections.append(gap)
    sections.append(data_quality_section(ctx))
    sections.append(definitions_section())
    # Staff narrative for the month (commentary/<yyyy-mm>/*.md), each file in its place.
    # Owners' notes on exceptions (named after a measure) are shown above, not as sections.
    measures = _strategy_measures(strategy)
    narratives = [
        n
        for n in commentary.load(ctx.config.root, ctx.period)
        if not owner_notes.is_note_file(n.path.stem, measures)
    ]
    narratives += partner_notes(ctx)
    sections = commentary.merge(sections, narratives, before="data-quality")
    partnership = ctx.config.partnership
    doc = Document(
        kind=KIND,
        title="Performance board pack",
        subtitle=strategy.title if strategy else "",
        partnership=partnership.name,
        period_label=ctx.period.label,
        date=ctx.document_date,
        sections=tuple(sections),
        notice=ctx.notice,
        author=partnership.name,
        keywords=("community safety", "performance", "board pack", ctx.period.key),
        toc=True,
        statements=ctx.statements.take(),
        footer_text=(
            f"Prepared by {partnership.contact.name} from partners' data as known at {_as_at_text(ctx)}."
            + _questions(partnership.contact.phone or partnership.contact.email)
        ),
    )
    return [(f"board-pack-{ctx.period.key}", doc)]


def _questions(where: str) -> str:
    """' Questions: 01942 404040.', or nothing when no contact phone or email is configured."""
    return f" Questions: {where}." if where else ""


def summarise(ctx: ReportContext) -> tuple[list[str], list[str]]:
    strategy = current_strategy(ctx)
    headline = headline_lines(ctx)
    if strategy is not None:
        headline = [h for h, (_, t) in zip(headline, _sorted_targets(ctx), strict=True) if t["strategy"] == strategy.id]
    return headline, exception_lines(ctx) + [line for line, _ in _missing_returns(ctx)]


def _sorted_targets(ctx: ReportContext) -> list[tuple[Hashable, pd.Series]]:
    return list(ctx.evaluation.targets.sort_values(["strategy", "number"]).iterrows())


def _as_at_text(ctx: ReportContext) -> str:
    if ctx.data_as_at is None:
        return "the time of the run"
    stamp = ctx.data_as_at
    return f"{stamp:%H:%M} on {stamp.day} {stamp:%B %Y}"


# --- summary and exceptions -----------------------------------------------------------------------
def _exception_rows(ctx: ReportContext, strategy: Strategy | None) -> list[tuple]:
    """(measure, target, what is wrong, latest, owner) for each targeted borough indicator
    that is off track, shows a special-cause concern, or has no data."""
    if strategy is None:
        return []
    rows = ctx.indicator_rows(strategy=strategy.id)
    numbers = {t.id: t.number for t in strategy.targets}
    out = []
    seen = set()
    for _, r in rows.sort_values("target", key=lambda s: s.map(numbers)).iterrows():
        issues = []
        status = str(r.get("status"))
        if bool(r.get("missing")) or status == "no_data":
            words = missing_words(r, ctx.period.label)
            issues.append((Status.NO_DATA, words[:1].upper() + words[1:]))
        else:
            if status == "red":
                issues.append((Status.RED, "Off track"))
            if str(r.get("spc_variation")) == "concern" and not needs_rebase(r):
                issues.append((Status.AMBER, "SPC: special-cause concern"))
        if not issues or r["id"] in seen:
            continue
        seen.add(r["id"])
        target = f"{numbers.get(r['target'], '')}. {short_title(_target_title(strategy, r['target']))}"
        owner = _partner_name(ctx, str(r.get("owner") or ""))
        for status_code, words in issues:
            out.append(
                (
                    str(r["title"]),
                    target,
                    status_cell(status_code.code, words),
                    latest_text(ctx, r),
                    value_text(r, "trajectory_value"),
                    owner,
                    str(r["id"]),  # not shown: the key of the owner's commentary file
                )
            )
    return out


def _target_title(strategy: Strategy, target_id: str) -> str:
    for t in strategy.targets:
        if t.id == target_id:
            return t.title
    return target_id


def _partner_name(ctx: ReportContext, partner_id: str) -> str:
    for p in ctx.config.partners:
        if p.id == partner_id:
            return p.short_name or p.name
    return "Partnership" if partner_id == "partnership" else partner_id


def _exceptions(ctx: ReportContext, strategy: Strategy | None) -> list[decisions.Exception_]:
    """Each exception measure once, with the words of its first issue, for the decisions."""
    out: dict[str, decisions.Exception_] = {}
    for row in _exception_rows(ctx, strategy):
        issue = row[2].text if isinstance(row[2], Cell) else str(row[2])
        out.setdefault(row[6], decisions.Exception_(row[6], row[0], issue, row[5]))
    return list(out.values())


def _strategy_measures(strategy: Strategy | None) -> set[str]:
    if strategy is None:
        return set()
    return {m.indicator for t in strategy.targets for m in t.measures}


def summary_section(
    ctx: ReportContext,
    strategy: Strategy | None,
    exception_list: list[decisions.Exception_] | None = None,
    notes: dict[str, owner_notes.OwnerNote] | None = None,
) -> Section:
    blocks: list[Block] = []
    if exception_list:
        # decisions first: what the board is asked to do this month, then how things stand
        blocks.append(decisions.decisions_section(exception_list, notes or {}, ctx.period.label))
    if strategy is not None:
        targets = ctx.evaluation.targets
        mine = targets[targets["strategy"] == strategy.id]
        counts = mine["status"].value_counts()
        good = int(counts.get("on_track", 0) + counts.get("met", 0))
        risk = int(counts.get("at_risk", 0))
        bad = int(counts.get("not_met", 0))
        nodata = int(counts.get("no_data", 0))
        total = len(mine)
        cards = [
            Headline(
                f"{good} of {total}",
                "big targets on track",
                "at or better than the trajectory",
                Status.ON_TRACK,
            ),
            Headline(
                f"{risk} of {total}",
                "big targets at risk",
                "worse than the trajectory or not all measures improving",
                Status.AT_RISK,
            ),
        ]
        if bad or nodata:
            cards.append(Headline(f"{bad + nodata} of {total}", "not met or no data", "", Status.NOT_MET))
        exceptions = _exception_rows(ctx, strategy)
        cards.append(
            Headline(
                str(len({e[0] for e in exceptions})),
                "measures need attention",
                "off track, special-cause concern or no data",
                None if exceptions else Status.ON_TRACK,  # a count, not a rating: no "Red" word
            )
        )
        blocks.append(HeadlineRow(tuple(cards)))
        at_risk = mine[mine["status"].isin(["at_risk", "not_met", "no_data"])].sort_values("number")
        if not at_risk.empty:
            items = []
            by_id = {t.id: t for t in strategy.targets}
            for _, t in at_risk.iterrows():
                # What holds the target back: its worsened measures, else the rule's verdict.
                spec = by_id.get(t["id"])
                worse = [
                    s for s in (measure_statements(ctx, strategy, spec) if spec else []) if s.direction == "worsening"
                ]
                rule = [r for r in rule_reasons(t) if "worse" in r or "against" in r]
                reasons = rule[:1] + [ctx.statements.say(s) for s in worse[: 2 - len(rule[:1])]]
                why = "; ".join(reasons) if reasons else "; ".join(rule_reasons(t)[:1])
                items.append(
                    f"**Target {int(t['number'])}, {short_title(t['title'])}: {status_word(t['status'])}.** "
                    f"{why}{'.' if why and not why.endswith('.') else ''}"
                )
            blocks.append(
                Section("Big targets at risk", (BulletList(tuple(items)),), level=2, id="summary-targets")
            )
    return Section("Summary", tuple(blocks), id="summary")


def exceptions_section(
    ctx: ReportContext,
    strategy: Strategy | None,
    exception_list: list[decisions.Exception_],
    notes: dict[str, owner_notes.OwnerNote],
) -> Section:
    """The exceptions table, then each owner's commentary (cause, action, recovery, decision)."""
    missing = _missing_returns(ctx)
    # late or missing returns head the exceptions (the summary keeps to one page)
    returns: tuple[Block, ...] = (
        (Callout("Data returns missing or late", _returns_summary(ctx, missing), "warning"),) if missing else ()
    )
    if not exception_list:
        text = "No measure is off track, shows a special-cause concern or lacks data this month."
        return Section("Exceptions", (*returns, Paragraph(text)), id="exceptions")
    table = Table(
        caption=f"Exceptions, {ctx.period.label}",
        columns=("Measure", "Big target", "Issue", "Latest", "Trajectory now", "Owner"),
        column_align=("left", "left", "left", "right", "right", "left"),
        rows=tuple(e[:6] for e in _exception_rows(ctx, strategy)),
    )
    lead = Paragraph(
        "Measures that are off track, show a special-cause concern on their SPC chart, or have no data "
        "for the period, each with its owner's commentary: the cause, what is being done, when it is "
        "expected back on track and the decision asked of the board. Each measure is also discussed in "
        "its target's section."
    )
    commentary_part = decisions.commentary_section(exception_list, notes, ctx.period.key)
    return Section("Exceptions", (*returns, lead, table, *commentary_part.blocks[1:]), id="exceptions")


def _returns_summary(ctx: ReportContext, missing: list[tuple[str, str]]) -> str:
    """One or two sentences for the summary page; the annex has the detail by partner."""
    returns = ctx.returns_status
    if returns is None or returns.empty:
        return " ".join(line for line, _ in missing) + " See the data-quality annex."
    counts = returns["status"].value_counts()
    owed = len(returns)
    parts = [f"{int(counts[s])} {s}" for s in ("missing", "partial", "late") if counts.get(s, 0)]
    text = f"Of {owed} data returns owed for {ctx.period.label}, {', '.join(parts)}."
    names = {p.id: p.short_name or p.name for p in ctx.config.partners}
    short = returns[returns["status"].isin(["missing", "partial"])]
    if not short.empty:
        who = sorted({names.get(str(p), str(p)) for p in short["partner"]})
        text += f" Figures are incomplete from: {', '.join(who)}."
    return text + " See the data-quality annex for each partner."


def _scorecard_blocks(ctx: ReportContext, strategy: Strategy) -> tuple[Block, ...]:
    # what the figures cover and how statuses are shown: here, where they are first read, so the
    # summary keeps to one page
    return (
        Paragraph(
            f"This pack reports the {strategy.title} to the end of **{ctx.period.label}**. Counts are "
            f"totals for the 12 months to {ctx.period.label} unless stated, compared with the baseline "
            f"year {strategy.baseline_period} and the target year {strategy.target_period}. " + status_legend()
        ),
        Paragraph(
            f"Each big target of the {strategy.title}: its baseline ({strategy.baseline_period}), the "
            f"latest figure, the target for {strategy.target_period} and where the trajectory says we "
            "should be now. Targets built from several measures show how many have improved on the "
            "baseline; their measures are listed in the target's section."
        ),
        scorecard_table(ctx, strategy),
    )


# --- one section per big target -------------------------------------------------------------------
def target_section(ctx: ReportContext, strategy: Strategy, target: BigTarget) -> Section:
    record = target_record(ctx, strategy, target)
    status = Status.from_value(str(record["status"]) if record is not None else "no_data")
    rows = target_rows(ctx, strategy, target)
    kind: Literal["success", "warning"] = "success" if status in (Status.ON_TRACK, Status.MET) else "warning"
    blocks: list[Block] = [
        Paragraph(_aim(target)),
        Callout(
            f"{status.glyph} {status_word(status.code)}",
            _why(ctx, record, measure_statements(ctx, strategy, target)),
            kind,
        ),
    ]
    if not rows.empty:
        blocks.append(indicator_table(ctx, rows, f"Target {target.number}: measures, {ctx.period.label}", strategy))
    lead = lead_measure(target)
    chart_rows = rows[rows["id"] == lead] if lead else rows.iloc[0:0]
    charts = []
    if not chart_rows.empty:
        lead_row = chart_rows.iloc[0]
        spc = spc_block(ctx, lead_row)
        # a chart that cannot be drawn says why in its place; limits that flag most points say
        # so beside the chart instead of painting every point
        charts += [
            trajectory_block(ctx, lead_row) or trajectory_unavailable(lead_row),
            rebase_note(lead_row) if spc else None,
            spc or spc_unavailable(ctx, lead_row),
        ]
        if _is_crime_total(ctx, str(lead_row["id"])):
            charts.append(track_block(ctx))
        # A lead measure with monitored companions (drugs: completions, with numbers in treatment
        # and retention alongside) shows each by year, as the strategy does.
        if 1 < len(rows) <= MAX_BAR_CHARTS:
            charts += [
                yearly_bar_block(ctx, r)
                for _, r in rows.iterrows()
                if ctx.config.indicator(str(r["id"])).frequency is not Frequency.MONTHLY
            ]
    blocks += [c for c in charts if c is not None]
    return Section(
        f"Target {target.number}: {short_title(target.title)}",
        tuple(blocks),
        id=f"target-{target.number}",
        page_break_before=target.number == 1,
    )


def _aim(target: BigTarget) -> str:
    """The target's title and description, leaving out a description sentence that only repeats
    the title ("Improve all 14 of the indicators set. Improve all 14 of the Measures set...")."""
    title = running_title(target.title)
    # The section heading already names the target ("Target 3: Drugs"): print only its aim.
    aim = title.partition(": ")[2] or title
    aim = aim[:1].upper() + aim[1:]
    sentences = re.split(r"(?<=\.)\s+", (target.description or "").strip())
    start = " ".join(aim.lower().split()[:4])
    kept = [s for s in sentences if s and " ".join(s.lower().split()[:4]) != start]
    return f"**{aim}.** {' '.join(kept)}".strip()


MAX_WHY = 4  # measure sentences in a target's callout; the rest are in its table


def _why(ctx: ReportContext, record: pd.Series | None, statements: list) -> str:
    """The rule's verdict, then what each measure did (from the statements); past MAX_WHY
    measures, how many more the table lists. "(and 1 more)" would take as much room as the
    sentence it stands for, so a single extra measure is printed instead."""
    if record is None:
        return "Not evaluated."
    sentences = rule_reasons(record)
    shown = statements if len(statements) <= MAX_WHY + 1 else statements[:MAX_WHY]
    sentences += [ctx.statements.say(s) for s in shown]
    text = " ".join(r if r.endswith(".") else f"{r}." for r in sentences)
    if len(shown) < len(statements):
        # name the whole list rather than a count of the rest, which readers must check against it
        text += f" The table of measures lists all {len(statements)}."
    return text


def _is_crime_total(ctx: ReportContext, indicator: str) -> bool:
    """The first target whose lead measure is a derived sum gets the long-term track."""
    definition = ctx.config.indicator(indicator)
    return (
        getattr(definition, "kind", None) is DerivedKind.SUM
        and definition.unit.value == "count"
        and (indicator == next((d.id for d in ctx.config.derived if d.kind is DerivedKind.SUM), None))
    )


# --- data quality ---------------------------------------------------------------------------------
def _expected_period(frequency: Frequency, period: Period) -> Period:
    """The indicator's own period a report for ``period`` should hold: the month; the latest
    quarter or financial year ending by the period's end."""
    kind = frequency.period_kind
    own = Period.of_kind_at(kind, period.end)
    return own if own.end <= period.end else own.previous()


def _presence(ctx: ReportContext) -> pd.DataFrame:
    """One row per partner indicator: the period expected, whether the borough value is there,
    and the latest period held."""
    values = ctx.evaluation.values
    borough = ctx.borough
    held = values[values["area"] == borough].groupby("indicator")["period_end"].max()
    keys = set(zip(values["indicator"], values["period"], strict=False))
    rows = []
    for partner in ctx.config.partners:
        for indicator in partner.indicators:
            expected = _expected_period(indicator.frequency, ctx.period)
            present = (indicator.id, expected.key) in keys
            latest = held.get(indicator.id)
            latest_label = (
                Period.of_kind_at(indicator.frequency.period_kind, int(latest)).label
                if latest is not None and not pd.isna(latest)
                else "Nothing held"
            )
            rows.append(
                {
                    "partner": partner.id,
                    "partner_name": partner.name,
                    "indicator": indicator.id,
                    "title": indicator.title,
                    "frequency": indicator.frequency.value,
                    "expected": expected.label,
                    "present": present,
                    "latest": latest_label,
                }
            )
    return pd.DataFrame(rows)


def _missing_returns(ctx: ReportContext) -> list[tuple[str, str]]:
    """One line per partner whose data for the period is missing (or, with the returns
    workflow, missing, partial or late): (line, partner name)."""
    returns = ctx.returns_status
    if returns is not None and not returns.empty:
        names = {p.id: p.name for p in ctx.config.partners}
        out = []
        for partner, group in returns.groupby("partner", sort=False):
            counts = group["status"].value_counts()
            parts = [f"{int(counts[s])} {s}" for s in ("missing", "partial", "late") if counts.get(s, 0)]
            if parts:
                deadline = _long_date(str(group["deadline"].iloc[0]))
                out.append(
                    (
                        f"{names.get(str(partner), str(partner))}: of {len(group)} returns due by {deadline}, "
                        f"{', '.join(parts)}.",
                        names.get(str(partner), str(partner)),
                    )
                )
        return out
    frame = _presence(ctx)
    if frame.empty:
        return []
    out = []
    for partner, group in frame[~frame["present"]].groupby("partner_name", sort=False):
        titles = ", ".join(group["title"].head(3)) + (f" and {len(group) - 3} more" if len(group) > 3 else "")
        out.append((f"{partner}: no data yet for {titles}.", str(partner)))
    return out


def _long_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso[:10])
    return f"{day.day} {day:%B %Y}"


def data_quality_section(ctx: ReportContext) -> Section:
    if ctx.returns_status is not None and not ctx.returns_status.empty:
        return _returns_section(ctx)
    frame = _presence(ctx)
    rows = []
    for _partner_id, group in frame.groupby("partner", sort=False):
        name = group["partner_name"].iloc[0]
        n, got = len(group), int(group["present"].sum())
        state = "on_track" if got == n else ("at_risk" if got else "not_met")
        words = f"{got} of {n} present"
        present = "; ".join(_due(r) for _, r in group[group["present"]].iterrows()) or DASH
        missing = "; ".join(f"{_due(r)}, latest held: {r['latest']}" for _, r in group[~group["present"]].iterrows())
        rows.append((name, status_cell(state, words), present, missing or "Nothing missing"))
    if ctx.returns_status is not None:
        # the returns workflow ran and found nothing owed: every source is a feed
        returns = (
            f"No data returns are owed for {ctx.period.label}: partners' data comes from feeds (police.uk "
            "files, databases), which have no submission deadline."
        )
    else:
        returns = "Due dates, late returns and revisions will be listed here once partners' returns are tracked."
    blocks: list[Block] = [
        Paragraph(
            f"Which partners' data is present for {ctx.period.label}, indicator by indicator, from the "
            "observation store. Monthly indicators are due for the month; quarterly and yearly indicators "
            f"for the latest quarter or year ending by the end of the month (shown in brackets). {returns}"
        ),
        Table(
            caption=f"Data present for {ctx.period.label}, by partner",
            columns=("Partner", "Status", "Present", "Missing"),
            rows=tuple(rows),
        ),
    ]
    return Section("Data-quality annex", tuple(blocks), id="data-quality", page_break_before=True)


def _due(row: pd.Series) -> str:
    return str(row["title"]) if row["frequency"] == "monthly" else f"{row['title']} ({row['expected']})"


_RETURN_STATUS = {"received": "on_track", "late": "at_risk", "partial": "at_risk", "missing": "not_met"}


def _returns_section(ctx: ReportContext) -> Section:
    """From the returns workflow: per partner, returns received on time, late, partial,
    missing and revised; then every return that was not simply received on time."""
    frame = ctx.returns_status
    assert frame is not None  # called only when the returns workflow gave a status (_data_section)
    names = {p.id: p.name for p in ctx.config.partners}
    summary: list[tuple[str | Cell, ...]] = []
    for partner_id, group in frame.groupby("partner", sort=False):
        counts = group["status"].value_counts()
        worst = next((s for s in ("missing", "partial", "late") if counts.get(s, 0)), "received")
        summary.append(
            (
                names.get(str(partner_id), str(partner_id)),
                str(len(group)),
                *(str(int(counts.get(s, 0))) for s in ("received", "late", "partial", "missing")),
                str(int(group["revised"].sum())),
                status_cell(_RETURN_STATUS[worst], "All on time" if worst == "received" else worst.capitalize()),
            )
        )
    # Returns that share a partner, status, deadline and arrival are one row listing them,
    # so a partner whose whole return came in late is one line, not sixteen.
    detail = []
    flagged = frame[(frame["status"] != "received") | frame["revised"].astype(bool)].copy()
    flagged["received_on"] = [_long_date(str(v)) if not is_missing(v) else DASH for v in flagged["last_received"]]
    flagged["words"] = [
        str(st).capitalize() + (", overdue" if bool(od) else "") + (", revised" if bool(rv) else "")
        for st, od, rv in zip(flagged["status"], flagged["overdue"], flagged["revised"], strict=True)
    ]
    keys = ["partner", "status", "words", "deadline", "received_on"]
    for (partner, status, words, deadline, received), group in flagged.groupby(keys, sort=False):
        items = "; ".join(
            f"{t} ({Period.parse(str(k)).label})" for t, k in zip(group["title"], group["period"], strict=True)
        )
        detail.append(
            (
                names.get(str(partner), str(partner)),
                status_cell(_RETURN_STATUS.get(str(status), "no_data"), str(words)),
                _long_date(str(deadline)),
                str(received),
                items,
            )
        )
    blocks: list[Block] = [
        Paragraph(
            f"Partners' data returns owed for {ctx.period.label}: received on time, late (after the "
            "deadline), partial (some areas only), missing, and revised (a figure replaced after it was "
            f"first sent). Overdue is judged at {_as_at_text(ctx)}, when the data in this pack was known."
        ),
        Table(
            caption=f"Data returns for {ctx.period.label}, by partner",
            columns=("Partner", "Owed", "On time", "Late", "Partial", "Missing", "Revised", "Status"),
            rows=tuple(summary),
            column_align=("left", "right", "right", "right", "right", "right", "right", "left"),
        ),
    ]
    if detail:
        blocks.append(
            Table(
                caption="Returns not received on time, or revised",
                columns=("Partner", "Status", "Deadline", "Last received", "Returns"),
                rows=tuple(detail),
            )
        )
    return Section("Data-quality annex", tuple(blocks), id="data-quality", page_break_before=True)


BOARD_PREFIX = "for the board:"


def partner_notes(ctx: ReportContext) -> list[commentary.Narrative]:
    """Notes partners asked to put before the board: a return's Notes cell that starts "For the
    board:" (reportgen/returns/notes.py), on figures for this period, as one narrative section."""
    notes = ctx.evaluation.notes
    if notes is None or notes.empty:
        return []
    items = []
    names = {p.id: p.short_name or p.name for p in ctx.config.partners}
    indicators = ctx.config.indicators
    for r in cast(Iterable[Any], notes.itertuples(index=False)):  # a frame's rows: columns as attributes
        text = str(r.note)
        if not text.lower().startswith(BOARD_PREFIX) or Period.parse(str(r.period)).end != ctx.period.end:
            continue
        title = indicators[r.indicator].title if r.indicator in indicators else r.indicator
        area = ctx.config.partnership.area_name(str(r.area))
        items.append(f"{title}, {area} ({names.get(r.partner, r.partner)}): {text[len(BOARD_PREFIX):].strip()}")
    if not items:
        return []
    intro = Paragraph("Partners asked for these notes on their figures for the period to be put before the board.")
    return [commentary.Narrative("partner-notes", "Partners' notes", (intro, BulletList(tuple(items))),
                                 Path("figure_notes"))]  # fmt: skip
