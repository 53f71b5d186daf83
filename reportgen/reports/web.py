"""The monthly web page: how the partnership is doing, month by month, against its targets.

One static, self-contained HTML file (``reportgen run web --period 2005-03``): styles
inline, charts as inline SVG, no scripts, no fonts or images fetched, so it can be copied to
any web server or opened from a folder. Links to the latest public leaflet and board pack are
relative, within the output folder the pipeline writes::

    outputs/
      web/2005-03/index.html                      this page
      leaflet/2005-Q1/leaflet.pdf                 the latest quarterly leaflet (its quarter
      leaflet/2005-Q1/leaflet-large-print.pdf       is the last one ending by the month's end)
      board-pack/2005-03/board-pack-2005-03.pdf   the month's board pack

so from ``web/<month>/index.html`` they are ``../../leaflet/<quarter>/leaflet.pdf`` and
``../../board-pack/<month>/board-pack-<month>.pdf``. Publishing the whole ``outputs/``
folder (or mirroring that layout) keeps every link working.

Everything is borough-level; counts still pass the indicators' small-number thresholds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from reportgen.config.models import Config
from reportgen.document import (
    BulletList,
    Callout,
    Cell,
    Chart,
    Document,
    Headline,
    HeadlineRow,
    Paragraph,
    Section,
    Table,
)
from reportgen.periods import Kind, Period
from reportgen.reports import headlines as hl
from reportgen.reports.base import ReportContext, status_cell
from reportgen.reports.disclosure import Figure, count_figure, format_number
from reportgen.reports.leaflet import About, card_change, change_cell, formats_line, partner_contacts
from reportgen.reports.public_figures import crime_indicator
from reportgen.reports.statements import Basis, Comparison

_ = hl._

KIND = "web"
STEM = "index"


# --- where things are published ------------------------------------------------------------------
def latest_quarter(month: Period) -> Period:
    """The last calendar quarter that has ended by the end of ``month``."""
    quarter = Period.of_kind_at(Kind.QUARTER, month.end)
    return quarter if quarter.end == month.end else quarter.previous()


def folder(period: Period) -> str:
    return period.key.replace("/", "_")


def leaflet_href(month: Period, *, large_print: bool = False) -> str:
    name = "leaflet-large-print.pdf" if large_print else "leaflet.pdf"
    return f"../../leaflet/{folder(latest_quarter(month))}/{name}"


def board_pack_href(month: Period) -> str:
    return f"../../board-pack/{folder(month)}/board-pack-{month.key}.pdf"


# --- figures ---------------------------------------------------------------------------------------
def _value(series: pd.Series, key: str) -> float | None:
    if key not in series.index or pd.isna(series.loc[key]):
        return None
    return float(series.loc[key])


def _sum(series: pd.Series, months: list[Period]) -> float | None:
    values = [_value(series, m.key) for m in months]
    known = [v for v in values if v is not None]
    return float(sum(known)) if len(known) == len(values) else None


def _months(end: int, n: int) -> list[Period]:
    return [Period(i, i, Kind.MONTH) for i in range(end - n + 1, end + 1)]


def _threshold(config: Config, indicator: str) -> int:
    return int(getattr(config.indicators[indicator], "small_number_threshold", 0) or 0)


def _glance(ctx: ReportContext, crime: str, monthly: pd.Series) -> Section:
    month = ctx.period
    limit = _threshold(ctx.config, crime)
    year_now = _sum(monthly, _months(month.end, 12))
    year_before = _sum(monthly, _months(month.end - 12, 12))
    now, before = _value(monthly, month.key), _value(monthly, month.shift(-12).key)
    cards: list[Headline] = []
    sentences: list[str] = []
    title = ctx.config.indicators[crime].label
    if year_now is not None and year_before is not None and year_before > 0:
        about = About(ctx.statements, crime, title, ctx.borough, month.rolling_12(), Basis.ROLLING_12)
        year = card_change(about, count_figure(year_now, limit), count_figure(year_before, limit))
        cards.append(Headline(
            value=year.change_text,
            label=_("Crime in the last 12 months"),
            detail=_("{current} offences {basis}, against {previous} a year earlier.").format(
                current=year.value_text, basis=hl.basis_phrase(month.rolling_12()), previous=year.compare_text),
        ))
        sentences.append(hl.change_sentence(_("Crime"), year.value, year.compare_value, hl.OFFENCES,  # type: ignore[arg-type]
                                            comparison=_("on the year before")))
    if now is not None and before is not None and count_figure(now, limit).shown and before > 0:
        about = About(ctx.statements, crime, title, ctx.borough, month, Basis.MONTH)
        this_month = card_change(about, count_figure(now, limit), count_figure(before, limit))
        cards.append(Headline(
            value=this_month.change_text,
            label=_("Crime in {month}").format(month=month.label),
            detail=_("{current} offences, against {previous} in {last}.").format(
                current=this_month.value_text, previous=this_month.compare_text, last=month.shift(-12).label),
        ))
    targets = _targets(ctx)
    if not targets.empty:
        good = int(targets["status"].isin(["met", "on_track"]).sum())
        cards.append(Headline(
            value=_("{good} of {total}").format(good=good, total=len(targets)),
            label=_("Big targets met or on track"),
            detail=_("See the table below for each target."),
        ))
    blocks: list[Any] = []
    if cards:
        blocks.append(HeadlineRow(tuple(cards)))
    if sentences:
        blocks.append(Paragraph(" ".join(sentences)))
    blocks.append(Paragraph(_("Many people think crime is more common than it is. These pages show the real "
                              "figures each month, so you can see for yourself.")))
    return Section(_("At a glance"), tuple(blocks), id="glance")


def _current_strategy(ctx: ReportContext) -> Any:
    from reportgen.reports.parts import current_strategy

    return current_strategy(ctx)


def _targets(ctx: ReportContext) -> pd.DataFrame:
    strategy = _current_strategy(ctx)
    targets = ctx.evaluation.targets
    if strategy is None or targets.empty:
        return targets.iloc[0:0]
    return targets[targets["strategy"] == strategy.id].sort_values("number")


def _target_latest(ctx: ReportContext, strategy: Any, target: pd.Series) -> str:
    """What the target's figures say, in a few words."""
    spec = next((t for t in strategy.targets if t.id == target["id"]), None)
    measures = [m for m in spec.measures if not m.monitor_only] if spec else []
    if len(measures) == 1:
        rows = ctx.indicator_rows(strategy=strategy.id)
        rows = rows[(rows["target"] == target["id"]) & (rows["id"] == measures[0].indicator)]
        if not rows.empty:
            statement = ctx.statements.about(rows.iloc[0], Comparison.BASELINE)
            if statement.change_label and statement.compare_period:
                # a change the tests cannot tell from chance is said to be so, as the board pack does
                words = (_("{change} since {baseline}, which could be chance") if statement.direction == "similar"
                         else _("{change} since {baseline}"))
                return words.format(change=ctx.statements.say_change(statement), baseline=statement.compare_period)
    n, improved = target.get("n_measures"), target.get("n_improved")
    if n is not None and not pd.isna(n) and int(n) > 0:
        return hl.ngettext("{improved} of {n} measure improving", "{improved} of {n} measures improving",
                           int(n)).format(improved=int(improved or 0), n=int(n))
    return _("No data yet")


