"""Statistical disclosure control for public documents.

Public documents must not show a count so small that it could point to a person, nor any
figure from which such a count could be worked out. Two rules:

- **primary suppression**: a count below the indicator's ``small_number_threshold`` is
  shown as "fewer than N";
- **secondary suppression**: where a total is published alongside its parts (crime types
  summing to all crime; neighbourhoods summing to the borough), one hidden part could be
  recovered as ``total - sum(other parts)``. So more parts are hidden, smallest first,
  until at least two are hidden and the hidden parts together reach the threshold (the
  usual ONS rule): the difference then reveals nothing smaller than N about anyone.

Derived figures follow their inputs: a change, a difference or a rate built from a hidden
count is hidden too, because the published comparison figure would give the count back.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from reportgen.i18n import SOURCE_LANGUAGE, _, current

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)

Reason = Literal["", "small", "secondary", "missing", "derived"]


def fewer_than(threshold: int) -> str:
    """The public wording for a suppressed count."""
    return _("fewer than {n}").format(n=format_number(threshold))


def format_number(value: float, decimals: int = 0) -> str:
    """Thousands separators, fixed decimals, half-up rounding (as the public expects), in
    the language in force (Polish '4 095' with a no-break space, '18,2')."""
    scale = 10**decimals
    rounded = math.floor(abs(value) * scale + 0.5) / scale
    lang = current()
    text = f"{rounded:,.{decimals}f}" if lang.code == SOURCE_LANGUAGE else lang.number(rounded, decimals)
    return f"-{text}" if value < 0 and rounded != 0 else text


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def is_small(value: float | None, threshold: int) -> bool:
    """True when a count is below a positive threshold (zero counts are small too)."""
    return threshold > 0 and value is not None and not is_missing(value) and float(value) < threshold


@dataclass(frozen=True)
class Figure:
    """A figure as it may be published: the text to print and whether it is withheld.

    ``value`` is kept for building other safe figures; never print it when ``suppressed``.
    """

    value: float | None
    text: str
    suppressed: bool = False
    reason: Reason = ""

    @property
    def shown(self) -> bool:
        return not self.suppressed and not is_missing(self.value)

    @property
    def number(self) -> float:
        """``value`` for arithmetic on a figure that has one (every shown figure, and a withheld
        count kept for building other safe figures); a figure without a value refuses."""
        if self.value is None:
            raise ValueError(f"the figure {self.text!r} has no value")
        return float(self.value)

    @property
    def safe_value(self) -> float | None:
        """The value if it may be published, else None."""
        return self.number if self.shown else None


def count_figure(value: float | None, threshold: int, decimals: int = 0) -> Figure:
    """Primary suppression of one count."""
    if value is None or is_missing(value):
        return Figure(None, _("not available"), suppressed=True, reason="missing")
    if is_small(value, threshold):
        return Figure(float(value), fewer_than(threshold), suppressed=True, reason="small")
    return Figure(float(value), format_number(float(value), decimals))


def hide(figure: Figure, threshold: int, reason: Reason = "secondary") -> Figure:
    """Withhold a figure that is not small itself but would reveal one that is.

    It reads "fewer than N" only if it really is; otherwise it just says it is withheld,
    so the wording never states something untrue.
    """
    if figure.suppressed:
        return figure
    text = fewer_than(threshold) if is_small(figure.value, threshold) else _("not shown")
    return Figure(figure.value, text, suppressed=True, reason=reason)


def protect_group(
    cells: dict[K, Figure], total: Figure | None, threshold: int
) -> tuple[dict[K, Figure], Figure | None, bool]:
    """The secondary rule over already-primary-suppressed parts that add up to ``total``.

    Returns the parts, the total and whether anything more was hidden. Use it to re-protect
    a group after hiding a part for a reason of its own.
    """
    changed = False
    cells = dict(cells)
    if total is not None and not total.suppressed and is_small(total.value, threshold):
        total, changed = hide(total, threshold, "small"), True
    # Missing parts add nothing to the total, so they do not help hide anything.
    hidden = [k for k, f in cells.items() if f.suppressed and f.reason != "missing"]
    if total is None or total.suppressed or not hidden:
        return cells, total, changed

    def hidden_sum() -> float:
        return sum(float(cells[k].value or 0) for k in hidden)

    while len(hidden) < 2 or hidden_sum() < threshold:
        candidates = [k for k, f in cells.items() if not f.suppressed]
        if not candidates:
            # Every part is hidden and still they add up to a small number: hide the total.
            total, changed = hide(total, threshold), True
            break
        smallest = min(candidates, key=lambda k: (float(cells[k].value or 0), str(k)))
        cells[smallest] = hide(cells[smallest], threshold)
        hidden.append(smallest)
        changed = True
    return cells, total, changed


def protect_parts(
    parts: Mapping[K, float | None], threshold: int, total: float | None = None, decimals: int = 0
) -> tuple[dict[K, Figure], Figure | None]:
    """Suppress small parts, then enough others that none can be recovered from the total.

    Pass ``total`` whenever the total is published anywhere (even on another page or
    another leaflet): without a total nothing can be back-calculated and only primary
    suppression applies.
    """
    cells = {k: count_figure(v, threshold, decimals) for k, v in parts.items()}
    total_figure = None if total is None else count_figure(total, threshold, decimals)
    cells, total_figure, _changed = protect_group(cells, total_figure, threshold)
    return cells, total_figure


@dataclass(frozen=True)
class ProtectedGrid(Generic[R, C]):
    """A table of counts with its margins, after primary and secondary suppression."""

    cells: dict[tuple[R, C], Figure]
    row_totals: dict[R, Figure]
    column_totals: dict[C, Figure]
    grand_total: Figure | None

    def cell(self, row: R, column: C) -> Figure:
        return self.cells[(row, column)]


def protect_grid(
    cells: Mapping[tuple[R, C], float | None],
    threshold: int | Mapping[C, int],
    *,
    row_totals: Mapping[R, float | None] | None = None,
    column_totals: Mapping[C, float | None] | None = None,
    grand_total: float | None = None,
    decimals: int = 0,
) -> ProtectedGrid[R, C]:
    """Two-way suppression: rows (e.g. areas) and columns (e.g. crime types) both add up.

    The one-way rule is applied to every row and every column in turn until nothing more
    changes, since hiding a cell to protect its row can expose its column. ``threshold``
    may differ by column (each indicator has its own). Margins that are not published are
    passed as None and then do not force secondary suppression.
    """

    def limit(column: C) -> int:
        return threshold[column] if isinstance(threshold, Mapping) else threshold

    rows = list(dict.fromkeys(r for r, _c in cells))
    columns = list(dict.fromkeys(c for _r, c in cells))
    # A margin spanning columns with different thresholds is held to the strictest.
    row_limit = max((limit(c) for c in columns), default=0)
    grid = {(r, c): count_figure(v, limit(c), decimals) for (r, c), v in cells.items()}
    row_fig = {r: count_figure(v, row_limit, decimals) for r, v in (row_totals or {}).items()}
    col_fig = {c: count_figure(v, limit(c), decimals) for c, v in (column_totals or {}).items()}
    grand = None if grand_total is None else count_figure(grand_total, row_limit, decimals)

    changed = True
    while changed:
        changed = False
        for r in rows:
            group = {c: grid[(r, c)] for c in columns if (r, c) in grid}
            new, total, moved = protect_group(group, row_fig.get(r), row_limit)
            if moved:
                changed = True
                grid.update({(r, c): f for c, f in new.items()})
                if r in row_fig and total is not None:
                    row_fig[r] = total
        for c in columns:
            down = {r: grid[(r, c)] for r in rows if (r, c) in grid}
            new_down, total, moved = protect_group(down, col_fig.get(c), limit(c))
            if moved:
                changed = True
                grid.update({(r, c): f for r, f in new_down.items()})
                if c in col_fig and total is not None:
                    col_fig[c] = total
        # The margins are parts of the grand total in both directions.
        margins: tuple[tuple[dict[Any, Figure], int], ...] = ((row_fig, row_limit), (col_fig, row_limit))  # R or C keys
        for margin, lim in margins:
            if grand is None or not margin:
                continue
            new, grand_new, moved = protect_group(dict(margin), grand, lim)
            if moved:
                changed = True
                margin.update(new)
                grand = grand_new
    return ProtectedGrid(grid, row_fig, col_fig, grand)


def difference_figure(current: Figure, previous: Figure, decimals: int = 0) -> Figure:
    """current - previous, withheld if either side is (else it would give the other back)."""
    if not (current.shown and previous.shown):
        return Figure(None, _("not shown"), suppressed=True, reason="derived")
    diff = current.number - previous.number
    return Figure(diff, format_number(diff, decimals))


def change_pct_figure(current: Figure, previous: Figure) -> Figure:
    """Percentage change, withheld if either side is withheld or the base is zero."""
    if not (current.shown and previous.shown) or previous.number == 0:
        return Figure(None, _("not shown"), suppressed=True, reason="derived")
    pct = (current.number - previous.number) / previous.number * 100
    return Figure(pct, format_number(pct, 0))


def rate_figure(count: Figure, population: float, per: int = 1000, decimals: int = 1) -> Figure:
    """A rate per ``per`` residents; withheld when its count is, as rate x population = count."""
    if not count.shown or population <= 0:
        return Figure(None, _("not shown"), suppressed=True, reason="derived")
    rate = count.number / population * per
    return Figure(rate, format_number(rate, decimals))


def rolling_figure(quarters: Iterable[float | None], total: float | None, threshold: int) -> Figure:
    """A 12-month total, withheld if any of its quarters is small.

    Quarterly leaflets publish each quarter; a year's total minus three earlier published
    quarters would otherwise recover a small fourth.
    """
    figure = count_figure(total, threshold)
    if any(is_small(q, threshold) for q in quarters):
        return hide(figure, threshold)
    return figure
