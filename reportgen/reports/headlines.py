"""Plain-English headline sentences for public documents, computed from numbers.

Each function takes numbers and returns whole sentences built from one template per case
(down / up / no change, one / many), never from fragments glued together, so a later
gettext/Babel catalogue can translate each template as a unit: ``_`` and ``ngettext`` come
from :mod:`reportgen.i18n` and speak the language in force (``use_language``).

The rules the wording follows:
- the figure comes from the data; large differences are rounded *down* for the reader and
  said with "over" ("over 4,000 fewer" for 4,095), so the words are always true;
- every change carries its basis ("in the 12 months to March 2005") and the two figures it
  compares, so a reader can check it;
- direction words follow the indicator's polarity: "down" for crime is good news, "up" is
  said plainly as bad news with what the partnership is doing; contextual measures (e.g.
  reports of domestic violence, where more reporting can be a good sign) get no verdict.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from reportgen.i18n import _, current, ngettext
from reportgen.periods import Kind, Period
from reportgen.reports.disclosure import fewer_than, format_number


@dataclass(frozen=True)
class Noun:
    """What an indicator counts, in both numbers: Noun("offence", "offences").

    ``forms`` is the literal ngettext call, so the catalog gets the pair with its plural
    forms (Polish has three: przestępstwo, przestępstwa, przestępstw)."""

    singular: str
    plural: str
    forms: Callable[[float], str] | None = field(default=None, compare=False)

    def for_count(self, n: float) -> str:
        if self.forms is not None:
            return self.forms(n)
        return ngettext(self.singular, self.plural, n)

    @property
    def many(self) -> str:
        """The form for a large or unspecified number ('offences')."""
        return self.for_count(1000)


OFFENCES = Noun("offence", "offences", lambda n: ngettext("offence", "offences", n))
INCIDENTS = Noun("incident", "incidents", lambda n: ngettext("incident", "incidents", n))
PEOPLE = Noun("person", "people", lambda n: ngettext("person", "people", n))


def public_amount(n: float) -> str:
    """A count as the public reads it: exact below 1,000, else 'over 4,000' (rounded down).

    Rounding down to two significant figures and saying "over" keeps the words true and
    the number memorable; a round number is said as it is.
    """
    n = abs(n)
    if n < 1000:
        return format_number(n)
    magnitude = 10 ** (int(math.log10(n)) - 1)
    floor = math.floor(n / magnitude) * magnitude
    if floor == n:
        return format_number(n)
    return _("over {amount}").format(amount=format_number(floor))


def public_percent(pct: float) -> str:
    """Whole percent, half-up, no sign: 12.5 -> '13'."""
    return format_number(abs(pct), 0)


def basis_phrase(period: Period) -> str:
    """'in the 12 months to March 2005', 'in January to March 2005', 'in March 2005'."""
    lang = current()
    last_day = period.last_day
    # TRANSLATORS: {month} is 'March 2005' (standalone form); {month_of} is the same month in
    # the form used inside a sentence (Polish 'marca 2005'): use whichever the grammar needs.
    if period.kind is Kind.RANGE and period.n_months == 12:
        return _("in the 12 months to {month}").format(
            month=lang.month_year(last_day) if lang.code != "en" else Period(period.end, period.end,
                                                                              Kind.MONTH).label,
            month_of=lang.month_year_of(last_day))
    if period.kind is Kind.FINANCIAL_YEAR:
        return _("in the year {year}").format(year=period.label)
    if period.kind is Kind.QUARTER:
        if lang.code == "en":
            first = Period(period.start, period.start, Kind.MONTH).label.split(" ")[0]
            last = Period(period.end, period.end, Kind.MONTH).label
        else:
            first, last = lang.month(period.first_day), lang.month_year(last_day)
        # TRANSLATORS: 'between January and March 2005'; {first} is a month, {last} a month and year.
        return _("between {first} and {last}").format(first=first, last=last)
    return _("in {period}").format(period=lang.period_label(period), month_of=lang.month_year_of(last_day))


def _is_plural(subject: str) -> bool:
    """'Incidents on public transport are', 'House burglary is' (head noun = first word)."""
    head = subject.split()[0].lower() if subject.split() else ""
    return head in {"people", "children", "reports"} or (head.endswith("s") and not head.endswith("ss"))


def rounds_to_no_change(current: float, previous: float) -> bool:
    if previous == 0:
        return current == 0
    return abs((current - previous) / previous * 100) < 0.5


def change_sentence(
    subject: str,
    current: float,
    previous: float,
    noun: Noun,
    *,
    comparison: str = "",
) -> str:
    """'Crime is down 13% on last year: over 4,000 fewer offences.'

    ``comparison`` names what it is compared with; default "on last year". The words
    only describe the direction; whether that is good news is :func:`verdict`'s job.
    """
    comparison = comparison or _("on last year")
    diff = current - previous
    plural = _is_plural(subject)
    amount = public_amount(diff)
    n_noun = noun.for_count(abs(diff)) if abs(diff) < 1000 else noun.many
    if previous == 0 and current == 0:
        template = _("There were no {noun}, the same as last year.")
        return template.format(noun=noun.for_count(0))
    if previous == 0:
        template = _("{subject}: {amount} {noun}, compared with none last year.")
        return template.format(subject=subject, amount=public_amount(current), noun=noun.for_count(current))
    if rounds_to_no_change(current, previous):
        if diff == 0:
            template = _("{subject} are unchanged {comparison}.") if plural else _(
                "{subject} is unchanged {comparison}."
            )
            return template.format(subject=subject, comparison=comparison)
        if diff < 0:
            template = _("{subject} are about the same {comparison}: {amount} fewer {noun}.") if plural else _(
                "{subject} is about the same {comparison}: {amount} fewer {noun}."
            )
        else:
            template = _("{subject} are about the same {comparison}: {amount} more {noun}.") if plural else _(
                "{subject} is about the same {comparison}: {amount} more {noun}."
            )
        return template.format(subject=subject, comparison=comparison, amount=amount, noun=n_noun)
    pct = public_percent(diff / previous * 100)
    if diff < 0:
        template = _("{subject} are down {pct}% {comparison}: {amount} fewer {noun}.") if plural else _(
            "{subject} is down {pct}% {comparison}: {amount} fewer {noun}."
        )
    else:
        template = _("{subject} are up {pct}% {comparison}: {amount} more {noun}.") if plural else _(
            "{subject} is up {pct}% {comparison}: {amount} more {noun}."
        )
    return template.format(subject=subject, pct=pct, comparison=comparison, amount=amount, noun=n_noun)


def figures_sentence(current: float, previous: float, noun: Noun, basis: str, decimals: int = 0) -> str:
    """The two figures behind a change: '27,400 offences in the 12 months to March 2005,
    compared with 31,495 a year earlier.'"""
    template = _("{current} {noun} {basis}, compared with {previous} a year earlier.")
    return template.format(
        current=format_number(current, decimals),
        noun=noun.for_count(current),
        basis=basis,
        previous=format_number(previous, decimals),
    )