def _targets_section(ctx: ReportContext) -> Section | None:
    strategy = _current_strategy(ctx)
    targets = _targets(ctx)
    if strategy is None or targets.empty:
        return None
    rows = []
    for _index, target in targets.iterrows():
        title = str(target.get("public_title") or "") or str(target["title"])
        rows.append((f"{int(target['number'])}. {title}", status_cell(target["status"]),
                     _target_latest(ctx, strategy, target)))
    table = Table(
        caption=_("Our big targets for {years}, as at {month}").format(
            years=f"{strategy.baseline.label} to {strategy.target.label}", month=ctx.period.label),
        columns=(_("Target"), _("Progress"), _("What the figures show")),
        rows=tuple(rows),
        column_align=("left", "left", "left"),
        notes=(_("Each target compares the latest figures with {baseline}, the year the targets were set "
                 "from. \u201cOn track\u201d means on course to meet the target by {target}.").format(
                     baseline=strategy.baseline.label, target=strategy.target.label),),
    )
    blocks: list[Any] = [Paragraph(_("The partnership has set itself {n} big targets. This is where each "
                                     "one stands this month.").format(n=len(rows))), table]
    return Section(_("How we are doing against our targets"), tuple(blocks), id="targets")


def _charts(ctx: ReportContext, crime: str) -> list[Chart]:
    """Progress towards the crime target, and each month against its usual range, titled
    and captioned for the public (drawn once per run by the chart book)."""
    from reportgen.charts.spc_chart import spc_chart
    from reportgen.charts.trajectory import trajectory_chart
    from reportgen.reports.parts import lead_measure
    from reportgen.reports.series import compare_series, monthly

    charts: list[Chart] = []
    strategy = _current_strategy(ctx)
    rows = ctx.indicator_rows()
    if strategy is not None:
        first = min(strategy.targets, key=lambda t: t.number)
        lead = lead_measure(first)
        hit = rows[(rows["strategy"] == strategy.id) & (rows["id"] == lead)] if lead else rows.iloc[0:0]
        if not hit.empty and not pd.isna(hit.iloc[0]["baseline_value"]) and not pd.isna(hit.iloc[0]["target_value"]):
            row = hit.iloc[0]
            target_title = str(first.public_title or first.title)

            caption = _("The dashed line is the straight path from {baseline} to the target in {target}; "
                        "the solid line is what has happened so far.").format(
                            baseline=row["baseline_period"], target=row["target_period"])
            if str(row["id"]) != crime:
                title = str(ctx.config.indicators[str(row["id"])].title)
                caption += " " + _("The target counts {title}.").format(title=title[0].lower() + title[1:])

            def draw_target():  # noqa: ANN202 - a ChartDraft
                series, basis = compare_series(ctx.evaluation, str(row["id"]), str(row["area"]), ctx.period)
                start = Period.parse(str(row["baseline_period"])).end
                series = series[[Period.parse(k).end >= start for k in series.index]]
                return trajectory_chart(
                    series,
                    title=_("Our target to {target}: where we are").format(
                        target=target_title[0].lower() + target_title[1:]),
                    measure=_("Crimes ({basis})").format(basis=basis) if basis else _("Crimes"),
                    baseline=(str(row["baseline_period"]), float(row["baseline_value"])),
                    target=(str(row["target_period"]), float(row["target_value"])),
                    basis=basis,
                    polarity=str(row["polarity"]),
                    caption=caption,
                    source=_("police recorded crime"),
                )

            key = f"web-trajectory-{row['id']}-{row['target_period']}-{ctx.period.key}"
            charts.append(ctx.charts.get(key, draw_target))
    month = Period(ctx.period.end, ctx.period.end, Kind.MONTH)
    values = monthly(ctx.evaluation, crime, ctx.config.partnership.borough.id, month)
    if len(values) >= 12:
        def draw_months():  # noqa: ANN202
            return spc_chart(
                values,
                title=_("All crime each month, against its usual range"),
                measure=_("Crimes each month"),
                polarity="lower_is_better",
                caption=_("The middle line is the average of the last two years and the dashed lines the "
                          "usual range around it. Months marked as special were unusually low (better) "
                          "or high (worse)."),
                source=_("police recorded crime"),
                rebase=ctx.config.indicator(crime).spc_rebase,
                public=True,
            )

        charts.append(ctx.charts.get(f"web-spc-{crime}-{month.key}", draw_months))
    return charts


