"""How long the documents take: `run board-pack` and `run annual-review` on the demo.

Prints wall and CPU seconds per stage (from each run's manifest) and in total, CPU
including the forked rendering processes. Run from the repository root:

    python tests/benchmarks/bench_reports.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from demo_reports import DEMO, demo_store  # noqa: E402

from reportgen.pipeline import Session, generate, read_manifest  # noqa: E402


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = demo_store(Path(folder))
        rows = []
        for report, period in (("board-pack", "2005-03"), ("annual-review", "2004/05")):
            for parallel in (True, False):
                for n in range(args.repeat):
                    wall, used = time.perf_counter(), cpu()
                    session = Session(DEMO, url)  # a fresh session: charts and evaluation not cached
                    out = Path(folder) / "out"
                    run = generate(report, period, out_dir=out, session=session, parallel=parallel)
                    session.close()
                    wall, used = time.perf_counter() - wall, cpu() - used
                    t = read_manifest(run.manifest)["timings"]
                    pages = run.files[0].stat().st_size
                    rows.append(
                        (
                            report,
                            "parallel" if parallel else "serial",
                            n + 1,
                            wall,
                            used,
                            t["evaluate"],
                            t["charts"],
                            t["build"],
                            t["render"],
                            pages,
                        )
                    )
    print(
        f"{'report':<14} {'formats':<9} {'run':>3} {'wall s':>7} {'cpu s':>6} {'eval':>6} {'charts':>6} "
        f"{'build':>6} {'render':>6} {'pdf KB':>7}"
    )
    for r in rows:
        print(
            f"{r[0]:<14} {r[1]:<9} {r[2]:>3} {r[3]:>7.2f} {r[4]:>6.2f} {r[5]:>6.2f} {r[6]:>6.2f} "
            f"{r[7]:>6.2f} {r[8]:>6.2f} {r[9] / 1024:>7.0f}"
        )


if __name__ == "__main__":
    main()