def verdict(current: float, previous: float, polarity: str) -> str:
    """'better' | 'worse' | 'same' | 'neutral' — never calls a contextual measure good or bad."""
    if rounds_to_no_change(current, previous):
        return "same"
    if polarity == "contextual":
        return "neutral"
    lower_better = polarity == "lower_is_better"
    return "better" if (current < previous) == lower_better else "worse"


def worse_follow_up(count: int) -> str:
    """What we say after bad news about ``count`` things, plainly ("What we are doing" follows
    on the leaflet's front, so the action is not said here too)."""
    return ngettext("This has got worse, and the partnership is working on it.",
                    "These have got worse, and the partnership is working on them.", count)


def headline_value(current: float, previous: float) -> str:
    """The big number on a card: 'Down 13%', 'Up 5%', 'No change'."""
    if previous == 0 and current != 0:
        return _("Up from none")
    if rounds_to_no_change(current, previous):
        return _("No change")
    pct = public_percent((current - previous) / previous * 100)
    return (_("Down {pct}%") if current < previous else _("Up {pct}%")).format(pct=pct)


def comparison_sentence(
    place: str, rate: float, others: list[tuple[str, float]], basis: str, decimals: int = 1
) -> str:
    """'In January to March 2005 there were 18.2 crimes for every 1,000 people in Wigan,
    lower than Greater Manchester (25.1) and England and Wales (22.0).'"""
    if not others:
        template = _("There were {rate} crimes for every 1,000 people in {place} {basis}.")
        return template.format(rate=format_number(rate, decimals), place=place, basis=basis)
    lower = [(n, r) for n, r in others if rate < r]
    higher = [(n, r) for n, r in others if rate > r]

    def names(items: list[tuple[str, float]]) -> str:
        parts = [_("{name} ({rate})").format(name=n, rate=format_number(r, decimals)) for n, r in items]
        if len(parts) == 1:
            return parts[0]
        return _("{first} and {last}").format(first=", ".join(parts[:-1]), last=parts[-1])

    figure = format_number(rate, decimals)
    if lower and not higher:
        template = _("There were {rate} crimes for every 1,000 people in {place} {basis}: "
                     "lower than {others}.")
        return template.format(rate=figure, place=place, basis=basis, others=names(lower))
    if higher and not lower:
        template = _("There were {rate} crimes for every 1,000 people in {place} {basis}: "
                     "higher than {others}.")
        return template.format(rate=figure, place=place, basis=basis, others=names(higher))
    if lower and higher:
        template = _("There were {rate} crimes for every 1,000 people in {place} {basis}: "
                     "lower than {lower}, but higher than {higher}.")
        return template.format(rate=figure, place=place, basis=basis, lower=names(lower), higher=names(higher))
    template = _("There were {rate} crimes for every 1,000 people in {place} {basis}, the same as {others}.")
    return template.format(rate=figure, place=place, basis=basis, others=names(others))


def suppressed_sentence(subject: str, threshold: int, basis: str) -> str:
    """For an area too small to publish: 'House burglary: fewer than 5 between January and March 2005.'"""
    return _("{subject}: {few} {basis}. We do not publish exact small numbers, to protect privacy.").format(
        subject=subject, few=fewer_than(threshold), basis=basis
    )