def _monthly_section(ctx: ReportContext, crime: str, monthly: pd.Series) -> Section:
    month = ctx.period
    limit = _threshold(ctx.config, crime)
    rows = []
    for m in _months(month.end, 12):
        now = count_figure(_value(monthly, m.key), limit)
        then = count_figure(_value(monthly, m.shift(-12).key), limit)
        about = About(ctx.statements, crime, ctx.config.indicators[crime].label, ctx.borough, m, Basis.MONTH)
        rows.append((m.label, then.text, now.text, _change(now, then, about)))
    table = Table(
        caption=_("All crime each month for the last 12 months, against the same month a year earlier"),
        columns=(_("Month"), _("A year earlier"), _("This year"), _("Change")),
        rows=tuple(rows),
        column_align=("left", "right", "right", "left"),
    )
    blocks: list[Any] = [*_charts(ctx, crime), table]
    return Section(_("Crime month by month"), tuple(blocks), id="monthly")


def _change(now: Figure, then: Figure, about: About) -> str | Cell:
    """A change cell, from the figures' statement (recorded as said): 'Down 5% (better)' only
    when the change is beyond chance (docs/statistics.md), else the words alone."""
    if not (now.shown and then.shown) or not then.value:
        return _("not shown")
    counts = not about.measure.endswith("_per_1000")  # rates compare as before: by their rounded change
    return change_cell(now, then, Figure(0.0, ""), "lower_is_better", counts=counts, about=about)


