"""Benchmark the vectorised SPC summary: 30,000 series x 156 months (4.68 million rows).

Run from the repository root: ``python tests/benchmarks/bench_spc.py``. Prints one table row per
case: rows, series, best wall-clock seconds over a few repeats, and peak traced memory (MB, by
tracemalloc, measured in a separate run so tracing does not slow the timed runs).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a clean clone

from reportgen.evaluate.spc import spc_summary, xmr_points  # noqa: E402

N_INDICATORS, N_AREAS, N_STRATEGIES, N_MONTHS = 10, 300, 10, 156
KEYS = ["indicator", "area", "strategy"]
REPEATS = 5


def make_frame(seed: int = 0) -> pd.DataFrame:
    """Long frame: every series has every month from April 2013 (t = year * 12 + month)."""
    rng = np.random.default_rng(seed)
    n_series = N_INDICATORS * N_AREAS * N_STRATEGIES
    ind = np.repeat([f"ind{i:02d}" for i in range(N_INDICATORS)], N_AREAS * N_STRATEGIES)
    area = np.tile(np.repeat([f"area{i:03d}" for i in range(N_AREAS)], N_STRATEGIES), N_INDICATORS)
    strat = np.tile([f"strategy{i}" for i in range(N_STRATEGIES)], N_INDICATORS * N_AREAS)
    t0 = 2013 * 12 + 4
    level = rng.uniform(5, 500, n_series)
    return pd.DataFrame(
        {
            "indicator": np.repeat(ind, N_MONTHS),
            "area": np.repeat(area, N_MONTHS),
            "strategy": np.repeat(strat, N_MONTHS),
            "t": np.tile(np.arange(t0, t0 + N_MONTHS), n_series),
            "value": rng.poisson(np.repeat(level, N_MONTHS)).astype(float),
        }
    )


def timed(fn) -> tuple[float, float, object]:
    best = float("inf")
    result = None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20, result


def main() -> None:
    df = make_frame()
    t_last = int(df["t"].max())
    # A realistic mess: 2% of rows missing (gaps), so about half the series are short of 24 points
    # in the last 24 months and the fallback pass runs. Row order kept, as a store returns it.
    gappy = df[np.random.default_rng(1).random(len(df)) >= 0.02]
    # Worst case: the same rows in random order (string keys scattered in memory: cache misses).
    shuffled = gappy.sample(frac=1.0, random_state=2)
    cat = df.astype(dict.fromkeys(KEYS, "category"))
    one = df.loc[(df["indicator"] == "ind00") & (df["area"] == "area000") & (df["strategy"] == "strategy0")]

    cases = [
        ("summary, str keys, t_report = last month", df, lambda: spc_summary(df, KEYS, t_last)),
        ("summary, str keys, t_report = 5 years back", df, lambda: spc_summary(df, KEYS, t_last - 60)),
        ("summary, categorical keys", cat, lambda: spc_summary(cat, KEYS, t_last)),
        (
            "summary, fixed baseline window (first 24 months)",
            df,
            lambda: spc_summary(df, KEYS, t_last, baseline_start=t_last - 155, baseline_end=t_last - 132),
        ),
        ("summary, 2% rows missing (gap fallback)", gappy, lambda: spc_summary(gappy, KEYS, t_last)),
        ("summary, 2% missing, rows shuffled", shuffled, lambda: spc_summary(shuffled, KEYS, t_last)),
        ("xmr_points, one series of 156", one, lambda: xmr_points(one["value"].to_numpy())),
    ]
    print(f"{'case':<52} {'rows':>10} {'series':>8} {'seconds':>9} {'peak MB':>9}")
    for name, frame, fn in cases:
        seconds, peak_mb, result = timed(fn)
        n_series = len(result) if name.startswith("summary") else 1
        print(f"{name:<52} {len(frame):>10,} {n_series:>8,} {seconds:>9.3f} {peak_mb:>9.1f}")


if __name__ == "__main__":
    main()
