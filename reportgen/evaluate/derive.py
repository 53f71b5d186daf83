"""Derived indicators (``derived.toml``), computed for every area and period at once.

Each derived indicator is built at its own frequency from its inputs' native values; an
input observed more often is first aggregated up to that frequency (complete periods only,
see :mod:`reportgen.evaluate.aggregate`). An input observed less often than the derived
indicator is a configuration error. Derived indicators may use other derived indicators;
they are computed in dependency order.

* ``sum``: the sum of the ``of`` indicators, for an area and period where **every** input
  has a value (a missing crime type would make the total look like a fall).
* ``percentage`` / ``ratio``: numerator over denominator (x100 for a percentage) where both
  are present and the denominator is not 0. The rows keep ``numerator`` and ``denominator``
  so documents can say "28% (150 of 536)", and any later aggregation (a quarter, a year to
  date) is recomputed from the summed parts, never by averaging percentages.
* ``rate_per_1000``: ``of[0]`` per 1,000 residents, using each area's population from
  ``partnership.toml`` (borough, neighbourhoods, comparators). Areas without a configured
  population get no rate.
* ``gap``: the rate per 1,000 of ``of[0]`` in the priority neighbourhoods taken together
  (their counts summed over their populations summed) minus the borough's rate, as a
  percentage of the borough's rate: ``(priority - borough) / borough x 100``. Reported for
  the borough area only, for periods where the borough and every priority neighbourhood
  have a value. If ``of[0]`` is itself a rate per 1,000 it is turned back into counts with
  each area's population first. Internally a gap row carries the rate difference and the
  borough rate as its parts, so a quarter's or a year's gap is recomputed from the period's
  summed rates (the engine blanks these parts in ``Evaluation.values``: they are not
  "x of y" counts).

The loop runs over derived-indicator definitions (a few dozen at most); inside it all work
is on numpy arrays over every area and period.
"""

from __future__ import annotations

import numpy as np

from reportgen.config.models import Config, Derived, DerivedKind, Unit
from reportgen.errors import ConfigError
from reportgen.evaluate.aggregate import KIND_MONTHS, MONTHS_KIND, Cube, Rules, to_kind

DERIVED_FILE = "derived.toml"


def dependency_order(derived: tuple[Derived, ...]) -> list[Derived]:
    """Derived definitions ordered so that each comes after the derived indicators it uses."""
    by_id = {d.id: d for d in derived}
    done: set[str] = set()
    order: list[Derived] = []
    visiting: set[str] = set()

    def visit(d: Derived) -> None:
        if d.id in done:
            return
        if d.id in visiting:
            raise ConfigError(DERIVED_FILE, f"id={d.id!r}", "is defined in terms of itself (a cycle)")
        visiting.add(d.id)
        for ref in d.inputs:
            if ref in by_id:
                visit(by_id[ref])
        visiting.discard(d.id)
        done.add(d.id)
        order.append(d)

    for d in derived:
        visit(d)
    return order


class _Rows:
    """Each indicator's native rows, found once: the base rows are sorted by indicator code a
    single time (a radix sort), so an input is a slice rather than a scan of every row."""

    def __init__(self, cube: Cube, rules: Rules) -> None:
        self.cube = cube
        self.rules = rules
        n_ind = len(cube.indicators)
        ind = cube.ind
        # Frames usually arrive grouped by indicator: then each input is a view, not a copy.
        self.order = None if (ind[1:] >= ind[:-1]).all() else np.argsort(
            ind.astype(np.int16 if n_ind < 2**15 else np.int32), kind="stable"
        )
        self.bounds = np.concatenate([[0], np.cumsum(np.bincount(ind, minlength=n_ind))])
        self.derived: dict[int, Cube] = {}

    def native(self, code: int) -> Cube:
        if code in self.derived:
            return self.derived[code]
        lo, hi = self.bounds[code], self.bounds[code + 1]
        rows = self.cube.take(slice(lo, hi) if self.order is None else self.order[lo:hi])
        native = rows.end - rows.start + 1 == self.rules.native_months[code]
        return rows if native.all() else rows.take(native)


def derive(config: Config, cube: Cube, rules: Rules) -> list[Cube]:
    """The rows of every derived indicator of ``config``, one :class:`Cube` per indicator
    (appending them to the base rows is left to whoever needs one frame of everything)."""
    code = {name: n for n, name in enumerate(cube.indicators)}
    p = config.partnership
    population = {a.id: a.population for a in p.places}  # one scan
    populations = np.array([population.get(a) or np.nan for a in cube.areas], dtype=np.float64)
    units = config.indicators
    index = {d.id: n for n, d in enumerate(config.derived)}
    rows = _Rows(cube, rules)
    for d in dependency_order(config.derived):
        key = f"derived[{index[d.id]}] (id={d.id!r})"
        step = KIND_MONTHS[d.frequency.period_kind]
        inputs = [_input(rows, code[ref], step, key, ref) for ref in d.inputs]
        if d.kind is DerivedKind.SUM:
            part = _sum(inputs, len(cube.areas))
        elif d.kind in (DerivedKind.PERCENTAGE, DerivedKind.RATIO):
            factor = 100.0 if d.kind is DerivedKind.PERCENTAGE else 1.0
            part = _ratio(inputs[0], inputs[1], len(cube.areas), factor)
        elif d.kind is DerivedKind.RATE_PER_1000:
            part = _rate(inputs[0], populations)
        else:
            source_is_rate = units[d.of[0]].unit is Unit.RATE_PER_1000
            part = _gap(config, cube, inputs[0], populations, source_is_rate, key)
        area, start, value, num, den = part
        n = len(value)
        rows.derived[code[d.id]] = Cube(
            cube.indicators,
            cube.areas,
            np.full(n, code[d.id], dtype=np.int32),
            area.astype(np.int32),
            start.astype(np.int32),
            (start + step - 1).astype(np.int32),
            value,
            num,
            den,
        )
    return list(rows.derived.values())


