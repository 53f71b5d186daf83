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

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterable
from typing import Any, Literal

from reportgen.charts.qr import qr_code, web_url
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
    Table,
)
from reportgen.errors import LookupFailure
from reportgen.evaluate.significance import count_change_significant
from reportgen.i18n import N_, _, current
from reportgen.periods import Period
from reportgen.reports import headlines as hl
from reportgen.reports.disclosure import Figure, change_pct_figure, fewer_than, format_number
from reportgen.reports.public_figures import AreaFigures, Comparison, PublicFigures, public_figures
from reportgen.reports.statements import Basis, Statement, StatementBook, judge_pair, pair_cell, pair_statement

log = logging.getLogger(__name__)

KIND = "leaflet"
# What fits on two A4 sides at 14pt beside the figures; large print has room for all.
ADVICE_LINES = 3
PARTNER_LINES = 2


@dataclasses.dataclass(frozen=True)
class Trim:
    """How much of the optional text the two-sided leaflet keeps (large print keeps all)."""

    advice: int | None = ADVICE_LINES
    partners: int | None = PARTNER_LINES
    rises: int = 3  # crime types named in the "went up" sentence


# Tried in turn until the standard leaflet lays out on two A4 sides.
TRIMS = (Trim(), Trim(advice=2, rises=2), Trim(advice=2, partners=1, rises=1), Trim(advice=1, partners=0, rises=1))
FULL = Trim(advice=None, partners=None, rises=3)
PAGES = 2

