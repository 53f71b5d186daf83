"""The leaflet calls a change in a count news only when it is beyond chance (docs/statistics.md).

Oracle: scipy's ``binomtest`` (the exact conditional Poisson comparison, one pair at a time) and
the 20-offence minimum, against the leaflet's own helpers on the figures it prints."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

from reportgen.document import Cell, Status
from reportgen.reports.disclosure import Figure, change_pct_figure
from reportgen.reports.leaflet import _falls, change_cell


def fig(n: int) -> Figure:
    return Figure(float(n), f"{n:,}")


@pytest.mark.parametrize(("now", "then"), [(77, 91), (9, 8), (6, 5), (53, 58), (500, 700), (30, 60), (900, 700)])
def test_a_fall_is_news_only_beyond_chance(now: int, then: int) -> None:
    news = bool(now < then and binomtest(now, now + then, 0.5).pvalue < 0.05 and max(now, then) >= 20)
    assert _falls(fig(now), fig(then)) is news
    # Aspull and Haigh, January to March 2005: 77 offences against 91 is not "crime is falling"
    if (now, then) == (77, 91):
        assert not news


@pytest.mark.parametrize(("now", "then"), [(9, 8), (6, 5), (17, 16), (120, 100), (160, 100), (60, 100)])
def test_crime_table_colours_only_changes_beyond_chance(now: int, then: int) -> None:
    cell = change_cell(fig(now), fig(then), change_pct_figure(fig(now), fig(then)), "lower_is_better", counts=True)
    beyond = binomtest(now, now + then, 0.5).pvalue < 0.05 and max(now, then) >= 20
    if not beyond:  # 8 -> 9 offences: "Up 13%", no "(worse)", no red
        assert isinstance(cell, str) and "worse" not in cell and "better" not in cell
    else:
        assert isinstance(cell, Cell)
        assert cell.status is (Status.RED if now > then else Status.ON_TRACK)
        assert cell.text.endswith("(worse)" if now > then else "(better)")
