"""How much of each compared window the data covers, and why a figure is missing.

An incomplete window has no value (see :mod:`reportgen.evaluate.aggregate`), which is right,
but "no data" is the wrong thing to tell a reader when the month itself has 2,034 crimes and
the rolling year simply starts before the first file. These columns say which it is:

* ``months_needed``: months in the window the figure is compared on (12 for a rolling year
  or a financial year, 3 for a quarter, 1 for a month);
* ``months_available``: how many of those months the indicator's observations cover;
* ``missing_reason``: empty when the figure and (for a targeted measure) its baseline exist;
  otherwise one phrase: "not enough months yet (10 of 12)" (the series starts inside the
  window), "2 of its 12 months missing" (a gap), "no data for December 2022" (the period),
  "baseline 2022/23 not complete (9 of 12 months)" or "no baseline value for 2003/04".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from reportgen.config.models import Config

COVERAGE_COLUMNS = ["months_needed", "months_available", "missing_reason"]


def add_coverage(
    config: Config,
    frame: pd.DataFrame,
    rows: pd.DataFrame,
    compared_months: np.ndarray,
    baseline_months: dict[str, np.ndarray],
    keys: np.ndarray,
    ind: np.ndarray,
    win: dict[str, np.ndarray],
    *,
    first_month: Callable[[], np.ndarray],
) -> None:
    """Set the coverage columns of ``frame`` (one row per ``rows``/``keys``), in place.

    ``first_month()`` gives each row's first month with data inside its compared window; it
    is only called when some window is partly covered."""
    needed = (win["eval_hi"] - win["cmp_lo"] + 1)[ind].astype(np.int64)
    # native rows never overlap a window's edge by more than it holds, but clip to be safe
    available = np.minimum(np.asarray(compared_months, dtype=np.int64), needed)
    frame["months_needed"] = needed
    frame["months_available"] = available
    compare = frame["compare_value"].to_numpy(dtype=float)
    labels = frame["period_label"].to_numpy(dtype=object)
    reasons = np.full(len(frame), "", dtype=object)
    gone = np.isnan(compare)
    # The period itself has data but its window lacks some months: "not enough months yet"
    # when they are the months before the series began (a rolling year that starts before
    # the first file), else a gap inside the window. A missing period is "no data for" it.
    # (a rolling year's own period is its last month; a year or quarter is its own window)
    own_period = ~win["rolling"][ind] | ~np.isnan(frame["value"].to_numpy(dtype=float))
    partial = gone & (available > 0) & own_period
    if partial.any():
        lo = (win["eval_hi"][ind] - needed + 1).astype(np.int64)
        starts_late = np.asarray(first_month(), dtype=np.int64) - lo == needed - available
    for i in np.flatnonzero(gone):
        if not partial[i]:
            reasons[i] = f"no data for {labels[i]}"
        elif starts_late[i]:
            reasons[i] = f"not enough months yet ({available[i]} of {needed[i]})"
        else:
            reasons[i] = f"{needed[i] - available[i]} of its {needed[i]} months missing"
    strategies = {s.id: s for s in config.strategies}
    strategy_of = rows["strategy"].to_numpy(dtype=object)
    measures = rows["measure"].to_numpy(dtype=object)
    baseline = frame["baseline_value"].to_numpy(dtype=float)
    for i in np.flatnonzero(~gone & (strategy_of != "") & np.isnan(baseline)):
        s = strategies[strategy_of[i]]
        if measures[i] is not None and measures[i].baseline_value is not None:
            continue
        held = int(baseline_months[s.id][keys[i]]) if s.id in baseline_months else 0
        want = s.baseline.n_months
        reasons[i] = (
            f"baseline {s.baseline.label} not complete ({min(held, want)} of {want} months)"
            if 0 < held < want
            else f"no baseline value for {s.baseline.label}"
        )
    frame["missing_reason"] = reasons