def _input(rows: _Rows, code: int, step: int, key: str, ref: str) -> Cube:
    """The native rows of one input, aggregated up to ``step`` months if finer."""
    native = int(rows.rules.native_months[code])
    if native > step:
        raise ConfigError(
            DERIVED_FILE,
            key,
            f"uses {ref!r}, which is reported less often than this indicator",
            hint="give the derived indicator the same or a coarser frequency than its inputs",
        )
    out = rows.native(code)
    if native < step:
        out = to_kind(out, MONTHS_KIND[step], rows.rules)
        out = out.take(out.end - out.start + 1 == step)
    return out


Part = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _grid(rows: list[Cube], n_areas: int) -> tuple[int, int]:
    starts = [r.start for r in rows if len(r)]
    if not starts:
        return 0, 0
    t0 = int(min(s.min() for s in starts))
    t1 = int(max(s.max() for s in starts))
    return t0, (t1 - t0 + 1) * n_areas


def _cells(rows: Cube, t0: int, n_t: int) -> np.ndarray:
    return rows.area.astype(np.int64) * n_t + (rows.start - t0)


def _empty() -> Part:
    e = np.empty(0)
    return e.astype(np.int32), e.astype(np.int32), e, e, e


def _sum(inputs: list[Cube], n_areas: int) -> Part:
    t0, size = _grid(inputs, n_areas)
    if size == 0:
        return _empty()
    n_t = size // n_areas
    total = np.zeros(size)
    seen = np.zeros(size, dtype=np.int64)
    for rows in inputs:  # a handful of inputs per definition
        cells = _cells(rows, t0, n_t)
        total += np.bincount(cells, weights=rows.value, minlength=size)
        seen += np.bincount(cells, minlength=size)
    full = np.flatnonzero(seen == len(inputs))
    nan = np.full(len(full), np.nan)
    return full // n_t, full % n_t + t0, total[full], nan, nan


def _ratio(num_rows: Cube, den_rows: Cube, n_areas: int, factor: float) -> Part:
    t0, size = _grid([num_rows, den_rows], n_areas)
    if size == 0:
        return _empty()
    n_t = size // n_areas
    num = np.full(size, np.nan)
    den = np.full(size, np.nan)
    num[_cells(num_rows, t0, n_t)] = num_rows.value
    den[_cells(den_rows, t0, n_t)] = den_rows.value
    ok = np.flatnonzero(np.isfinite(num) & np.isfinite(den) & (den != 0))
    return ok // n_t, ok % n_t + t0, num[ok] / den[ok] * factor, num[ok], den[ok]


def _rate(rows: Cube, populations: np.ndarray) -> Part:
    pop = populations[rows.area]
    ok = np.isfinite(pop)
    nan = np.full(int(ok.sum()), np.nan)
    return rows.area[ok], rows.start[ok], rows.value[ok] * 1000.0 / pop[ok], nan, nan


def _gap(
    config: Config, cube: Cube, rows: Cube, populations: np.ndarray, source_is_rate: bool, key: str
) -> Part:
    partnership = config.partnership
    priority = [cube.areas.index(a.id) for a in partnership.priority_areas]
    if not priority:
        raise ConfigError(
            DERIVED_FILE,
            key,
            "a gap indicator needs priority neighbourhoods",
            hint="mark neighbourhoods with priority = true in partnership.toml",
        )
    borough = cube.areas.index(partnership.borough.id)
    if len(rows) == 0:
        return _empty()
    counts = rows.value * populations[rows.area] / 1000.0 if source_is_rate else rows.value
    t0 = int(rows.start.min())
    n_t = int(rows.start.max()) - t0 + 1
    t = rows.start - t0
    is_priority = np.isin(rows.area, priority)
    pri_count = np.bincount(t[is_priority], weights=counts[is_priority], minlength=n_t)
    pri_seen = np.bincount(t[is_priority], minlength=n_t)
    is_borough = rows.area == borough
    bor_count = np.full(n_t, np.nan)
    bor_count[t[is_borough]] = counts[is_borough]
    pri_rate = pri_count / populations[priority].sum() * 1000.0
    bor_rate = bor_count / populations[borough] * 1000.0
    ok = np.flatnonzero((pri_seen == len(priority)) & np.isfinite(bor_rate) & (bor_rate != 0))
    diff = pri_rate[ok] - bor_rate[ok]
    gap = diff * 100.0 / bor_rate[ok]
    return np.full(len(ok), borough), ok + t0, gap, diff, bor_rate[ok]