DEFAULT_ADVICE = (
    N_("Lock doors and windows when you go out, even for a few minutes."),
    N_("Keep valuables out of sight in your car and at home."),
    N_("Get to know your neighbours and look out for each other."),
    N_("Join or start a Homewatch scheme in your street."),
)
DEFAULT_REPORTING = (
    N_("In an emergency, when a crime is happening or someone is in danger, call 999."),
    N_("To report a crime anonymously, call Crimestoppers on 0800 555 111."),
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
    lang = current()
    if lang.code != "en":
        return lang.period_label(period)
    if first.year == last.year:
        return f"{first:%b} to {last:%b %Y}"
    return f"{first:%b %Y} to {last:%b %Y}"


def column_label(period: Period) -> str:
    """A table column for a quarter: just the year when the caption names the months."""
    first, last = period.first_day, period.last_day
    return str(first.year) if first.year == last.year else short_label(period)


def months_label(period: Period) -> str:
    """'January to March' (no year): the caption part shared by this year's and last year's columns."""
    first, last = period.first_day, period.last_day
    lang = current()
    if first.year != last.year:
        return lang.period_label(period)
    if lang.code != "en":
        return _("{first} to {last}").format(first=lang.month(first), last=lang.month(last))
    return _("{first} to {last}").format(first=f"{first:%B}", last=f"{last:%B}")


def change_words(current: Figure, previous: Figure, change: Figure) -> str:
    """'Down 12%', 'Up 3%', 'No change'; 'not shown' only when either side is withheld for
    privacy, else why there is no change to give (no figure, or none a year earlier). The words
    are the statements layer's (:func:`~reportgen.reports.statements.judge_pair`)."""
    words, _direction, missing = judge_pair(current, previous, "contextual", counts=False)
    if missing is None and change.suppressed:
        return _("not shown")
    return words


@dataclasses.dataclass(frozen=True)
class About:
    """What a pair of published figures is about, so the statement book words it once per run
    and records it: the measure, its public title, the area, the period and its basis."""

    book: StatementBook | None
    measure: str
    title: str
    area: str
    period: Period
    basis: Basis

    def statement(self, now: Figure, then: Figure, polarity: str, *, counts: bool) -> Statement:
        if self.book is None:
            return pair_statement(self.measure, self.title, self.area, self.period, self.basis, now, then,
                                  polarity, counts=counts)
        return self.book.compare(self.measure, self.title, self.area, self.period, self.basis, now, then,
                                 polarity, counts=counts)


def change_cell(
    current: Figure, previous: Figure, change: Figure, polarity: str, *, counts: bool = False,
    about: About | None = None,
) -> Cell | str:
    """A table's change cell, from the figures' statement: 'Down 12% (better)' with a glyph when
    the change is beyond chance; 8 -> 9 offences is 'Up 13%' alone (docs/statistics.md)."""
    if change.suppressed and current.shown and previous.shown:
        return _("not shown")
    about = about or About(None, "", "", "", Period.parse("2000-01"), Basis.QUARTER)
    statement = about.statement(current, previous, polarity, counts=counts)
    return pair_cell(statement) if about.book is None else about.book.say_cell(statement)


def _targets_for(config: Config, indicator: str | None) -> list[str]:
    """Public titles of the big targets measuring ``indicator``, newest strategy first."""
    out: list[str] = []
    for strategy in sorted(config.strategies, key=lambda s: s.target.end, reverse=True):
        for target in strategy.targets:
            if any(m.indicator == indicator for m in target.measures):
                out.append(_(target.public_title or target.title))
    return out


def card_change(about: About, now: Figure, then: Figure) -> Statement:
    """The statement behind a big-number card ('Down 13%'), its change recorded as said: the
    evaluation's own statement when the card shows its very figures, so every document says the
    same. Statements are worded in English; a translated leaflet's words speak its language."""
    statement = about.statement(now, then, "lower_is_better", counts=True)
    if about.book is not None and statement.change_label:
        about.book.say_change(statement)
        about.book.say_figures(statement)
    return statement


# --- sections ----------------------------------------------------------------------------------
def _about_crime(figs: PublicFigures, area: AreaFigures, book: StatementBook | None, *, rolling: bool) -> About:
    """All crime in ``area``: the 12 months to the quarter's end, or the quarter itself."""
    if rolling:
        return About(book, figs.crime_indicator, figs.crime_title, area.area_id, figs.rolling[0].period,
                     Basis.ROLLING_12)
    return About(book, figs.crime_indicator, figs.crime_title, area.area_id, figs.period, Basis.QUARTER)


def _crime_statements(
    figs: PublicFigures, area: AreaFigures, is_borough: bool, book: StatementBook | None
) -> tuple[Statement | None, Statement | None]:
    """(the borough's 12 months, the area's quarter): the statements the cards and sentences say."""
    rolling = figs.rolling[0] if figs.rolling else None
    year = None
    if is_borough and rolling and rolling.current.shown and rolling.previous.shown:
        year = card_change(_about_crime(figs, area, book, rolling=True), rolling.current, rolling.previous)
    quarter = None
    if area.crime.shown and area.crime_last_year.shown:
        quarter = card_change(_about_crime(figs, area, book, rolling=False), area.crime, area.crime_last_year)
    return year, quarter


def _crime_headlines(
    figs: PublicFigures, area: AreaFigures, is_borough: bool, book: StatementBook | None = None
) -> HeadlineRow | None:
    """Big-number cards; short labels, with the exact period and figures in the detail."""
    cards: list[Headline] = []
    quarter_basis = hl.basis_phrase(figs.period)
    year, quarter = _crime_statements(figs, area, is_borough, book)
    if year is not None:
        cards.append(Headline(
            value=year.change_text,
            label=_("Crime in the last 12 months"),
            detail=_("{current} offences {basis}, against {previous} a year earlier.").format(
                current=year.value_text, basis=hl.basis_phrase(figs.rolling[0].period),
                previous=year.compare_text),
        ))
    if quarter is not None:
        cards.append(Headline(
            value=quarter.change_text,
            label=_("Crime in the last 3 months"),
            detail=_("{current} offences {basis}, against {previous} a year earlier.").format(
                current=quarter.value_text, basis=quarter_basis, previous=quarter.compare_text),
        ))
    if area.rate.shown and (not is_borough or len(cards) < 2):
        cards.append(Headline(
            value=area.rate.text,
            label=_("Crimes for every 1,000 people"),
            detail=_("In {place}, {basis}.").format(place=_(area.area_name), basis=quarter_basis),
        ))
    return HeadlineRow(tuple(cards[:3])) if cards else None


def _headline_sentences(
    figs: PublicFigures, area: AreaFigures, is_borough: bool, book: StatementBook | None = None
) -> list[str]:
    """The lead paragraph: what changed, in words, with the figures behind it (the statements'
    figures; "worse" only where the statement found the change beyond chance)."""
    sentences: list[str] = []
    subject = _("Crime") if is_borough else _("Crime in {place}").format(place=_(area.area_name))
    year, quarter = _crime_statements(figs, area, is_borough, book)
    said, comparison = (year, _("on the year before")) if year is not None else (
        quarter, _("on the same months last year"))
    if said is not None:
        sentences.append(hl.change_sentence(subject, said.value, said.compare_value, hl.OFFENCES,  # type: ignore[arg-type]
                                            comparison=comparison))
        if said.direction == "worsening":
            sentences.append(_rise_follow_up())
    elif area.crime.suppressed:
        sentences.append(hl.suppressed_sentence(subject, area.threshold, hl.basis_phrase(figs.period)))
    return sentences


def _rise_follow_up() -> str:
    """Said straight after a rise in crime: that it is worse, and what is being done."""
    return _("That is worse than last year. The partnership reviews these figures every month and "
             "targets its work where crime is rising.")


def _reassurance(area: AreaFigures) -> str:
    """Fear of crime runs far above the risk: give the risk as a plain number."""
    if not area.rate.shown:
        return _("If you are worried about crime, talk to us: our phone numbers are in this leaflet.")
    per_100 = area.rate.number / 10
    template = _("Many people think crime is more common than it is: over these three months there "
                 "were about {n} crimes for every 100 people in {place}.")
    return template.format(n=format_number(per_100, 1 if per_100 < 10 else 0), place=_(area.area_name))


def _comparison_section(figs: PublicFigures, area: AreaFigures, is_borough: bool, level: int = 1,
                        with_table: bool = True, book: StatementBook | None = None) -> Section:
    """The rate per 1,000 against the borough and the comparators: a sentence, and where
    there is room (large print, the web) a table with the same quarter last year."""
    # Beside the headline cards (which give the months) the sentence says it more briefly.
    basis = hl.basis_phrase(figs.period) if with_table else _("over the same three months")
    places = list(figs.comparisons)
    if not is_borough:
        places.insert(0, Comparison(area.area_id, area.area_name, area.rate.safe_value,
                                    area.rate_last_year.safe_value))
    blocks: list[Any] = []
    head = places[0]
    others = [(_(c.name), c.rate) for c in places[1:] if c.rate is not None]
    if head.rate is not None:
        blocks.append(Paragraph(hl.comparison_sentence(_(head.name), head.rate, others, basis)))
    last_year = figs.period.same_period_last_year()
    rows = []
    for c in places:
        now = _("not shown") if c.rate is None else format_number(c.rate, 1)
        then = _("not shown") if c.rate_last_year is None else format_number(c.rate_last_year, 1)
        if c.rate is not None and c.rate_last_year is not None:
            now_f = Figure(c.rate, now)
            then_f = Figure(c.rate_last_year, then)
            # Recorded only where the table is printed (the two-sided leaflet gives just the sentence).
            about = About(book if with_table else None, f"{figs.crime_indicator}_per_1000",
                          _("Crimes for every 1,000 people"), c.area_id, figs.period, Basis.QUARTER)
            change = change_cell(now_f, then_f, Figure(0.0, ""), "lower_is_better", about=about)
        else:
            change = _("not shown")
        rows.append((_(c.name), then, now, change))
    if not with_table:
        return Section(_("How we compare"), tuple(blocks), level=level, id="compare")
    blocks.append(Table(
        caption=_("Crimes for every 1,000 people, {months}").format(months=months_label(figs.period)),
        columns=(_("Area"), column_label(last_year), column_label(figs.period), _("Change")),
        rows=tuple(rows),
        column_align=("left", "right", "right", "left"),
    ))
    return Section(_("How we compare"), tuple(blocks), level=level, id="compare")


def _types_section(config: Config, figs: PublicFigures, area: AreaFigures, level: int = 1, rises: int = 3,
                   book: StatementBook | None = None) -> Section | None:
    if not area.types:
        return None
    last_year = figs.period.same_period_last_year()
    rows = []
    for row in area.types:
        about = About(book, row.indicator, row.title, area.area_id, figs.period, Basis.QUARTER)
        rows.append((_(row.title), row.previous.text, row.current.text,
                     change_cell(row.current, row.previous, row.change_pct, row.polarity, counts=True,
                                  about=about)))
    total_change = change_pct_figure(area.types_total, area.types_total_last_year)
    about = About(book, figs.breakdown_indicator or figs.crime_indicator, figs.breakdown_title, area.area_id,
                  figs.period, Basis.QUARTER)
    rows.append((_("Total"), area.types_total_last_year.text, area.types_total.text,
                 change_cell(area.types_total, area.types_total_last_year, total_change, "lower_is_better",
                              counts=True, about=about)))
    counted = bool(figs.breakdown_indicator and figs.breakdown_indicator != figs.crime_indicator)
    # The privacy note only where something was withheld for privacy, not merely missing.
    hidden = any(f.suppressed and f.reason != "missing" for r in area.types for f in (r.current, r.previous))
    if counted and hidden:
        notes: tuple[str, ...] = (_("The types of crime the government asks us to count. Small numbers are hidden "
                   "(\u201cfewer than\u201d, \u201cnot shown\u201d) to protect privacy."),)
    elif counted:
        notes = (_("The types of crime the government asks us to count; all crime also includes "
                   "other offences."),)
    elif hidden:
        notes = (_("Small numbers are hidden (\u201cfewer than\u201d, \u201cnot shown\u201d) to "
                   "protect privacy."),)
    else:
        notes = ()
    blocks: list[Any] = [Table(
        caption=_("Crimes in {place}, {months}").format(place=_(area.area_name), months=months_label(figs.period)),
        columns=(_("Type of crime"), column_label(last_year), column_label(figs.period), _("Change")),
        rows=tuple(rows),
        column_align=("left", "right", "right", "left"),
        notes=notes,
    )]
    # The text makes news only of what the table marks "(worse)": a rise beyond chance (its
    # statement's direction), and not smaller than the disclosure threshold.
    said_rows = [(r, About(book, r.indicator, r.title, area.area_id, figs.period, Basis.QUARTER).statement(
        r.current, r.previous, r.polarity, counts=True)) for r in area.types]
    worse = [(r, st) for r, st in said_rows if st.direction == "worsening"
             and (st.difference or 0) >= max(1, area.threshold)]
    if worse:
        said = went_up_sentence([(_(r.title), st.value, st.compare_value)  # type: ignore[misc]
                                 for r, st in worse[:rises]])
        targets = _targets_for(config, figs.breakdown_indicator) or _targets_for(config, figs.crime_indicator)
        action = (_("our target is to {target}, and we review the figures every month to decide where "
                    "to act.").format(target=targets[0][0].lower() + targets[0][1:])
                  if targets else "")
        blocks.append(Paragraph(f"{said} {hl.worse_follow_up(len(worse), action)}"))
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


_FALLING_CLAIM = re.compile(r"\bcrime (is|has been) (falling|going down|down)\b", re.I)


def _advice_section(config: Config, level: int = 1, limit: int | None = None, *, falling: bool = True
                    ) -> Section:
    """The partnership's advice in its own order; the two-sided leaflet keeps the first few.

    Advice text is written once in the config, but the figures change every quarter: a line
    claiming crime is falling is left out when this leaflet's figures do not show a fall.
    """
    # Configured lines are translated too when the catalog has them (extract collects them).
    advice = [_(a) for a in (config.partnership.public_advice or DEFAULT_ADVICE)
              if falling or not _FALLING_CLAIM.search(a)]
    advice = advice if limit is None else advice[:limit]
    return Section(_("What you can do"), (BulletList(tuple(advice)),), level=level, id="advice")


def _falls(current: Figure, previous: Figure) -> bool:
    """A fall in a count that is news: lower, and beyond chance (docs/statistics.md), so that 77
    offences against 91 is not "crime is falling"."""
    now, then = current.number, previous.number
    return now < then and bool(count_change_significant(now, then)[0])


def crime_is_falling(figs: PublicFigures, area: AreaFigures, is_borough: bool) -> bool:
    """Whether this leaflet's own headline figures show crime falling (beyond chance)."""
    rolling = figs.rolling[0] if figs.rolling else None
    if is_borough and rolling and rolling.current.shown and rolling.previous.shown:
        return _falls(rolling.current, rolling.previous)
    if area.crime.shown and area.crime_last_year.shown:
        return _falls(area.crime, area.crime_last_year)
    return False


def _report_section(config: Config, level: int = 1) -> Section:
    lines = [_(line) for line in config.partnership.report_crime or DEFAULT_REPORTING]
    return Section(_("How to report a crime"), (BulletList(tuple(lines)),), level=level, id="report")


def partner_contacts(config: Config, limit: int | None = None) -> list[tuple[str, str]]:
    """(organisation, phone) for each partner with a public phone number, in config order."""
    rows = []
    for partner in config.partners:
        for c in partner.contacts:
            if c.phone:
                rows.append((partner.name, c.phone))
                break
    return rows if limit is None else rows[:limit]


def formats_line(config: Config, *, poster: bool = False, web: bool = False) -> str:
    """The offer of other formats, with the number to ring; empty when there is no number, so
    the offer is left out rather than printed as "Please ring ."."""
    phone = config.partnership.alternative_formats_phone or config.partnership.contact.phone
    if not phone:
        return ""
    if web:
        return _("This page and our leaflets are available in large print, Braille, audio and "
                 "translation. Please ring {phone}.").format(phone=phone)
    if poster:
        return _("This information is available in large print, Braille, audio and translation. "
                 "Please ring {phone}.").format(phone=phone)
    return _("This leaflet is available in large print, Braille, audio and translation. "
             "Please ring {phone}.").format(phone=phone)


def _contacts_section(config: Config, limit: int | None, level: int = 1) -> Section:
    """Who to call, as one compact table: the partnership first, then partners."""
    own = config.partnership.contact
    rows = [(_(own.name), own.phone)] if own.phone else []
    rows += partner_contacts(config, limit)
    blocks: list[Any] = []
    if rows:
        blocks.append(Table(
            caption=_("Phone numbers"),
            columns=(_("Who"), _("Phone")),
            rows=tuple(rows),
            column_align=("left", "left"),
        ))
    where = [x for x in (own.email, own.web) if x]
    if where:
        blocks.append(Paragraph(" \u00b7 ".join(where)))
    return Section(_("Contact us"), tuple(blocks), level=level, id="contact")


def _poster_contact(config: Config) -> tuple[Paragraph, ...]:
    """The poster's contact lines; a sentence whose phone or email is not configured is left out."""
    contact = config.partnership.contact
    blocks = []
    if contact.phone:
        blocks.append(Paragraph(_("**{name}**: phone {phone}{email}.").format(
            name=_(contact.name), phone=contact.phone,
            email=_(", email {email}").format(email=contact.email) if contact.email else "")))
    else:
        blocks.append(Paragraph(f"**{_(contact.name)}**"))
        if contact.email:
            blocks.append(Paragraph(_("Email: {email}").format(email=contact.email)))
    offer = formats_line(config, poster=True)
    return (*blocks, *((Paragraph(offer),) if offer else ()))


def _qr_block(config: Config, what: str, width_mm: float, *, short: bool = False) -> tuple[Any, ...]:
    """A QR code to the partnership's web page (contact ``web`` in partnership.toml). Without a
    web address the code is left out, and the run log says so: nothing vanishes silently."""
    address = config.partnership.contact.web
    if not address:
        log.warning("%s: the QR code to the web page is left out: partnership.toml [contact] has no web "
                    "address (add web = \"www.example.gov.uk\").", what)
        return ()
    url = web_url(address)
    return (qr_code(
        url,
        title=(_("Scan for the latest figures") if short else
               _("Scan with your phone camera for the latest figures: {address}").format(address=address)),
        alt_text=_("QR code that opens {url}").format(url=url),
        width_mm=width_mm,
    ),)


def _formats_callout(config: Config) -> tuple[Callout, ...]:
    line = formats_line(config)
    return (Callout(_("Other formats and languages"), line, kind="info"),) if line else ()


# --- documents -----------------------------------------------------------------------------------
def _document(ctx: Any, figs: PublicFigures, title: str, subtitle: str, sections: Iterable[Section],
              variant: str) -> Document:
    config: Config = ctx.config
    p = config.partnership
    lang = current()
    notice = _(p.notice) if p.notice else None
    if lang.draft:
        # A draft translation says so on the cover, in both languages; the renderers also
        # print it in every page footer (see reportgen.render), where it costs no space.
        notice = " ".join(x for x in (lang.draft_notice(), notice) if x)
    return Document(
        kind=KIND,
        title=title,
        subtitle=subtitle,
        partnership=_(p.name),
        period_label=lang.period_label(figs.period),
        date=_publication_date(ctx),
        sections=tuple(sections),
        language=lang.tag,
        variant=variant,
        keywords=(_("community safety"), _("crime figures"), lang.period_label(figs.period)),
        notice=notice,
        # The formats offer is in the contact section (and on the poster's face).
        footer_text="",
        statements=ctx.statements.take() if hasattr(ctx, "statements") else (),
    )


def leaflet_document(ctx: Any, figs: PublicFigures, area_id: str | None = None, *, large_print: bool = False,
                     trim: Trim | None = None) -> Document:
    """The two-sided leaflet for the borough, or for one neighbourhood."""
    trim = trim or (FULL if large_print else TRIMS[0])
    config: Config = ctx.config
    is_borough = area_id is None
    area = figs.borough if area_id is None else figs.area(area_id)
    place = _(area.area_name)
    headline_blocks: list[Any] = []
    cards = _crime_headlines(figs, area, is_borough, getattr(ctx, "statements", None))
    if cards:
        headline_blocks.append(cards)
    compare = _comparison_section(figs, area, is_borough, with_table=large_print, book=getattr(ctx, "statements", None))
    sentences = _headline_sentences(figs, area, is_borough, getattr(ctx, "statements", None))
    if not large_print:
        # Two A4 sides: the comparison sentence joins the headlines instead of its own section.
        sentences += [b.text for b in compare.blocks if isinstance(b, Paragraph)]
    if sentences:
        headline_blocks.append(Paragraph(" ".join(sentences)))
    reassurance = [_reassurance(area)]
    if not is_borough:
        spec = next(a for a in config.partnership.neighbourhoods if a.id == area_id)
        if spec.priority:
            reassurance.append(_(
                "{place} is a priority neighbourhood: we are putting in more time, staff and action "
                "to make it safer.").format(place=place))
    headline_blocks.append(Paragraph(" ".join(reassurance)))
    # Front: the news, how we compare, what you can do. Back: the detail and who to call.
    sections = [Section(_("The headlines"), tuple(headline_blocks), id="headlines")]
    if large_print:
        sections.append(compare)
    sections.append(Section(_("Help keep {place} safe").format(place=place), (
        _advice_section(config, level=2, limit=trim.advice,
                        falling=crime_is_falling(figs, area, is_borough)),
        _report_section(config, level=2),
    ), id="help"))
    detail = _types_section(config, figs, area, rises=trim.rises, book=getattr(ctx, "statements", None))
    if detail:
        sections.append(detail)
    contacts = _contacts_section(config, limit=trim.partners)
    qr = () if large_print else _qr_block(config, "Leaflet", 24.0)
    sections.append(dataclasses.replace(contacts, blocks=(*contacts.blocks, *qr, *_formats_callout(config))))
    title = _("Community safety in {place}").format(place=place)
    # The period is already in the masthead; the standard leaflet saves the line for figures.
    subtitle = _("Your quarterly update on crime") if large_print else ""
    return _document(ctx, figs, title, subtitle, sections, "large-print" if large_print else "standard")


def poster_document(
    ctx: Any, figs: PublicFigures, area_id: str | None = None, paper: Literal["A4", "A3"] = "A3"
) -> Document:
    """One A3 page (A4 as an option) for library and clinic walls: the headline, how we
    compare, how to report, who to call and a QR code to the web page."""
    config: Config = ctx.config
    is_borough = area_id is None
    area = figs.borough if area_id is None else figs.area(area_id)
    blocks: list[Any] = []
    cards = _crime_headlines(figs, area, is_borough, getattr(ctx, "statements", None))
    # Three figures at most, read from across a room: two big numbers without their detail
    # lines, and one sentence. The rate comparison and the counts are in the leaflet.
    if cards:
        blocks.append(HeadlineRow(tuple(dataclasses.replace(h, detail="") for h in cards.headlines[:2])))
    sentences = _headline_sentences(figs, area, is_borough, getattr(ctx, "statements", None))
    if sentences:
        blocks.append(Paragraph(sentences[0]))
    lines = [_(line) for line in config.partnership.report_crime or DEFAULT_REPORTING]
    sections = [
        Section(_("The headlines"), tuple(blocks), id="headlines"),
        Section(_("Report a crime"), (BulletList(tuple(lines[:3])),), id="report"),
        Section(_("Find out more"), (*_poster_contact(config),
                                     *_qr_block(config, "Poster", 34.0 if paper == "A3" else 26.0, short=True)),
                id="contact"),
    ]
    rolling = figs.rolling[0] if figs.rolling else None
    if (is_borough and rolling and rolling.current.shown and rolling.previous.shown
            and _falls(rolling.current, rolling.previous)):
        title = _("Crime is falling in {place}").format(place=_(area.area_name))
    elif area.crime.shown and area.crime_last_year.shown and _falls(area.crime, area.crime_last_year):
        title = _("Crime is down in {place}").format(place=_(area.area_name))
    else:
        title = _("Crime in {place}: the latest figures").format(place=_(area.area_name))
    # The period is in the masthead already; the poster keeps its space for the figures.
    return dataclasses.replace(_document(ctx, figs, title, "", sections, "poster"), paper=paper)


def fitted_leaflet(ctx: Any, figs: PublicFigures, area_id: str | None) -> Document:
    """The standard leaflet, with shorter versions to fall back on, longest first.

    The renderer prints the first version that fits on two A4 sides (and makes the Word
    file from the same one), so a leaflet keeps as much of its optional text as fits.
    """
    versions = [leaflet_document(ctx, figs, area_id, trim=trim) for trim in TRIMS]
    return dataclasses.replace(versions[0], max_pages=PAGES, shorter=tuple(versions[1:]))


def figures(ctx: Any) -> PublicFigures:
    """The protected figures for ``ctx``, worked out once and kept on the context so
    ``build`` and ``summarise`` (and every area's leaflet) share one computation."""
    cached = getattr(ctx, "_public_figures", None)
    if cached is None:
        cached = public_figures(ctx.config, ctx.evaluation, ctx.period, _options(ctx))
        ctx._public_figures = cached
    return cached


def stem_for(area_id: str | None, *, large_print: bool, poster: bool, lang: str | None = None) -> str:
    stem = "poster" if poster else "leaflet"
    if area_id:
        stem += f"-{area_id}"
    if large_print and not poster:
        stem += "-large-print"
    if lang and lang.replace("_", "-").lower() not in ("en", "en-gb"):
        stem += f"-{lang}"
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
    lang = options.get("lang")
    for area_id in area_ids:
        if poster:
            a4 = str(options.get("paper") or "A3").upper() == "A4"  # A3 or A4: request.py allows no other
            doc = poster_document(ctx, figs, area_id, paper="A4" if a4 else "A3")
        elif large_print:
            doc = leaflet_document(ctx, figs, area_id, large_print=True)
        else:
            doc = fitted_leaflet(ctx, figs, area_id)
        out.append((stem_for(area_id, large_print=large_print, poster=poster, lang=lang), doc))
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
