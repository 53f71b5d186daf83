"""The quarterly public leaflet, its large-print and per-neighbourhood versions, and the poster.

``build(ctx)`` returns ``(stem, Document)`` pairs. Variant options (``ctx.options``):

- ``large_print``: 18pt reflowed text (the large-print stylesheet), same content;
- ``area``: one neighbourhood (id or name) instead of the borough;
- ``each_area``: one leaflet per neighbourhood, all from one evaluation;
- ``poster``: a one-page A4 summary for libraries and clinics.

Tone follows the strategy: crime is lower than people fear, so say so when the figures
show it; when something got worse, say that plainly too, with what is being done. All
figures come from :mod:`reportgen.reports.public_figures`, already protected by
disclosure control.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from reportgen.config.models import Config
from reportgen.document import (
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
from reportgen.errors import LookupFailure
from reportgen.periods import Period
from reportgen.reports import headlines as hl
from reportgen.reports.disclosure import Figure, fewer_than, format_number
from reportgen.reports.public_figures import AreaFigures, Comparison, PublicFigures, public_figures

_ = hl._

KIND = "leaflet"

DEFAULT_ADVICE = (
    _("Lock doors and windows when you go out, even for a few minutes."),
    _("Keep valuables out of sight in your car and at home."),
    _("Get to know your neighbours and look out for each other."),
    _("Join or start a Homewatch scheme in your street."),
)
DEFAULT_REPORTING = (
    _("In an emergency, when a crime is happening or someone is in danger, call 999."),
    _("To report a crime anonymously, call Crimestoppers on 0800 555 111."),
)


# --- small helpers ---------------------------------------------------------------------------
def _options(ctx: Any) -> dict[str, Any]:
    return dict(getattr(ctx, "options", None) or {})


def _publication_date(ctx: Any) -> dt.date:
    as_at = getattr(ctx, "data_as_at", None)
    if isinstance(as_at, dt.datetime):
        return as_at.date()
    if isinstance(as_at, dt.date):
        return as_at
    return dt.date.today()


def find_area(config: Config, wanted: str) -> str:
    """A neighbourhood id from its id or name, ignoring case and spaces."""

    def norm(text: str) -> str:
        return "".join(text.lower().split()).replace("-", "").replace("_", "")

    for area in config.partnership.neighbourhoods:
        if norm(wanted) in (norm(area.id), norm(area.name)):
            return area.id
    known = ", ".join(a.name for a in config.partnership.neighbourhoods)
    raise LookupFailure(f"No neighbourhood called {wanted!r}.", hint=f"Known neighbourhoods: {known}.")


def short_label(period: Period) -> str:
    """'Jan to Mar 2005' for table headings (the full label is in the title)."""
    first = Period(period.start, period.start, period.kind).first_day
    last = period.last_day
    if first.year == last.year:
        return f"{first:%b} to {last:%b %Y}"
    return f"{first:%b %Y} to {last:%b %Y}"


def change_words(current: Figure, previous: Figure, change: Figure) -> str:
    """'Down 12%', 'Up 3%', 'No change', or 'not shown' when either side is protected."""
    if change.suppressed or not (current.shown and previous.shown):
        return _("not shown")
    return hl.headline_value(float(current.value), float(previous.value))  # type: ignore[arg-type]


def verdict_status(current: Figure, previous: Figure, polarity: str) -> Status | None:
    """Glyph and word for a change, so the table never relies on colour alone."""
    if not (current.shown and previous.shown):
        return None
    word = hl.verdict(float(current.value), float(previous.value), polarity)  # type: ignore[arg-type]
    return {"better": Status.ON_TRACK, "worse": Status.RED}.get(word)


def _change_cell(current: Figure, previous: Figure, change: Figure, polarity: str) -> Cell | str:
    text = change_words(current, previous, change)
    status = verdict_status(current, previous, polarity)
    if status is None:
        return text
    # Public words, not RAG jargon: "Better" / "Worse" carry the meaning with the glyph.
    better = status is Status.ON_TRACK
    return Cell(f"{text} ({_('better') if better else _('worse')})", status)


def _targets_for(config: Config, indicator: str) -> list[str]:
    out = []
    for strategy in config.strategies:
        for target in strategy.targets:
            if any(m.indicator == indicator for m in target.measures):
                out.append(target.public_title or target.title)
    return out


# --- sections ----------------------------------------------------------------------------------
def _crime_headlines(figs: PublicFigures, area: AreaFigures, is_borough: bool) -> HeadlineRow | None:
    """Big-number cards; short labels, with the exact period and figures in the detail."""
    cards: list[Headline] = []
    quarter_basis = hl.basis_phrase(figs.period)
    rolling = figs.rolling[0] if figs.rolling else None
    if is_borough and rolling and rolling.current.shown and rolling.previous.shown:
        cur, prev = float(rolling.current.value), float(rolling.previous.value)  # type: ignore[arg-type]
        cards.append(Headline(
            value=hl.headline_value(cur, prev),
            label=_("Crime in the last 12 months"),
            detail=_("{current} offences {basis}, compared with {previous} a year earlier.").format(
                current=format_number(cur), basis=hl.basis_phrase(rolling.period),
                previous=format_number(prev)),
        ))
    if area.crime.shown and area.crime_last_year.shown:
        cur, prev = float(area.crime.value), float(area.crime_last_year.value)  # type: ignore[arg-type]
        cards.append(Headline(
            value=hl.headline_value(cur, prev),
            label=_("Crime in the last 3 months"),
            detail=_("{current} offences {basis}, compared with {previous} a year earlier.").format(
                current=format_number(cur), basis=quarter_basis, previous=format_number(prev)),
        ))
    if area.rate.shown and (not is_borough or len(cards) < 2):
        cards.append(Headline(
            value=area.rate.text,
            label=_("Crimes for every 1,000 people"),
            detail=_("In {place}, {basis}.").format(place=area.area_name, basis=quarter_basis),
        ))
    return HeadlineRow(tuple(cards[:3])) if cards else None


def _headline_sentences(figs: PublicFigures, area: AreaFigures, is_borough: bool) -> list[str]:
    """The lead paragraph: what changed, in words, with the figures behind it."""
    sentences: list[str] = []
    subject = _("Crime") if is_borough else _("Crime in {place}").format(place=area.area_name)
    rolling = figs.rolling[0] if figs.rolling else None
    if is_borough and rolling and rolling.current.shown and rolling.previous.shown:
        cur, prev = float(rolling.current.value), float(rolling.previous.value)  # type: ignore[arg-type]
        sentences.append(hl.change_sentence(subject, cur, prev, hl.OFFENCES,
                                            comparison=_("on the year before")))
    if area.crime.shown and area.crime_last_year.shown:
        cur, prev = float(area.crime.value), float(area.crime_last_year.value)  # type: ignore[arg-type]
        sentences.append(hl.change_sentence(
            _("{subject} {basis}").format(subject=subject, basis=hl.basis_phrase(figs.period)),
            cur, prev, hl.OFFENCES, comparison=_("on the same months last year")))
    elif area.crime.suppressed:
        sentences.append(hl.suppressed_sentence(subject, area.threshold, hl.basis_phrase(figs.period)))
    return sentences


def _reassurance(area: AreaFigures, is_borough: bool) -> str:
    """Fear of crime runs far above the risk: give the risk as a plain number."""
    if not area.rate.shown:
        return _("Most people in our area are never victims of crime. If you are worried, "
                 "talk to us: our contact details are at the end of this leaflet.")
    per_100 = float(area.rate.value) / 10  # type: ignore[arg-type]
    template = _("Many people think crime is more common than it is. Over these three months there "
                 "were about {n} crimes for every 100 people living in {place}.")
    return template.format(n=format_number(per_100, 1 if per_100 < 10 else 0), place=area.area_name)


def _comparison_section(figs: PublicFigures, area: AreaFigures, is_borough: bool, level: int = 1) -> Section:
    basis = hl.basis_phrase(figs.period)
    places = list(figs.comparisons)
    if not is_borough:
        places.insert(0, Comparison(area.area_id, area.area_name, area.rate.safe_value,
                                    area.rate_last_year.safe_value))
    blocks: list[Any] = []
    head = places[0]
    others = [(c.name, c.rate) for c in places[1:] if c.rate is not None]
    if head.rate is not None:
        blocks.append(Paragraph(hl.comparison_sentence(head.name, head.rate, others, basis)))  # type: ignore[arg-type]
    last_year = figs.period.same_period_last_year()
    rows = []
    for c in places:
        now = _("not shown") if c.rate is None else format_number(c.rate, 1)
        then = _("not shown") if c.rate_last_year is None else format_number(c.rate_last_year, 1)
        if c.rate is not None and c.rate_last_year is not None:
            now_f = Figure(c.rate, now)
            then_f = Figure(c.rate_last_year, then)
            change = _change_cell(now_f, then_f, Figure(0.0, ""), "lower_is_better")
        else:
            change = _("not shown")
        rows.append((c.name, then, now, change))
    blocks.append(Table(
        caption=_("Crimes for every 1,000 people"),
        columns=(_("Area"), short_label(last_year), short_label(figs.period), _("Change")),
        rows=tuple(rows),
        column_align=("left", "right", "right", "left"),
    ))
    return Section(_("How we compare"), tuple(blocks), level=level, id="compare")


def _types_section(config: Config, figs: PublicFigures, area: AreaFigures, level: int = 1) -> Section | None:
    if not area.types:
        return None
    last_year = figs.period.same_period_last_year()
    rows = []
    for row in area.types:
        rows.append((row.title, row.previous.text, row.current.text,
                     _change_cell(row.current, row.previous, row.change_pct, row.polarity)))
    rows.append((_("All recorded crime"), area.crime_last_year.text, area.crime.text,
                 _change_cell(area.crime, area.crime_last_year, area.change_pct, "lower_is_better")))
    notes = []
    if any(f.suppressed for r in area.types for f in (r.current, r.previous)):
        notes.append(_("To protect people's privacy we do not publish very small numbers: they are shown "
                       "as \u201cfewer than\u201d a number. Where one figure could be worked out from the "
                       "others, it is marked \u201cnot shown\u201d."))
    blocks: list[Any] = [Table(
        caption=_("Crimes in {place}, {basis}").format(place=area.area_name,
                                                        basis=hl.basis_phrase(figs.period)),
        columns=(_("Type of crime"), short_label(last_year), short_label(figs.period), _("Change")),
        rows=tuple(rows),
        column_align=("left", "right", "right", "left"),
        notes=tuple(notes),
    )]
    worse = [r for r in area.types if r.current.shown and r.previous.shown
             and hl.verdict(float(r.current.value), float(r.previous.value), r.polarity) == "worse"]  # type: ignore[arg-type]
    if worse:
        said = went_up_sentence([(r.title, float(r.current.value), float(r.previous.value))  # type: ignore[arg-type]
                                 for r in worse])
        targets = _targets_for(config, figs.crime_indicator)
        action = (_("cutting crime is the first of our big targets ({target}), and the partnership "
                    "reviews these figures every month to decide where to act.").format(target=targets[0])
                  if targets else "")
        blocks.append(Paragraph(f"{said} {hl.worse_follow_up('', action)}"))
    return Section(_("Crime in detail"), tuple(blocks), level=level, id="detail")


def went_up_sentence(items: list[tuple[str, float, float]]) -> str:
    """One sentence for every crime type that rose: plain, with the size of each rise."""
    if len(items) == 1:
        title, cur, prev = items[0]
        return hl.change_sentence(title, cur, prev, hl.OFFENCES, comparison=_("on the same months last year"))
    parts = [_("{title} (up {pct}%, {amount} more)").format(
        title=title if n == 0 else title[0].lower() + title[1:],
        pct=hl.public_percent((cur - prev) / prev * 100), amount=hl.public_amount(cur - prev))
        for n, (title, cur, prev) in enumerate(items)]
    template = _("Some crimes went up on the same months last year: {items}.")
    return template.format(items=_("{first} and {last}").format(first=", ".join(parts[:-1]), last=parts[-1]))


def _advice_section(config: Config, level: int = 1) -> Section:
    advice = config.partnership.public_advice or DEFAULT_ADVICE
    return Section(_("What you can do"), (BulletList(tuple(advice)),), level=level, id="advice")


def _report_section(config: Config, level: int = 1) -> Section:
    lines = config.partnership.report_crime or DEFAULT_REPORTING
    return Section(_("How to report a crime"), (BulletList(tuple(lines)),), level=level, id="report")


def partner_contacts(config: Config, limit: int | None = None) -> list[tuple[str, str]]:
    """(organisation, phone) for each partner with a public phone number, in config order."""
    rows = []
    for partner in config.partners:
        for c in partner.contacts:
            if c.phone:
                rows.append((partner.name if not c.name or c.name == partner.name else f"{partner.name}: {c.name}",
                             c.phone))
                break
    return rows[:limit] if limit else rows


def formats_line(config: Config) -> str:
    phone = config.partnership.alternative_formats_phone or config.partnership.contact.phone
    return _("This leaflet is available in large print, Braille, audio and translation. "
             "Please ring {phone}.").format(phone=phone)


def _contacts_section(config: Config, limit: int | None, level: int = 1) -> Section:
    """Who to call, as one compact table: the partnership first, then partners."""
    own = config.partnership.contact
    rows = [(own.name, own.phone)] if own.phone else []
    rows += partner_contacts(config, limit)
    blocks: list[Any] = []
    if rows:
        blocks.append(Table(
            caption=_("Phone numbers"),
            columns=(_("Who"), _("Phone")),
            rows=tuple(rows),
            column_align=("left", "left"),
        ))
    online = [x for x in (own.email, own.web) if x]
    if online:
        blocks.append(Paragraph(_("Email or visit us online: {where}.").format(where=" \u00b7 ".join(online))))
    if own.address:
        blocks.append(Paragraph(_("Write to us: {address}.").format(address=own.address)))
    blocks.append(_formats_callout(config))
    return Section(_("Contact us"), tuple(blocks), level=level, id="contact")


def _formats_callout(config: Config) -> Callout:
    return Callout(_("Other formats and languages"), formats_line(config), kind="info")


# --- documents -----------------------------------------------------------------------------------
def _document(ctx: Any, figs: PublicFigures, title: str, subtitle: str, sections: Iterable[Section],
              variant: str) -> Document:
    config: Config = ctx.config
    p = config.partnership
    return Document(
        kind=KIND,
        title=title,
        subtitle=subtitle,
        partnership=p.name,
        period_label=figs.period.label,
        date=_publication_date(ctx),
        sections=tuple(sections),
        variant=variant,
        keywords=(_("community safety"), _("crime figures"), figs.period.label),
        notice=p.notice or None,
        # The formats offer has its own section; large print repeats it on the last page.
        footer_text=formats_line(config) if variant == "large-print" else "",
    )


def leaflet_document(ctx: Any, figs: PublicFigures, area_id: str | None = None, *, large_print: bool = False
                     ) -> Document:
    """The two-sided leaflet for the borough, or for one neighbourhood."""
    config: Config = ctx.config
    is_borough = area_id is None
    area = figs.borough if is_borough else figs.area(area_id)  # type: ignore[arg-type]
    place = area.area_name
    headline_blocks: list[Any] = []
    cards = _crime_headlines(figs, area, is_borough)
    if cards:
        headline_blocks.append(cards)
    sentences = _headline_sentences(figs, area, is_borough)
    if sentences:
        headline_blocks.append(Paragraph(" ".join(sentences)))
    headline_blocks.append(Paragraph(_reassurance(area, is_borough)))
    if not is_borough:
        spec = next(a for a in config.partnership.neighbourhoods if a.id == area_id)
        if spec.priority:
            headline_blocks.append(Paragraph(_(
                "{place} is one of the partnership's priority neighbourhoods: we are putting more time, "
                "staff and action into making it safer.").format(place=place)))
    sections = [
        Section(_("The headlines"), tuple(headline_blocks), id="headlines"),
        _comparison_section(figs, area, is_borough),
    ]
    detail = _types_section(config, figs, area)
    if detail:
        sections.append(detail)
    sections += [
        _advice_section(config),
        _report_section(config),
        _contacts_section(config, limit=None if large_print else 5),
    ]
    title = _("Community safety in {place}").format(place=place)
    # The period is already in the masthead; the standard leaflet saves the line for figures.
    subtitle = _("Your quarterly update on crime") if large_print else ""
    return _document(ctx, figs, title, subtitle, sections, "large-print" if large_print else "standard")


def poster_document(ctx: Any, figs: PublicFigures, area_id: str | None = None) -> Document:
    """One A4 page for noticeboards: the headline, how we compare, how to report, who to call."""
    config: Config = ctx.config
    is_borough = area_id is None
    area = figs.borough if is_borough else figs.area(area_id)  # type: ignore[arg-type]
    blocks: list[Any] = []
    cards = _crime_headlines(figs, area, is_borough)
    if cards:
        blocks.append(HeadlineRow(cards.headlines[:2]))
    sentences = _headline_sentences(figs, area, is_borough)
    if sentences:
        blocks.append(Paragraph(sentences[0]))
    basis = hl.basis_phrase(figs.period)
    others = [(c.name, c.rate) for c in figs.comparisons if c.area_id != area.area_id and c.rate is not None]
    if area.rate.shown:
        blocks.append(Paragraph(hl.comparison_sentence(area.area_name, float(area.rate.value), others,  # type: ignore[arg-type]
                                                       basis)))
    lines = config.partnership.report_crime or DEFAULT_REPORTING
    contact = config.partnership.contact
    sections = [
        Section(_("The headlines"), tuple(blocks), id="headlines"),
        Section(_("Report a crime"), (BulletList(tuple(lines[:3])),), id="report"),
        Section(_("Find out more"), (
            Paragraph(_("**{name}**: phone {phone}{email}.").format(
                name=contact.name, phone=contact.phone,
                email=_(", email {email}").format(email=contact.email) if contact.email else "")),
            Paragraph(formats_line(config)),
        ), id="contact"),
    ]
    rolling = figs.rolling[0] if figs.rolling else None
    if (is_borough and rolling and rolling.current.shown and rolling.previous.shown
            and float(rolling.current.value) < float(rolling.previous.value)):  # type: ignore[arg-type]
        title = _("Crime is falling in {place}").format(place=area.area_name)
    elif (area.crime.shown and area.crime_last_year.shown
          and float(area.crime.value) < float(area.crime_last_year.value)):  # type: ignore[arg-type]
        title = _("Crime is down in {place}").format(place=area.area_name)
    else:
        title = _("Crime in {place}: the latest figures").format(place=area.area_name)
    subtitle = _("Community safety update for {period}").format(period=figs.period.label)
    return _document(ctx, figs, title, subtitle, sections, "poster")


def figures(ctx: Any) -> PublicFigures:
    """The protected figures for ``ctx``, worked out once and kept on the context so
    ``build`` and ``summarise`` (and every area's leaflet) share one computation."""
    cached = getattr(ctx, "_public_figures", None)
    if cached is None:
        cached = public_figures(ctx.config, ctx.evaluation, ctx.period, _options(ctx))
        ctx._public_figures = cached
    return cached


def stem_for(area_id: str | None, *, large_print: bool, poster: bool) -> str:
    stem = "poster" if poster else "leaflet"
    if area_id:
        stem += f"-{area_id}"
    if large_print and not poster:
        stem += "-large-print"
    return stem


def build(ctx: Any) -> list[tuple[str, Document]]:
    """Leaflets for ``ctx.period`` (a quarter) in the variant ``ctx.options`` asks for."""
    options = _options(ctx)
    config: Config = ctx.config
    figs = figures(ctx)
    large_print = bool(options.get("large_print"))
    poster = bool(options.get("poster"))
    if options.get("each_area"):
        area_ids: list[str | None] = [a.id for a in config.partnership.neighbourhoods]
    elif options.get("area"):
        area_ids = [find_area(config, str(options["area"]))]
    else:
        area_ids = [None]
    out: list[tuple[str, Document]] = []
    for area_id in area_ids:
        if poster:
            doc = poster_document(ctx, figs, area_id)
        else:
            doc = leaflet_document(ctx, figs, area_id, large_print=large_print)
        out.append((stem_for(area_id, large_print=large_print, poster=poster), doc))
    return out


def summary_line(area: AreaFigures) -> str:
    """'Hindley: 312 offences (Jan to Mar 2005), down 8% on a year earlier; 2 figures protected'."""
    hidden = sum(1 for r in area.types for f in (r.current, r.previous) if f.suppressed)
    protected = ngettext_protected(hidden)
    if not area.change_pct.shown:
        return f"{area.area_name}: {area.crime.text} offences, change not shown; {protected}"
    change = change_words(area.crime, area.crime_last_year, area.change_pct)
    return f"{area.area_name}: {area.crime.text} offences, {change.lower()} on a year earlier; {protected}"


def ngettext_protected(n: int) -> str:
    return hl.ngettext("{n} figure protected", "{n} figures protected", n).format(n=n)


def summarise(ctx: Any) -> tuple[list[str], list[str]]:
    """One line per document's area for the run summary; exceptions are areas whose own
    crime total had to be withheld (their leaflet says less than usual)."""
    options = _options(ctx)
    figs = figures(ctx)
    if options.get("each_area"):
        areas = list(figs.areas.values())
    elif options.get("area"):
        areas = [figs.area(find_area(ctx.config, str(options["area"])))]
    else:
        areas = [figs.borough]
    lines = [summary_line(a) for a in areas]
    exceptions = [f"{a.area_name}: crime total withheld ({a.crime.text})" for a in areas if not a.crime.shown]
    return lines, exceptions


__all__ = ["build", "fewer_than", "figures", "leaflet_document", "poster_document", "stem_for", "summarise"]
