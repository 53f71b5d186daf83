"""Benchmark: evaluate 100 indicators x 300 areas x 156 months (~4.7M observations).

Builds the observation frame synthetically in memory (categorical indicator/area/period
columns, as a large store would hand over) and a synthetic config object (100 monthly base
indicators, 10 derived: sums, rates per 1,000, a gap, a percentage; one strategy with
single, all_improve, fraction_improve and threshold targets), then times one
``evaluate()`` for one month and compares it with one bare pandas groupby-sum over the
same frame. Run: ``python tests/benchmarks/bench_evaluate.py [--profile]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reportgen.config.models import (  # noqa: E402
    Area,
    BigTarget,
    Comparator,
    Config,
    Contact,
    Derived,
    Indicator,
    Measure,
    Partner,
    Partnership,
    Strategy,
)
from reportgen.evaluate.engine import evaluate  # noqa: E402
from reportgen.periods import Period  # noqa: E402

N_BASE, N_AREAS, N_MONTHS = 100, 300, 156
FIRST = Period.parse("2000-04")


def synthetic_config() -> Config:
    neighbourhoods = tuple(
        Area(id=f"n{i:03d}", name=f"Neighbourhood {i}", population=5_000 + 10 * i, priority=i % 10 == 0)
        for i in range(N_AREAS - 3)
    )
    partnership = Partnership(
        name="Benchmark CSP",
        contact=Contact(name="Team"),
        borough=Area(id="borough", name="Borough", population=2_000_000),
        neighbourhoods=neighbourhoods,
        comparators=(
            Comparator(id="gm", name="Greater Manchester", population=2_500_000),
            Comparator(id="ew", name="England and Wales", population=53_000_000),
        ),
    )
    indicators = tuple(
        Indicator(
            id=f"i{i:03d}",
            title=f"Indicator {i}",
            unit="count",
            polarity=("lower_is_better", "higher_is_better", "contextual")[i % 3],
        )
        for i in range(N_BASE)
    )
    derived = (
        *(
            Derived(
                id=f"sum{k}",
                title=f"Sum {k}",
                kind="sum",
                of=tuple(f"i{j:03d}" for j in range(10 * k, 10 * k + 10)),
                unit="count",
                polarity="lower_is_better",
            )
            for k in range(4)
        ),
        *(
            Derived(
                id=f"rate{k}",
                title=f"Rate {k}",
                kind="rate_per_1000",
                of=(f"sum{k}",),
                unit="rate_per_1000",
                polarity="lower_is_better",
                decimals=1,
            )
            for k in range(4)
        ),
        Derived(
            id="gap", title="Gap", kind="gap", of=("sum0",), unit="percentage", polarity="lower_is_better"
        ),
        Derived(
            id="pct",
            title="Share",
            kind="percentage",
            numerator="i040",
            denominator="i041",
            unit="percentage",
            polarity="higher_is_better",
        ),
    )
    strategy = Strategy(
        id="s",
        title="Strategy",
        baseline_period="2003/04",
        target_period="2007/08",
        targets=(
            BigTarget(
                id="t1", number=1, title="Crime", measures=(Measure(indicator="sum0", change_pct=-22),)
            ),
            BigTarget(
                id="t2",
                number=2,
                title="All",
                rule="all_improve",
                measures=tuple(Measure(indicator=f"i{j:03d}", change_pct=-5) for j in range(14)),
            ),
            BigTarget(
                id="t3",
                number=3,
                title="Three quarters",
                rule="fraction_improve",
                fraction=0.75,
                measures=tuple(Measure(indicator=f"i{j:03d}", change_pct=5) for j in range(50, 58)),
            ),
            BigTarget(
                id="t4",
                number=4,
                title="Gap",
                rule="threshold",
                threshold=33,
                measures=(Measure(indicator="gap", target_value=33),),
            ),
        ),
    )
    return Config(
        root=".",
        partnership=partnership,
        partners=(Partner(id="p", name="Partner", indicators=indicators),),
        derived=derived,
        strategies=(strategy,),
    )


def synthetic_frame(config: Config) -> pd.DataFrame:
    rng = np.random.default_rng(42)
    p = config.partnership
    areas = [p.borough.id, *(a.id for a in p.neighbourhoods), *(c.id for c in p.comparators)]
    inds = [f"i{i:03d}" for i in range(N_BASE)]
    months = np.arange(FIRST.start, FIRST.start + N_MONTHS)
    n = N_BASE * N_AREAS * N_MONTHS
    ind_codes = np.repeat(np.arange(N_BASE, dtype=np.int16), N_AREAS * N_MONTHS)
    area_codes = np.tile(np.repeat(np.arange(N_AREAS, dtype=np.int16), N_MONTHS), N_BASE)
    month = np.tile(months, N_BASE * N_AREAS)
    level = rng.uniform(5, 500, N_BASE * N_AREAS).repeat(N_MONTHS)
    value = np.round(level * (1 + 0.1 * rng.standard_normal(n)) - 0.002 * level * (month - FIRST.start))
    keys = [Period(int(m), int(m), Period.month(2000, 1).kind).key for m in months]
    return pd.DataFrame(
        {
            "indicator": pd.Categorical.from_codes(ind_codes, categories=inds),
            "area": pd.Categorical.from_codes(area_codes, categories=areas),
            "period": pd.Categorical.from_codes(
                np.tile(np.arange(N_MONTHS), N_BASE * N_AREAS), categories=keys
            ),
            "period_start": month.astype(np.int64),
            "period_end": month.astype(np.int64),
            "value": np.maximum(value, 0.0),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2012-03")
    parser.add_argument("--profile", action="store_true", help="profile with pyinstrument")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is reported")
    args = parser.parse_args()
    period = Period.parse(args.period)
    config = synthetic_config()
    t0 = time.perf_counter()
    frame = synthetic_frame(config)
    build = time.perf_counter() - t0
    gc.collect()

    t0, c0 = time.perf_counter(), time.process_time()
    bare = frame.groupby(["indicator", "area"], observed=True)["value"].sum()
    t_bare, c_bare = time.perf_counter() - t0, time.process_time() - c0
    del bare

    evaluate(config, frame.iloc[:1000], period)  # warm imports (spc, numpy paths) outside the timing
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    walls, cpus = [], []
    for _ in range(1 if args.profile else args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = evaluate(config, frame, period)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    wall, cpu = sorted(walls)[len(walls) // 2], sorted(cpus)[len(cpus) // 2]
    if args.profile:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False))
    t0 = time.perf_counter()
    n_values = len(result.values)  # the long frame documents read, built on first use
    t_values = time.perf_counter() - t0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del result
    gc.collect()
    tracemalloc.start()
    evaluate(config, frame, period)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rows = [
        ("observations", f"{len(frame):,}"),
        ("series (indicator x area)", f"{(N_BASE + len(config.derived)) * N_AREAS:,}"),
        ("build synthetic frame", f"{build:.2f} s"),
        ("evaluate() wall time (median)", f"{wall:.2f} s"),
        ("evaluate() CPU time (median)", f"{cpu:.2f} s"),
        (f"+ values frame ({n_values:,} rows)", f"{t_values:.2f} s"),
        ("bare groupby-sum wall / CPU", f"{t_bare:.2f} s / {c_bare:.2f} s"),
        ("ratio evaluate / groupby-sum (wall)", f"{wall / t_bare:.1f}x"),
        ("ratio evaluate / groupby-sum (CPU)", f"{cpu / c_bare:.1f}x"),
        ("load average (shared machine)", " ".join(f"{x:.1f}" for x in os.getloadavg())),
        ("peak extra memory (tracemalloc)", f"{peak / 2**20:,.0f} MiB"),
        ("max RSS before / after", f"{rss_before:,.0f} / {rss_after:,.0f} MiB"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 14}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
