"""Inputs for the benchmarks, made once per run in a scratch folder.

- the demo partnership's store (``reportgen pull``);
- the HTML of the board pack and the leaflet, for Chromium to print;
- a synthetic partnership of N neighbourhoods (the demo's config with its neighbourhoods
  replaced, data from the demo generator), pulled into its own store;
- a police.uk street-level file of 500,000 rows built from the Hartlepool example's real
  files (months shifted so it spans several years), with a copy of that example's config.
"""

from __future__ import annotations

import csv
import gzip
import shutil
import sys
from pathlib import Path

from tests.benchmarks.harness import ROOT, run_once

DEMO = ROOT / "data_sources"
HARTLEPOOL = ROOT / "examples" / "hartlepool"


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "reportgen.cli", *args]


def probe(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.benchmarks.probes", *args]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def demo_store(work: Path) -> str:
    path = work / "demo.sqlite"
    if not path.exists():
        run_once(cli("pull", "--config", str(DEMO), "--store", sqlite_url(path)))
    return sqlite_url(path)


def report_html(work: Path, report: str, period: str, store: str, config: Path = DEMO) -> Path:
    """The print HTML the PDF renderer lays out, for Chromium to print the same thing."""
    out = work / f"{report}.html"
    if not out.exists():
        run_once(probe("html", report, period, str(config), store, str(out)))
    return out


def synthetic_partnership(work: Path, areas: int) -> tuple[Path, str]:
    """The demo's config with ``areas`` neighbourhoods (every tenth a priority one)."""
    folder = work / f"synthetic-{areas}"
    store = folder / "store.sqlite"
    if store.exists():
        return folder, sqlite_url(store)
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("data"))
    text = (folder / "partnership.toml").read_text(encoding="utf-8")
    head = text[: text.index("[[neighbourhoods]]")]
    townships = ["Wigan Central", "Wigan North", "Leigh", "Atherton and Tyldesley", "Hindley", "Standish"]
    population = 301_000
    blocks = []
    for n in range(areas):
        share = population // areas + (1 if n < population % areas else 0)
        blocks.append(
            "[[neighbourhoods]]\n"
            f'id = "area-{n:04d}"\n'
            f'name = "Neighbourhood {n + 1}"\n'
            f'township = "{townships[n % len(townships)]}"\n'
            f"population = {share}\n"
            f"priority = {'true' if n % 10 == 0 else 'false'}\n"
        )
    (folder / "partnership.toml").write_text(head + "\n".join(blocks), encoding="utf-8")
    for partner in (folder / "partners").glob("*.toml"):
        # a thousand neighbourhoods' monthly crime is ~1.7 million rows, above the safety limit
        text = partner.read_text(encoding="utf-8").replace('type = "csv"\n', 'type = "csv"\nmax_rows = 50000000\n')
        partner.write_text(text, encoding="utf-8")
    run_once([sys.executable, "-m", "reportgen.demo", "--out", str(folder / "data"), "--config", str(folder)])
    run_once(cli("pull", "--config", str(folder), "--store", sqlite_url(store)))
    return folder, sqlite_url(store)


def police_file(work: Path, rows: int = 500_000) -> tuple[Path, Path]:
    """(config folder, CSV file): ``rows`` street-level rows from the Hartlepool files."""
    folder = work / "policeuk"
    data = folder / "data" / "police-uk"
    target = data / "2016-01-cleveland-street.csv"
    if target.exists():
        return folder, target
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(HARTLEPOOL, folder, ignore=shutil.ignore_patterns("police-uk"))
    police = folder / "partners" / "police.toml"
    police.write_text(
        police.read_text(encoding="utf-8").replace('"*-cleveland-street.csv.gz"', '"*-street.csv"'),
        encoding="utf-8",
    )
    source_rows: list[list[str]] = []
    header: list[str] = []
    for path in sorted((HARTLEPOOL / "data" / "police-uk").glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            source_rows.extend(reader)
    data.mkdir(parents=True)
    month_col = header.index("Month")
    tmp = target.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for n in range(rows):
            row = list(source_rows[n % len(source_rows)])
            cycle = n // len(source_rows)  # each pass through the real rows is a later month
            year, month = divmod(2016 * 12 + cycle, 12)
            row[month_col] = f"{year:04d}-{month + 1:02d}"
            writer.writerow(row)
    tmp.replace(target)
    return folder, target
