"""The reporting calendar: working days in England and Wales, and when a period's report is due.

Bank holidays come from the ``holidays`` package (GB, subdivision ENG, which covers England
and Wales). A "working day" is Monday to Friday and not a bank holiday.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays

from reportgen.periods import Kind, Period, last_closed


@functools.lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: dt.date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def nth_working_day_after(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day strictly after ``day`` (n >= 1); n = 0 means ``day`` itself."""
    if n <= 0:
        return day
    current, found = day, 0
    while found < n:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            found += 1
    return current


def working_day_due(period: Period, n: int) -> dt.date:
    """The day the report for ``period`` is due: the n-th working day after it closes."""
    return nth_working_day_after(period.last_day, n)


def period_due_on(kind: Kind, day: dt.date) -> Period:
    """The period a report run on ``day`` covers: the month, quarter or year that last closed."""
    return last_closed(kind, day)
