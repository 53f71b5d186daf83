"""Statements and missing-figure words on hand-made rows and figures (worked by hand)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reportgen.reports.disclosure import Figure, count_figure
from reportgen.reports.leaflet import change_words
from reportgen.reports.statements import (
    MISSING_WORDS,
    Basis,
    Comparison,
    Missing,
    StatementBook,
    basis_phrase,
)


def row(**over: object) -> pd.Series:
    base = {
        "id": "house_burglary",
        "title": "House burglary",
        "unit": "count",
        "decimals": 0,
        "polarity": "lower_is_better",
        "strategy": "2002-05",
        "area": "borough",
        "period": "2004/05",
        "compare_basis": "period",
        "compare_value": 2176.0,
        "previous_value": 2300.0,
        "baseline_period": "2001/02",
        "baseline_value": 2916.0,
        "change_pct": (2176 - 2916) * 100 / 2916,
        "change_label": "Down 25%",
        "yoy_change_label": "Down 5%",
        "direction": "improving",
        "improved": True,
        "status": "green",
    }
    base.update(over)
    return pd.Series(base)


def test_a_statement_says_value_basis_change_and_comparison() -> None:
    book = StatementBook(None)
    s = book.about(row(), Comparison.BASELINE)
    assert s.words == "House burglary: 2,176 in 2004/05, down 25% on 2,916 in 2001/02 (improved)"
    assert (s.basis, s.compare_period, s.change_label, s.missing) == (Basis.FINANCIAL_YEAR, "2001/02", "Down 25%", None)
    assert s.key == "house_burglary|borough|financial_year|2004/05|2001/02"
    y = book.about(row(), Comparison.YEAR_EARLIER)
    # 2,176 against 2,300: (2176 - 2300) / 2300 = -5.4%, labelled by the evaluation "Down 5%"
    assert y.words == "House burglary: 2,176 in 2004/05, down 5% on 2,300 in 2003/04 (improved)"


def test_twelve_rolling_months_are_keyed_by_their_last_month() -> None:
    book = StatementBook(None)
    quarter = book.about(row(period="2005-Q1", compare_basis="rolling_12"))
    month = StatementBook(None).about(row(period="2005-03", compare_basis="rolling_12"))
    assert quarter.key == month.key == "house_burglary|borough|rolling_12_months|2005-03|2004-03"
    assert quarter.words == month.words
    assert quarter.basis_phrase == "in the 12 months to March 2005"
    assert basis_phrase("2005-Q1", Basis.QUARTER) == "in January to March 2005"


@pytest.mark.parametrize(
    ("over", "reason", "words"),
    [
        ({"previous_value": math.nan, "yoy_change_label": None}, Missing.NO_HISTORY,
         "House burglary: 2,176 in 2004/05 (no earlier figure to compare with)"),
        ({"compare_value": math.nan}, Missing.NO_DATA, "House burglary: no figure in 2004/05 (no data returned)"),
    ],
)  # fmt: skip
def test_a_missing_figure_says_why(over: dict, reason: Missing, words: str) -> None:
    s = StatementBook(None).about(row(**over), Comparison.YEAR_EARLIER)
    assert s.missing is reason and s.words == words
    assert "privacy" not in s.words


def test_only_withheld_figures_speak_of_privacy() -> None:
    assert [r for r, w in MISSING_WORDS.items() if "privacy" in w] == [Missing.SUPPRESSED]
    assert len(set(MISSING_WORDS.values())) == len(Missing)  # one wording per reason


def test_leaflet_change_says_why_it_is_missing() -> None:
    derived = Figure(None, "not shown", suppressed=True, reason="derived")
    now = count_figure(30, 5)
    assert change_words(now, count_figure(None, 5), derived) == "no earlier figure to compare with"
    assert change_words(count_figure(None, 5), now, derived) == "no data returned"
    assert change_words(now, count_figure(3, 5), derived) == "not shown"  # withheld: privacy
    assert change_words(now, count_figure(40, 5), Figure(-25.0, "")) == "Down 25%"  # (30 - 40) / 40