def _compare_section(ctx: ReportContext, crime: str) -> Section | None:
    partnership = ctx.config.partnership
    month = ctx.period
    places = [(partnership.borough.id, partnership.borough.name, partnership.borough.population)]
    places += [(c.id, c.name, c.population) for c in partnership.comparators]
    rows, rates = [], []
    for area_id, name, population in places:
        series = ctx.evaluation.series(crime, area=area_id, kind=Kind.MONTH)
        now, then = _value(series, month.key), _value(series, month.shift(-12).key)
        if now is None:
            continue
        rate_now = now / population * 1000
        rate_then = None if then is None else then / population * 1000
        rates.append((name, rate_now))
        change: str | Cell = _("not shown")
        if rate_then:
            about = About(ctx.statements, f"{crime}_per_1000", _("Crimes for every 1,000 people"), area_id, month,
                          Basis.MONTH)
            now_f, then_f = Figure(rate_now, format_number(rate_now, 1)), Figure(rate_then, format_number(rate_then, 1))
            change = _change(now_f, then_f, about)
        rows.append((name, "" if rate_then is None else format_number(rate_then, 1),
                     format_number(rate_now, 1), change))
    if len(rows) < 2:
        return None
    sentence = hl.comparison_sentence(rates[0][0], rates[0][1], rates[1:], hl.basis_phrase(month))
    table = Table(
        caption=_("Crimes for every 1,000 people in {month}").format(month=month.label),
        columns=(_("Area"), month.shift(-12).label, month.label, _("Change")),
        rows=tuple(rows),
        column_align=("left", "right", "right", "left"),
    )
    return Section(_("How we compare"), (Paragraph(sentence), table), id="compare")


def _documents_section(ctx: ReportContext) -> Section:
    month = ctx.period
    quarter = latest_quarter(month)
    items = (
        _("[Quarterly leaflet for {quarter} (PDF)]({href})").format(quarter=quarter.label,
                                                                    href=leaflet_href(month)),
        _("[The same leaflet in large print (PDF)]({href})").format(href=leaflet_href(month, large_print=True)),
        _("[Board report for {month}: every target and measure in detail (PDF)]({href})").format(
            month=month.label, href=board_pack_href(month)),
    )
    return Section(_("Read the full reports"), (BulletList(items),), id="reports")


def _contact_section(ctx: ReportContext) -> Section:
    config = ctx.config
    own = config.partnership.contact
    lines = [f"**{own.name}**: {own.phone}" if own.phone else f"**{own.name}**"]
    lines += [f"{name}: {phone}" for name, phone in partner_contacts(config, 4)]
    if own.email:
        lines.append(_("Email: {email}").format(email=own.email))
    report = config.partnership.report_crime
    blocks: list[Any] = []
    if report:
        blocks.append(Paragraph(_("**To report a crime:** {how}").format(how=" ".join(report[:2]))))
    offer = formats_line(config, web=True)  # empty without a number to ring: left out
    blocks += [BulletList(tuple(lines))]
    if offer:
        blocks.append(Callout(_("Other formats and languages"), offer))
    return Section(_("Contact us"), tuple(blocks), id="contact")


def _publication_date(ctx: Any) -> dt.date:
    document_date = getattr(ctx, "document_date", None)
    if isinstance(document_date, dt.date):
        return document_date
    return ctx.period.last_day


def build(ctx: ReportContext) -> list[tuple[str, Document]]:
    """The web page for ``ctx.period`` (a month) as one document, file stem 'index'."""
    cached = getattr(ctx, "_web_documents", None)
    if cached is None:
        cached = [(STEM, _page(ctx))]
        ctx._web_documents = cached  # type: ignore[attr-defined]  # this run's page, kept on its context
    return cached


def _page(ctx: ReportContext) -> Document:
    config = ctx.config
    crime = crime_indicator(config, dict(ctx.options or {}))
    borough = config.partnership.borough
    monthly = ctx.evaluation.series(crime, area=borough.id, kind=Kind.MONTH)
    sections = [s for s in (
        _glance(ctx, crime, monthly),
        _targets_section(ctx),
        _monthly_section(ctx, crime, monthly),
        _compare_section(ctx, crime),
        _documents_section(ctx),
        _contact_section(ctx),
    ) if s is not None]
    return Document(
        kind=KIND,
        title=_("How we are doing: community safety in {place}").format(place=borough.name),
        subtitle=_("Crime and our targets, month by month"),
        partnership=config.partnership.name,
        period_label=ctx.period.label,
        date=_publication_date(ctx),
        sections=tuple(sections),
        variant="web",
        keywords=(_("community safety"), _("crime figures"), ctx.period.label),
        notice=config.partnership.notice or None,
        footer_text=_("Figures are for {place}, {month}. Updated every month.").format(
            place=borough.name, month=ctx.period.label),
        toc=True,
        contents_title=_("On this page"),
        statements=ctx.statements.take(),
    )


def summarise(ctx: ReportContext) -> tuple[list[str], list[str]]:
    """The run summary: what the page leads with."""
    docs = build(ctx)
    lines = []
    for block in docs[0][1].sections[0].blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
            break
    return lines, []
