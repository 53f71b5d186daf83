"""Change labels round half up, without float artefacts, the same scalar and vectorised."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.evaluate.labels import (
    change_label,
    change_labels,
    change_pct,
    difference_words,
    round_half_up,
    round_half_up_array,
)

# values with up to three decimals, as percentages computed from data are printed
decimals = st.decimals(min_value=-10_000, max_value=10_000, places=3, allow_nan=False, allow_infinity=False)


@given(decimals)
def test_half_up_matches_decimal(d: Decimal) -> None:
    expected = float(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert round_half_up(float(d)) == expected
    assert round_half_up_array(np.array([float(d)]))[0] == expected


@given(st.lists(decimals, min_size=1, max_size=30))
def test_vectorised_labels_equal_scalar_labels(values: list[Decimal]) -> None:
    xs = np.array([float(v) for v in values])
    assert list(change_labels(xs)) == [change_label(x) for x in xs]


@given(st.integers(1, 100_000), st.integers(0, 100_000))
def test_label_direction_follows_the_data(base: int, value: int) -> None:
    label = change_label(change_pct(np.array([value]), np.array([base]))[0])
    if value > base and label != "No change":
        assert label.startswith("Up ")
    if value < base and label != "No change":
        assert label.startswith("Down ")
    if value == base:
        assert label == "No change"


@pytest.mark.parametrize(
    ("pct", "label"),
    [
        (-24.5, "Down 25%"),
        (24.5, "Up 25%"),
        (0.4, "No change"),
        (-0.4, "No change"),
        (0.5, "Up 1%"),
        (168.8, "Up 169%"),
        (0.245 * 100, "Up 25%"),  # 24.500000000000004: still 25
        (1.145 * 100, "Up 115%"),  # 114.49999999999999 is a float artefact of 114.5
        (1234.5, "Up 1,235%"),
        (float("nan"), None),
    ],
)
def test_labels(pct: float, label: str | None) -> None:
    assert change_label(pct) == label
    assert change_labels(np.array([pct]))[0] == label


def test_published_changes_from_the_strategy() -> None:
    """The 2005-08 strategy's table: counts 2001/02 -> 2004/05 and its printed change."""
    base = np.array([2916, 6987, 22953, 4306, 558, 2065, 339, 210])
    now = np.array([2176, 4664, 22431, 4888, 1500, 1959, 294, 198])
    expected = ["Down 25%", "Down 33%", "Down 2%", "Up 14%", "Up 169%", "Down 5%", "Down 13%", "Down 6%"]
    assert list(change_labels(change_pct(now, base))) == expected


def test_change_pct_exact_for_whole_numbers_and_nan_for_zero_base() -> None:
    assert change_pct(np.array([249.0]), np.array([200.0]))[0] == 24.5
    assert np.isnan(change_pct(np.array([5.0]), np.array([0.0]))[0])


def test_difference_words() -> None:
    assert difference_words(-4095, "offences") == "4,095 fewer offences"
    assert difference_words(12) == "12 more"
    assert difference_words(0.4) == "no change"
    assert difference_words(float("nan")) is None
