"""What a partner owes for a period: which indicators, areas and periods, and by when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportgen.config.models import Config, Indicator, Partner
from reportgen.periods import Kind, Period

RETURN_TYPES = ("excel", "csv")  # sources a partner fills in by hand; others are feeds


@dataclass(frozen=True)
class Owed:
    partner: str
    indicator: str
    area: str
    period: str
    deadline: dt.date


def deadline(partner: Partner, period: Period) -> dt.date:
    """The last day a return for ``period`` is on time."""
    return period.last_day + dt.timedelta(days=partner.return_deadline_days)


def periods_due(kind: Kind, period: Period) -> list[Period]:
    """Periods of ``kind`` that end within ``period``: a month asks for that month, the
    quarter it closes and the financial year it closes."""
    out: list[Period] = []
    seen: set[str] = set()
    for index in period.months:
        p = Period.of_kind_at(kind, index)
        if p.end == index and p.key not in seen:
            out.append(p)
            seen.add(p.key)
    return out


def returned_indicators(partner: Partner) -> list[Indicator]:
    """Indicators a partner sends by data return (an Excel/CSV source, or no source)."""
    types = {s.id: s.type for s in partner.sources}
    return [i for i in partner.indicators if i.source is None or types.get(i.source) in RETURN_TYPES]


def areas_for(config: Config, partner: Partner, indicator: Indicator) -> list[str]:
    spec = next((s for s in partner.sources if s.id == indicator.source), None)
    if spec is not None and spec.type == "policeuk":
        # a police.uk source counts for the borough and every neighbourhood
        return [config.partnership.borough.id, *(a.id for a in config.partnership.neighbourhoods)]
    areas = list(spec.options.get("areas") or ()) if spec is not None else []
    return areas or [config.partnership.borough.id]


def owed(config: Config, partner: Partner, periods: list[Period], *, feeds: bool = False) -> list[Owed]:
    """Every (indicator, area, period) the partner owes by data return for the periods
    asked; with ``feeds``, also what its automatic sources (SQL, police.uk) should bring."""
    out: list[Owed] = []
    for indicator in partner.indicators if feeds else returned_indicators(partner):
        for period in periods:
            for due in periods_due(indicator.frequency.period_kind, period):
                for area in areas_for(config, partner, indicator):
                    out.append(Owed(partner.id, indicator.id, area, due.key, deadline(partner, due)))
    return list(dict.fromkeys(out))
