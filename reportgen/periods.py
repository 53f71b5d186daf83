"""Reporting periods: months, calendar quarters and UK financial years (April to March).

Every period is a contiguous run of months, held as two month indexes
(``year * 12 + month - 1``), so comparisons, containment and "same period last year"
are integer arithmetic. Keys are what people type (``2005-03``, ``2005-Q1``,
``2004/05``); labels are what people read ("March 2005", "January to March 2005",
"2004/05").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from reportgen.errors import PeriodError

MONTH_NAMES = tuple(calendar.month_name)  # locale-independent in the C locale we run under


class Kind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    FINANCIAL_YEAR = "financial_year"
    RANGE = "range"  # year to date, rolling 12 months: derived, never typed by users


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def index_year_month(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def financial_year_start(index: int) -> int:
    """The year in which the financial year holding month ``index`` starts (April)."""
    year, month = index_year_month(index)
    return year if month >= 4 else year - 1


_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_FY_RE = re.compile(r"^(?:FY)?(\d{4})/(\d{2}|\d{4})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A contiguous run of months from ``start`` to ``end`` inclusive (month indexes)."""

    start: int
    end: int
    kind: Kind = Kind.RANGE

    # --- construction -------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(f"month {month} is not between 1 and 12")
        i = month_index(year, month)
        return cls(i, i, Kind.MONTH)

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        if not 1 <= q <= 4:
            raise PeriodError(f"quarter {q} is not between 1 and 4")
        i = month_index(year, 3 * (q - 1) + 1)
        return cls(i, i + 2, Kind.QUARTER)

    @classmethod
    def financial_year(cls, start_year: int) -> Period:
        i = month_index(start_year, 4)
        return cls(i, i + 11, Kind.FINANCIAL_YEAR)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``2005-03``, ``2005-Q1`` or ``2004/05`` (also ``2004/2005``)."""
        s = str(text).strip()
        if m := _MONTH_RE.match(s):
            return cls.month(int(m[1]), int(m[2]))
        if m := _QUARTER_RE.match(s):
            return cls.quarter(int(m[1]), int(m[2]))
        if m := _FY_RE.match(s):
            first, second = int(m[1]), m[2]
            expected = (first + 1) % (100 if len(second) == 2 else 10_000)
            if int(second) != expected:
                raise PeriodError(
                    f"{s!r} is not a financial year: {second} does not follow {first}",
                    hint="write financial years as 2004/05 (April 2004 to March 2005)",
                )
            return cls.financial_year(first)
        raise PeriodError(
            f"{s!r} is not a period I understand",
            hint="use a month (2005-03), a calendar quarter (2005-Q1) or a financial year (2004/05)",
        )

    @classmethod
    def containing(cls, kind: Kind | str, day: dt.date) -> Period:
        """The month, quarter or financial year that contains ``day``."""
        i = month_index(day.year, day.month)
        return cls.of_kind_at(Kind(kind), i)

    @classmethod
    def of_kind_at(cls, kind: Kind, index: int) -> Period:
        year, month = index_year_month(index)
        if kind is Kind.MONTH:
            return cls(index, index, Kind.MONTH)
        if kind is Kind.QUARTER:
            return cls.quarter(year, (month - 1) // 3 + 1)
        if kind is Kind.FINANCIAL_YEAR:
            return cls.financial_year(financial_year_start(index))
        raise PeriodError(f"cannot make a {kind} period from a single month")

    # --- description ---------------------------------------------------------------
    @property
    def key(self) -> str:
        y, m = index_year_month(self.start)
        if self.kind is Kind.MONTH:
            return f"{y:04d}-{m:02d}"
        if self.kind is Kind.QUARTER:
            return f"{y:04d}-Q{(m - 1) // 3 + 1}"
        if self.kind is Kind.FINANCIAL_YEAR:
            return f"{y:04d}/{(y + 1) % 100:02d}"
        ey, em = index_year_month(self.end)
        return f"{y:04d}-{m:02d}..{ey:04d}-{em:02d}"

    @property
    def label(self) -> str:
        """How people write the period: "March 2005", "January to March 2005", "2004/05"."""
        y, m = index_year_month(self.start)
        ey, em = index_year_month(self.end)
        if self.kind is Kind.MONTH:
            return f"{MONTH_NAMES[m]} {y}"
        if self.kind is Kind.FINANCIAL_YEAR:
            return self.key
        if y == ey:
            return f"{MONTH_NAMES[m]} to {MONTH_NAMES[em]} {y}"
        return f"{MONTH_NAMES[m]} {y} to {MONTH_NAMES[em]} {ey}"

    def __str__(self) -> str:
        return self.key

    @property
    def months(self) -> range:
        return range(self.start, self.end + 1)

    @property
    def n_months(self) -> int:
        return self.end - self.start + 1

    @property
    def first_day(self) -> dt.date:
        y, m = index_year_month(self.start)
        return dt.date(y, m, 1)

    @property
    def last_day(self) -> dt.date:
        y, m = index_year_month(self.end)
        return dt.date(y, m, calendar.monthrange(y, m)[1])

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    # --- related periods -----------------------------------------------------------
    def shift(self, months: int) -> Period:
        return Period(self.start + months, self.end + months, self.kind)

    def same_period_last_year(self) -> Period:
        return self.shift(-12)

    def previous(self) -> Period:
        return self.shift(-self.n_months)

    def next(self) -> Period:
        return self.shift(self.n_months)

    def financial_year_of_end(self) -> Period:
        return Period.financial_year(financial_year_start(self.end))

    def year_to_date(self) -> Period:
        """April of the financial year this period ends in, to the end of this period."""
        return Period(self.financial_year_of_end().start, self.end, Kind.RANGE)

    def rolling_12(self) -> Period:
        """The twelve months ending with this period."""
        return Period(self.end - 11, self.end, Kind.RANGE)


def month_periods(start: Period, end: Period) -> list[Period]:
    """Every month from the first month of ``start`` to the last month of ``end``."""
    return [Period(i, i, Kind.MONTH) for i in range(start.start, end.end + 1)]


def last_closed(kind: Kind | str, today: dt.date) -> Period:
    """The month, quarter or financial year that most recently closed before ``today``."""
    current = Period.containing(kind, today)
    return current.previous()
