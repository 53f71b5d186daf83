"""In-process measurements run in a child process, printing one JSON line.

``python -m tests.benchmarks.probes html REPORT PERIOD CONFIG STORE OUT``
``python -m tests.benchmarks.probes evaluate``
``python -m tests.benchmarks.probes ingest CONFIG FILE``
``python -m tests.benchmarks.probes evaluate-store CONFIG STORE PERIOD``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _timed(fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def html(report: str, period: str, config_dir: str, store: str, out: str) -> dict[str, object]:
    from reportgen.periods import Period
    from reportgen.pipeline import Session
    from reportgen.render.html import render_html
    from reportgen.reports import builder
    from reportgen.reports.base import ReportContext

    session = Session(Path(config_dir), store)
    p = Period.parse(period)
    ctx = ReportContext(
        config=session.config,
        evaluation=session.evaluation(p),
        period=p,
        charts=session.charts,
        options={},
        returns_status=session.returns_status(p),
        data_as_at=session.data_as_at(p),
    )
    stem, doc = builder(report).build(ctx)[0]
    Path(out).write_text(render_html(doc, "print"), encoding="utf-8")
    return {"stem": stem}


def evaluate() -> dict[str, object]:
    """evaluate() over ~4.7M observations against one groupby-sum over the same frame."""
    from reportgen.evaluate.engine import evaluate as run
    from reportgen.periods import Period
    from tests.benchmarks.bench_evaluate import synthetic_config, synthetic_frame

    config = synthetic_config()
    frame = synthetic_frame(config)
    period = Period.parse("2012-03")
    run(config, frame.iloc[:1000], period)  # first-call imports outside the timing
    _, anchor, anchor_cpu = _timed(
        lambda: frame.groupby(["indicator", "area"], observed=True)["value"].sum()
    )
    _, work, work_cpu = _timed(lambda: run(config, frame, period))
    return {"rows": len(frame), "work": work, "work_cpu": work_cpu, "anchor": anchor, "anchor_cpu": anchor_cpu}


def ingest(config_dir: str, file: str) -> dict[str, object]:
    """Read, aggregate, validate and store a police.uk file, against read_csv of it alone."""
    import tempfile

    import pandas as pd

    from reportgen.config import load_config
    from reportgen.pull import pull
    from reportgen.store import Store

    config = load_config(Path(config_dir))
    _, anchor, anchor_cpu = _timed(lambda: pd.read_csv(file))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/ingest.sqlite", partnership=config.partnership.id)
        store.frame()  # schema created outside the timing, as a running service has it
        (summaries, failures), work, work_cpu = _timed(lambda: pull(config, store))
        store.dispose()
    if failures:
        raise SystemExit(f"pull failed: {failures[0].error}")
    with open(file, encoding="utf-8") as fh:
        rows = sum(1 for _ in fh) - 1
    loaded = sum(s.new + s.revised + s.unchanged for s in summaries)
    return {"rows": rows, "observations": loaded, "work": work, "work_cpu": work_cpu, "anchor": anchor,
            "anchor_cpu": anchor_cpu}


def evaluate_store(config_dir: str, store: str, period: str) -> dict[str, object]:
    """One partnership read from ``store`` and evaluated for ``period``, as a run does it
    (imports outside the timing): the store's share is the read, the rest is evaluation."""
    from reportgen.periods import Period
    from reportgen.pipeline import Session

    p = Period.parse(period)
    wall, cpu = time.perf_counter(), time.process_time()
    session = Session(Path(config_dir), store)
    read = time.perf_counter() - wall
    session.evaluation(p)
    work, work_cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = len(session.observations)
    session.close()
    return {"rows": rows, "work": work, "work_cpu": work_cpu, "read": read}


def main(argv: list[str]) -> int:
    name, *args = argv
    result = {"html": html, "evaluate": evaluate, "ingest": ingest, "evaluate-store": evaluate_store}[name](*args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
