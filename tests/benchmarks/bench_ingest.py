"""Benchmark: the police.uk connector on a 500,000-row street-level file.

    python tests/benchmarks/bench_ingest.py [ROWS]

The file is built from the real rows bundled with the Hartlepool example, repeated with
their months shifted (each copy 13 months later than the one before), so it has the
shape, text and mix of a real file. Each measurement runs in a fresh interpreter, so the
peak memory (max RSS) is that run's alone; "baseline" is an interpreter that has only
imported what the run imports. Compared with a bare ``pandas.read_csv`` of the same file.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "hartlepool"

RUNS = {
    "baseline (imports only)": """
import pandas, sqlalchemy, reportgen.sources.policeuk, reportgen.config, reportgen.store
""",
    "bare pandas.read_csv": """
import pandas as pd
df = pd.read_csv(FILE)
assert len(df) == ROWS
""",
    "policeuk connector (read + validate)": """
from pathlib import Path
from reportgen.config import load_config
from reportgen.sources import get_source_class
config = load_config(Path(CONFIG))
partner = config.partner("police")
spec = partner.sources[0]
data = get_source_class("policeuk")(spec, partner, config).load()
assert len(data.frame) > 0
""",
    "reportgen pull into a new SQLite store": """
from pathlib import Path
from reportgen.config import load_config
from reportgen.pull import pull
from reportgen.store import Store
config = load_config(Path(CONFIG))
store = Store("sqlite:///" + str(Path(CONFIG).parent / "bench.sqlite"), partnership=config.partnership.id)
summaries, failures = pull(config, store)
assert not failures and summaries[0].new > 0
""",
}

TIMED = """
import json, resource, sys, time
FILE, CONFIG, ROWS = sys.argv[1], sys.argv[2], int(sys.argv[3])
{imports}
start = time.perf_counter()
{body}
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak}}))
"""


def build_file(path: Path, rows: int) -> int:
    """Write ``rows`` police.uk rows: the real Hartlepool rows, repeated, months shifted."""
    real: list[list[str]] = []
    header: list[str] = []
    for f in sorted((EXAMPLE / "data" / "police-uk").glob("*.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            real.extend(reader)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        copy = 0
        while written < rows:
            for row in real:
                if written == rows:
                    break
                year, month = map(int, row[1].split("-"))
                index = year * 12 + month - 1 + 13 * copy
                shifted = list(row)
                shifted[1] = f"{index // 12:04d}-{index % 12 + 1:02d}"
                w.writerow(shifted)
                written += 1
            copy += 1
    return written


def make_config(folder: Path, data: Path) -> Path:
    """The Hartlepool config with its police source pointed at the benchmark file."""
    config = folder / "config"
    shutil_copy = __import__("shutil").copytree
    shutil_copy(EXAMPLE, config, ignore=lambda _d, names: [n for n in names if n == "data"])
    police = config / "partners" / "police.toml"
    text = police.read_text()
    text = text.replace('path = "data/police-uk"', f'path = "{data.parent}"')
    text = text.replace('pattern = "*-cleveland-street.csv.gz"', f'pattern = "{data.name}"')
    police.write_text(text)
    return config


def run(name: str, file: Path, config: Path, rows: int) -> dict:
    code = RUNS[name]
    if name.startswith("baseline"):
        script = TIMED.format(imports=code, body="pass")
    else:
        imports = "import pandas, sqlalchemy, reportgen.sources.policeuk, reportgen.store"
        script = TIMED.format(imports=imports, body=code)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", script, str(file), str(config), str(rows)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "bench" / "bench-street.csv"
        data.parent.mkdir()
        n = build_file(data, rows)
        config = make_config(folder, data)
        size = data.stat().st_size / 2**20
        results = {name: run(name, data, config, n) for name in RUNS}
    bare = results["bare pandas.read_csv"]
    print(f"police.uk street file: {n:,} rows, {size:.0f} MB (real Hartlepool rows, months shifted)")
    print()
    print(f"| {'run':38} | {'rows':>9} | {'seconds':>7} | {'peak MB':>7} | {'time vs bare':>12} |")
    print(f"|{'-' * 40}|{'-' * 10}:|{'-' * 8}:|{'-' * 8}:|{'-' * 13}:|")
    for name, r in results.items():
        ratio = "" if name.startswith("baseline") else f"{r['seconds'] / bare['seconds']:.2f}x"
        print(f"| {name:38} | {n:>9,} | {r['seconds']:>7.2f} | {r['peak_mb']:>7.0f} | {ratio:>12} |")


if __name__ == "__main__":
    main()
