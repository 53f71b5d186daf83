"""Plain-English headline sentences: true to the numbers, singular/plural, up/down/no change."""

from __future__ import annotations

import pytest

from reportgen.periods import Period
from reportgen.reports.headlines import (
    OFFENCES,
    PEOPLE,
    basis_phrase,
    change_sentence,
    comparison_sentence,
    figures_sentence,
    headline_value,
    public_amount,
    verdict,
)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(655, "655"), (999, "999"), (4095, "over 4,000"), (4000, "4,000"), (12_345, "over 12,000"),
     (1, "1"), (-4095, "over 4,000"), (100_001, "over 100,000")],
)
def test_public_amount_rounds_down_and_says_over(n: int, expected: str) -> None:
    assert public_amount(n) == expected


def test_public_amount_never_overstates() -> None:
    for n in range(1000, 60_000, 37):
        text = public_amount(n).replace("over ", "").replace(",", "")
        assert int(text) <= n


def test_crime_down_sentence_matches_the_strategy_wording() -> None:
    # The strategy: "a 13% reduction ... over 4000 fewer offences" (31,495 -> 27,400).
    sentence = change_sentence("Crime", 27_400, 31_495, OFFENCES)
    assert sentence == "Crime is down 13% on last year: over 4,000 fewer offences."


def test_up_sentence_is_plain() -> None:
    assert change_sentence("House burglary", 210, 200, OFFENCES) == (
        "House burglary is up 5% on last year: 10 more offences."
    )


def test_singular_and_plural_agreement() -> None:
    assert change_sentence("House burglary", 99, 100, OFFENCES) == (
        "House burglary is down 1% on last year: 1 fewer offence."
    )
    assert change_sentence("Incidents on public transport", 294, 339, INCIDENTS_NOUN()) == (
        "Incidents on public transport are down 13% on last year: 45 fewer incidents."
    )
    assert "1 more person." in change_sentence("People in treatment", 101, 100, PEOPLE)


def INCIDENTS_NOUN():  # noqa: N802 - reads like the constant it stands for
    from reportgen.reports.headlines import INCIDENTS

    return INCIDENTS


def test_no_change_and_tiny_change() -> None:
    assert change_sentence("Crime", 500, 500, OFFENCES) == "Crime is unchanged on last year."
    assert change_sentence("Crime", 20_010, 20_000, OFFENCES) == (
        "Crime is about the same on last year: 10 more offences."
    )
    assert change_sentence("Hate crime", 3, 0, OFFENCES) == "Hate crime: 3 offences, compared with none last year."


def test_verdict_follows_polarity_and_never_flatters() -> None:
    assert verdict(90, 100, "lower_is_better") == "better"
    assert verdict(110, 100, "lower_is_better") == "worse"
    assert verdict(110, 100, "higher_is_better") == "better"
    assert verdict(90, 100, "higher_is_better") == "worse"
    assert verdict(110, 100, "contextual") == "neutral"
    assert verdict(1000, 1002, "lower_is_better") == "same"


def test_headline_value_and_basis() -> None:
    assert headline_value(2176, 2916) == "Down 25%"
    assert headline_value(1500, 558) == "Up 169%"
    assert headline_value(5, 5) == "No change"
    assert basis_phrase(Period.parse("2005-03").rolling_12()) == "in the 12 months to March 2005"
    assert basis_phrase(Period.parse("2005-Q1")) == "between January and March 2005"
    assert basis_phrase(Period.parse("2005-03")) == "in March 2005"
    assert figures_sentence(27_400, 31_495, OFFENCES, "in the 12 months to March 2005") == (
        "27,400 offences in the 12 months to March 2005, compared with 31,495 a year earlier."
    )


def test_comparison_sentence_says_lower_and_higher_truthfully() -> None:
    text = comparison_sentence("Wigan", 18.24, [("Greater Manchester", 25.1), ("England and Wales", 22.0)],
                               "between January and March 2005")
    assert text == ("There were 18.2 crimes for every 1,000 people in Wigan between January and March 2005: "
                    "lower than Greater Manchester (25.1) and England and Wales (22.0).")
    mixed = comparison_sentence("Wigan", 23.0, [("Greater Manchester", 25.1), ("England and Wales", 22.0)], "x")
    assert "lower than Greater Manchester (25.1), but higher than England and Wales (22.0)" in mixed
