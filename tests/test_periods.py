"""Periods: parsing and printing round-trip, financial years, related periods."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.errors import PeriodError
from reportgen.periods import Kind, Period, financial_year_start, last_closed, month_periods

years = st.integers(min_value=1990, max_value=2100)
months = st.integers(min_value=1, max_value=12)
quarters = st.integers(min_value=1, max_value=4)
any_period = st.one_of(
    st.builds(Period.month, years, months),
    st.builds(Period.quarter, years, quarters),
    st.builds(Period.financial_year, years),
)


@given(any_period)
def test_key_parses_back_to_the_same_period(period: Period) -> None:
    assert Period.parse(period.key) == period
    assert str(period) == period.key


@given(years, months)
def test_financial_year_of_every_month(year: int, month: int) -> None:
    fy = Period.month(year, month).financial_year_of_end()
    start_year = year if month >= 4 else year - 1
    assert fy == Period.financial_year(start_year)
    assert fy.key == f"{start_year}/{(start_year + 1) % 100:02d}"
    assert fy.first_day == dt.date(start_year, 4, 1)
    assert fy.last_day == dt.date(start_year + 1, 3, 31)
    assert fy.contains(Period.month(year, month))
    assert financial_year_start(Period.month(year, month).start) == start_year


@given(years, months)
def test_quarter_of_every_month_contains_it(year: int, month: int) -> None:
    m = Period.month(year, month)
    q = Period.of_kind_at(Kind.QUARTER, m.start)
    assert q.kind is Kind.QUARTER and q.n_months == 3 and q.contains(m)
    assert q.key == f"{year}-Q{(month - 1) // 3 + 1}"


@given(any_period)
def test_related_periods(period: Period) -> None:
    last_year = period.same_period_last_year()
    assert last_year.n_months == period.n_months and period.start - last_year.start == 12
    assert period.previous().end == period.start - 1
    assert period.next().previous() == period
    r12 = period.rolling_12()
    assert r12.end == period.end and r12.n_months == 12
    ytd = period.year_to_date()
    assert ytd.end == period.end
    assert ytd.start == period.financial_year_of_end().start
    assert 1 <= ytd.n_months <= 12


@pytest.mark.parametrize(
    ("text", "key", "label"),
    [
        ("2005-03", "2005-03", "March 2005"),
        ("2005-3", "2005-03", "March 2005"),
        ("2005-Q1", "2005-Q1", "January to March 2005"),
        ("2005q4", "2005-Q4", "October to December 2005"),
        ("2004/05", "2004/05", "2004/05"),
        ("2004/2005", "2004/05", "2004/05"),
        ("1999/00", "1999/00", "1999/00"),
    ],
)
def test_parse_and_label(text: str, key: str, label: str) -> None:
    p = Period.parse(text)
    assert (p.key, p.label) == (key, label)


@pytest.mark.parametrize("text", ["2005-13", "2005-Q5", "2004/06", "March 2005", "", "2005"])
def test_bad_periods_raise_period_error_with_a_hint(text: str) -> None:
    with pytest.raises(PeriodError) as info:
        Period.parse(text)
    assert text.strip() in str(info.value) or "month" in str(info.value)


def test_ranges_and_last_closed() -> None:
    ytd = Period.parse("2004-11").year_to_date()
    assert ytd.key == "2004-04..2004-11" and ytd.label == "April to November 2004"
    assert Period.parse("2005-02").rolling_12().label == "March 2004 to February 2005"
    assert last_closed("month", dt.date(2005, 4, 10)) == Period.parse("2005-03")
    assert last_closed("quarter", dt.date(2005, 4, 10)) == Period.parse("2005-Q1")
    assert last_closed("financial_year", dt.date(2005, 4, 10)) == Period.parse("2004/05")
    assert len(month_periods(Period.parse("2004/05"), Period.parse("2004/05"))) == 12
