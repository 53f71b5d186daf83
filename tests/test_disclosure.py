"""Small-number suppression: small counts read "fewer than N", nothing can be back-calculated."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reportgen.reports.disclosure import (
    change_pct_figure,
    count_figure,
    difference_figure,
    protect_grid,
    protect_parts,
    rate_figure,
    rolling_figure,
)


def recoverable(parts: dict, total) -> list:
    """Parts an attacker can compute exactly as total minus the other shown parts."""
    if total is None or not total.shown:
        return []
    hidden = [k for k, f in parts.items() if not f.shown and f.reason != "missing"]
    if len(hidden) == 1:
        return hidden
    return []


def hidden_sum_small(parts: dict, total, threshold: int) -> bool:
    hidden = [f for f in parts.values() if not f.shown and f.reason != "missing"]
    return bool(total is not None and total.shown and hidden and sum(f.value for f in hidden) < threshold)


def test_primary_suppression_wording() -> None:
    assert count_figure(3, 5).text == "fewer than 5"
    assert count_figure(0, 5).text == "fewer than 5"
    assert count_figure(5, 5).text == "5"
    assert count_figure(1234, 5).text == "1,234"
    assert count_figure(3, 0).text == "3"  # no threshold: nothing to protect
    assert count_figure(None, 5).text == "not available"


def test_one_small_part_forces_a_second_and_keeps_the_total() -> None:
    parts = {"north": 3, "south": 40, "east": 25, "west": 60}
    cells, total = protect_parts(parts, threshold=5, total=sum(parts.values()))
    assert cells["north"].text == "fewer than 5"
    assert cells["east"].suppressed and cells["east"].text == "not shown"  # the next smallest
    assert cells["south"].text == "40" and cells["west"].text == "60"
    assert total is not None and total.text == "128"
    # What a reader can work out: east + north = 128 - 40 - 60 = 28, not either of them.
    assert recoverable(cells, total) == []


def test_two_small_parts_adding_to_a_small_number_need_a_third() -> None:
    parts = {"a": 1, "b": 2, "c": 30, "d": 50}
    cells, total = protect_parts(parts, threshold=5, total=83)
    assert cells["a"].suppressed and cells["b"].suppressed and cells["c"].suppressed
    assert not hidden_sum_small(cells, total, 5)


def test_everything_small_hides_the_total() -> None:
    cells, total = protect_parts({"a": 1, "b": 2}, threshold=5, total=3)
    assert total is not None and total.suppressed and total.text == "fewer than 5"


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8), st.integers(1, 10))
def test_no_part_is_ever_recoverable(values: list[int], threshold: int) -> None:
    parts = {f"p{i}": v for i, v in enumerate(values)}
    cells, total = protect_parts(parts, threshold=threshold, total=sum(values))
    for key, value in parts.items():
        if value < threshold:
            assert cells[key].text == f"fewer than {threshold}"
    assert recoverable(cells, total) == []
    assert not hidden_sum_small(cells, total, threshold)


def test_derived_figures_follow_their_inputs() -> None:
    small, big = count_figure(3, 5), count_figure(40, 5)
    assert difference_figure(small, big).suppressed
    assert difference_figure(big, small).suppressed
    assert change_pct_figure(big, small).suppressed
    assert rate_figure(small, population=4000).suppressed
    assert rate_figure(big, population=4000).text == "10.0"
    assert change_pct_figure(count_figure(30, 5), big).text == "-25"
    assert rolling_figure([10, 3, 12, 11], 36, 5).suppressed
    assert rolling_figure([10, 6, 12, 11], 39, 5).text == "39"


def _grid_is_safe(grid, cells) -> None:
    rows = {r for r, _ in cells}
    cols = {c for _, c in cells}
    for r in rows:
        part = {c: grid.cells[(r, c)] for c in cols}
        assert recoverable(part, grid.row_totals.get(r)) == [], r
    for c in cols:
        part = {r: grid.cells[(r, c)] for r in rows}
        assert recoverable(part, grid.column_totals.get(c)) == [], c


def test_manchester_ward_burglary_grid(shared_data: Path) -> None:
    """Real counts: 32 Manchester wards x 12 months of burglary (17 cells below 8)."""
    path = shared_data / "police-uk" / "gmp" / "manchester_ward_monthly_burglary_2018.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = {(r["ward_name"], r["month"]): float(r["number_of_crimes"]) for r in rows}
    wards = sorted({w for w, _ in cells})
    months = sorted({m for _, m in cells})
    for w, m in itertools.product(wards, months):
        cells.setdefault((w, m), 0.0)
    row_totals = {w: sum(cells[(w, m)] for m in months) for w in wards}
    col_totals = {m: sum(cells[(w, m)] for w in wards) for m in months}
    grid = protect_grid(cells, 8, row_totals=row_totals, column_totals=col_totals,
                        grand_total=sum(row_totals.values()))
    small = [k for k, v in cells.items() if v < 8]
    assert len(small) >= 17
    for key in small:
        assert grid.cells[key].text == "fewer than 8"
    _grid_is_safe(grid, cells)
    secondary = [k for k, f in grid.cells.items() if f.reason == "secondary"]
    assert secondary, "some larger cells must be hidden to protect the small ones"
    # Suppression is kept to what is needed: most of the table is still published.
    assert sum(f.shown for f in grid.cells.values()) > 0.8 * len(cells)
    assert grid.grand_total is not None and grid.grand_total.shown


def test_grid_with_per_column_thresholds() -> None:
    cells = {("north", "burglary"): 2, ("south", "burglary"): 30, ("east", "burglary"): 30,
             ("north", "asb"): 50, ("south", "asb"): 60, ("east", "asb"): 70}
    row_totals = {"north": 52, "south": 90, "east": 100}
    col_totals = {"burglary": 62, "asb": 180}
    grid = protect_grid(cells, {"burglary": 5, "asb": 0}, row_totals=row_totals, column_totals=col_totals)
    assert grid.cell("north", "burglary").text == "fewer than 5"
    # North's asb would give north's burglary back from north's total, so it goes too.
    assert grid.cell("north", "asb").suppressed
    _grid_is_safe(grid, cells)
