"""reportgen's benchmark suite: one table of wall time, CPU time, peak memory and the ratio
against an anchor measured in the same run.

Run from the repository root::

    python -m tests.benchmarks            # everything (about 25 minutes on 2 cores)
    python -m tests.benchmarks --quick    # fewer runs and 200 synthetic areas (a few minutes)
    python -m tests.benchmarks --only board-pack --only leaflet
    python -m tests.benchmarks --only country --only store-scale --partnerships 40

Writes ``outputs/benchmarks/latest.json``. Every "whole process" case is a fresh subprocess;
figures are medians over ``--runs`` runs after one untimed warm-up. The machine's load
average is printed with the table, since other work on the machine slows every case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks import bench_country, fixtures  # noqa: E402
from tests.benchmarks.harness import ROOT, Measure, Sample, chromium, chromium_print, measure  # noqa: E402

# Quick cases first, the long bulk run last.
CASES = ("startup", "evaluate", "ingest", "board-pack", "leaflet", "store-scale", "leaflets-bulk", "country")


class Suite:
    def __init__(self, work: Path, runs: int, areas: int, partnerships: int = 40) -> None:
        self.work = work
        self.runs = runs
        self.areas = areas
        self.partnerships = partnerships
        self.projection: dict[str, Any] | None = None
        self.rows: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.single_leaflet_peak: float | None = None

    # --- helpers ----------------------------------------------------------------------------
    def add(
        self,
        case: str,
        work: Measure | dict[str, float],
        anchor_name: str,
        anchor: Measure | dict[str, float] | None,
        aim: str,
        ratio: float | None,
        limit: float | None,
        **extra: Any,
    ) -> None:
        def fields(m: Measure | dict[str, float] | None) -> dict[str, Any]:
            if m is None:
                return {}
            return m.as_dict() if isinstance(m, Measure) else dict(m)

        row = {
            "case": case,
            "work": fields(work),
            "anchor_name": anchor_name,
            "anchor": fields(anchor),
            "ratio": ratio,
            "aim": aim,
            "met": None if ratio is None or limit is None else ratio <= limit,
            **extra,
        }
        self.rows.append(row)
        print(_line(row), flush=True)

    def chromium_anchor(self, html: Path) -> Measure | None:
        if not chromium():
            self.notes.append("Chromium is not installed: its anchors are skipped (apt-get install chromium).")
            return None
        pdf = self.work / f"{html.stem}-chromium.pdf"
        return measure(chromium_print(html, pdf), self.runs)

    def weasyprint_floor(self, what: str, html: Path, anchor: Measure | None, whole: Measure, aim: float) -> None:
        """The floor under a document's whole run: a fresh Python that imports WeasyPrint and
        prints the same HTML, nothing else (no data, no Word file), against Chromium; then the
        whole run (``whole``) against that floor, the aim issue #16 sets."""
        pdf = self.work / f"{html.stem}-weasyprint.pdf"
        code = ("import sys, weasyprint; "
                "weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2], pdf_variant='pdf/ua-1')")
        floor = measure([sys.executable, "-c", code, str(html), str(pdf)], self.runs)
        self.add(f"floor: WeasyPrint alone prints the {what} HTML", floor, "Chromium prints the same HTML to PDF",
                 anchor, "(reference)", floor.wall / anchor.wall if anchor else None, None)
        self.add(f"{what}, PDF + Word, whole process vs the floor", whole, "WeasyPrint alone prints the same HTML",
                 floor, f"<= {aim}", whole.wall / floor.wall, aim)

    # --- cases ------------------------------------------------------------------------------
    def board_pack(self) -> None:
        store = fixtures.demo_store(self.work)
        out = self.work / "out-board-pack"
        cmd = fixtures.cli("run", "board-pack", "--force", "--period", "2005-03", "--store", store, "--out", str(out),
                           "--config", str(fixtures.DEMO))
        work = measure(cmd, self.runs)
        html = fixtures.report_html(self.work, "board-pack", "2005-03", store)
        anchor = self.chromium_anchor(html)
        ratio = work.wall / anchor.wall if anchor else None
        self.add("board pack, PDF + Word, whole process", work, "Chromium prints the same HTML to PDF",
                 anchor, "<= 1.0", ratio, 1.0)
        self.weasyprint_floor("board pack", html, anchor, work, 1.25)

    def leaflet(self) -> None:
        store = fixtures.demo_store(self.work)
        out = self.work / "out-leaflet"
        cmd = fixtures.cli("run", "leaflet", "--force", "--period", "2005-Q1", "--store", store, "--out", str(out),
                           "--config", str(fixtures.DEMO))
        work = measure(cmd, self.runs)
        self.single_leaflet_peak = work.peak_mb
        html = fixtures.report_html(self.work, "leaflet", "2005-Q1", store)
        anchor = self.chromium_anchor(html)
        ratio = work.wall / anchor.wall if anchor else None
        self.add("one leaflet, PDF + Word, whole process", work, "Chromium prints the same HTML to PDF",
                 anchor, "<= 1.0", ratio, 1.0)
        self.weasyprint_floor("leaflet", html, anchor, work, 1.6)

    def _each_area(self, config: Path, store: str, executor: str, runs: int) -> Measure:
        out = self.work / f"out-each-{config.name}-{executor.replace('://', '-')}"
        manifest = out / "leaflet" / "2005-Q1" / "manifest.json"

        def rate(sample: Sample) -> None:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            documents = sum(1 for f in data["files"] if f["format"] == "pdf")
            render = data["timings"]["render"]  # wall time of the render phase
            sample.extra = {"documents": documents, "render_wall": render, "per_second": documents / render}

        cmd = fixtures.cli("run", "leaflet", "--force", "--period", "2005-Q1", "--each-area", "--executor", executor,
                           "--store", store, "--out", str(out), "--config", str(config))
        return measure(cmd, runs, warmup=0, after=rate)

    def leaflets_bulk(self) -> None:
        demo_store = fixtures.demo_store(self.work)
        synthetic, synthetic_store = fixtures.synthetic_partnership(self.work, self.areas)
        for label, config, store, runs in (
            ("demo", fixtures.DEMO, demo_store, self.runs),
            (f"{self.areas:,} synthetic areas", synthetic, synthetic_store, 1),
        ):
            serial = self._each_area(config, store, "local://1", runs)
            pooled = self._each_area(config, store, "local://2", runs)
            speedup = pooled.extra["per_second"] / serial.extra["per_second"]
            docs = int(serial.extra["documents"])
            self.add(f"each-area leaflets, {label} ({docs}), 2 processes vs 1", pooled,
                     "the same run in 1 process", serial, ">= 1.85x the serial rate", 1 / speedup, 1 / 1.85,
                     speedup=speedup, per_second_1=serial.extra["per_second"],
                     per_second_2=pooled.extra["per_second"])
            if label != "demo":
                # Against one leaflet of the same partnership (same data in memory), so the ratio
                # shows what rendering 1,000 documents adds, not the size of 1,000 areas' data.
                out = self.work / "out-one-synthetic"
                one = measure(fixtures.cli("run", "leaflet", "--force", "--period", "2005-Q1", "--area", "area-0001",
                                           "--store", store, "--out", str(out), "--config", str(config)),
                              runs, warmup=0)
                self.add(f"each-area leaflets, {label}: peak memory", {"peak_mb": pooled.peak_mb},
                         "one leaflet of the same partnership", one, "<= 1.2x", pooled.peak_mb / one.peak_mb, 1.2)

    def country(self) -> None:
        """Every partnership's leaflets and board packs in one job each: the local pool (2
        processes) against a 2-worker Dask LocalCluster, then the same job after a late return."""
        land = bench_country.country(self.work, self.partnerships)
        label = f"{len(land.ids)} partnerships"
        # the local runs and the re-run read a copy, so the late return below does not change the
        # country that later runs (with the same --work) start from
        store = bench_country.copy_store(land.store, self.work / "country-rerun.sqlite")
        local: dict[str, Measure] = {}
        outs: dict[str, Path] = {}
        for report, period, extra in bench_country.JOBS:
            out = outs[report] = self.work / f"country-local-{report}"
            cmd = bench_country.job_command(land, report, period, extra, out, "local://2", store=store)
            local[report] = bench_country.run_job(cmd, out, report, period)
        dask: dict[str, Measure] = {}
        try:
            import distributed  # noqa: F401
        except ImportError:
            self.notes.append("distributed is not installed: the Dask rows are skipped (pip install '.[dask]').")
        else:
            with bench_country.dask_cluster(2) as client:
                address = client.scheduler.address.removeprefix("tcp://")
                for report, period, extra in bench_country.JOBS:
                    out = self.work / f"country-dask-{report}"
                    cmd = bench_country.job_command(land, report, period, extra, out, f"dask://{address}", store=store)
                    dask[report] = bench_country.run_job(cmd, out, report, period, client=client)
        for report, _, _ in bench_country.JOBS:
            lm = local[report]
            docs = int(lm.extra["documents"])
            rate = docs / lm.wall
            if report in dask:
                dm = dask[report]
                dask_rate = dm.extra["documents"] / dm.wall
                # CPU of the whole job: the client (wait4) plus the cluster's workers and scheduler
                cpu = dm.cpu + dm.extra["worker_cpu"] + dm.extra["scheduler_cpu"]
                work = {"wall": dm.wall, "cpu": cpu, "peak_mb": dm.peak_mb}
                self.add(f"{label}, {docs} {report}s: Dask 2 workers vs local pool 2 processes", work,
                         f"the same job on local://2 ({rate:.2f} documents/s)", lm, ">= 0.9x the pool's rate",
                         rate / dask_rate, 1 / 0.9, per_second_local=rate, per_second_dask=dask_rate,
                         worker_cpu_dask=dm.extra["worker_cpu"], scheduler_cpu_dask=dm.extra["scheduler_cpu"])
        if dask:
            self.projection = bench_country.projection(local, dask, land)
            self.projection["neighbourhoods"] = land.neighbourhoods
            self.projection["partnerships"] = len(land.ids)
            print(projection_table(self.projection), flush=True)
        # a late return in one partnership, then the same jobs again (no --force)
        bench_country.change_one_partnership(store, land.ids[len(land.ids) // 2])
        for report, period, extra in bench_country.JOBS:
            cmd = bench_country.job_command(land, report, period, extra, outs[report], "local://2", force=False,
                                            store=store)
            again = bench_country.run_job(cmd, outs[report], report, period)
            self.add(f"{label}, {report}s again after one late figure in one partnership", again,
                     "the first run of the same job", local[report], "<= 0.1", again.wall / local[report].wall, 0.1)

    def store_scale(self) -> None:
        """One partnership read and evaluated from a store of the whole country against a store of
        it alone, on SQLite and on PostgreSQL."""
        land = bench_country.country(self.work, self.partnerships)
        pid = land.ids[0]
        config = land.deployment / pid
        period = "2005-03"
        alone = self.work / f"alone-{pid}.sqlite"
        if not alone.exists():
            bench_country.pull_into(config, fixtures.sqlite_url(alone))
        pairs = [("SQLite", land.store, fixtures.sqlite_url(alone))]
        with bench_country.postgres() as cluster:
            if cluster is None:
                self.notes.append("PostgreSQL is not installed: its store-scale row is skipped.")
            else:
                from reportgen.country import pull_country

                whole = cluster.url(cluster.create_database())
                pull_country(land.deployment, whole)
                one = cluster.url(cluster.create_database())
                bench_country.pull_into(config, one)
                pairs.append(("PostgreSQL", whole, one))
            for name, whole_url, one_url in pairs:
                many = measure(bench_country.evaluate_command(config, whole_url, period), self.runs)
                single = measure(bench_country.evaluate_command(config, one_url, period), self.runs)
                work = {"wall": many.extra["work"], "cpu": many.extra["work_cpu"], "peak_mb": many.peak_mb}
                anchor = {"wall": single.extra["work"], "cpu": single.extra["work_cpu"], "peak_mb": single.peak_mb}
                self.add(f"read + evaluate 1 partnership, {name} store of {len(land.ids)}", work,
                         "the same from a store holding it alone", anchor, "<= 1.2", work["wall"] / anchor["wall"],
                         1.2, read_many=many.extra["read"], read_alone=single.extra["read"],
                         rows=int(single.extra["rows"]))

    def evaluate(self) -> None:
        m = measure(fixtures.probe("evaluate"), self.runs, warmup=0)
        work = {"wall": m.extra["work"], "cpu": m.extra["work_cpu"], "peak_mb": m.peak_mb}
        anchor = {"wall": m.extra["anchor"], "cpu": m.extra["anchor_cpu"]}
        self.add(f"evaluate {int(m.extra['rows']):,} observations", work, "one pandas groupby-sum", anchor,
                 "<= 3.0", work["wall"] / anchor["wall"], 3.0)

    def ingest(self) -> None:
        config, file = fixtures.police_file(self.work)
        m = measure(fixtures.probe("ingest", str(config), str(file)), self.runs)
        work = {"wall": m.extra["work"], "cpu": m.extra["work_cpu"], "peak_mb": m.peak_mb}
        anchor = {"wall": m.extra["anchor"], "cpu": m.extra["anchor_cpu"]}
        self.add(f"ingest a {int(m.extra['rows']):,}-row police.uk file", work, "pandas.read_csv of the file",
                 anchor, "<= 1.5", work["wall"] / anchor["wall"], 1.5)

    def startup(self) -> None:
        work = measure(fixtures.cli("--help"), max(self.runs, 5))
        anchor = measure([sys.executable, "-c", "import weasyprint, matplotlib.pyplot, docx, pandas"],
                         max(self.runs, 5))
        self.add("reportgen --help", work, "import weasyprint, matplotlib.pyplot, docx, pandas", anchor,
                 "<= 0.1", work.wall / anchor.wall, 0.1)


def projection_table(projection: dict[str, Any]) -> str:
    """The country projection as Markdown: workers -> minutes, per job and both."""
    per = projection["per_job"]
    lines = [
        f"| workers | leaflets ({per['leaflet']['country_documents']:,}) min | board packs "
        f"({per['board-pack']['country_documents']:,}) min | both min |",
        "|---:|---:|---:|---:|",
    ]
    for n, jobs in projection["minutes"].items():
        lines.append(f"| {n} | {jobs['leaflet']:.1f} | {jobs['board-pack']:.1f} | {sum(jobs.values()):.1f} |")
    return "\n".join(lines)


def _fmt(value: Any, spec: str = ".2f") -> str:
    return "" if value is None else format(value, spec)


HEADER = f"{'case':58} {'wall s':>7} {'CPU s':>7} {'peak MiB':>8} | {'anchor':44} {'wall s':>7} | {'ratio':>6} {'aim':>10} {'met':>4}"


def _line(row: dict[str, Any]) -> str:
    w, a = row["work"], row["anchor"]
    met = {True: "yes", False: "NO", None: "-"}[row["met"]]
    return (
        f"{row['case'][:58]:58} {_fmt(w.get('wall')):>7} {_fmt(w.get('cpu')):>7} {_fmt(w.get('peak_mb'), '.0f'):>8} | "
        f"{row['anchor_name'][:44]:44} {_fmt(a.get('wall')):>7} | {_fmt(row['ratio']):>6} {row['aim'][:10]:>10} {met:>4}"
    )


def cpu_ratio(row: dict[str, Any]) -> float | None:
    """The ratio on CPU time, steadier than wall time on a shared, loaded machine."""
    w, a = row["work"].get("cpu"), row["anchor"].get("cpu")
    return w / a if w and a else None


def markdown(rows: list[dict[str, Any]]) -> str:
    out = [
        "| case | wall s | CPU s | peak MiB | anchor | anchor wall s | anchor CPU s | ratio (wall) | ratio (CPU) | aim | met |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        w, a = row["work"], row["anchor"]
        met = {True: "yes", False: "**no**", None: "-"}[row["met"]]
        extra = f" ({row['speedup']:.2f}x)" if "speedup" in row else ""
        cpu = None if "speedup" in row else cpu_ratio(row)
        out.append(
            f"| {row['case']}{extra} | {_fmt(w.get('wall'))} | {_fmt(w.get('cpu'))} | {_fmt(w.get('peak_mb'), '.0f')} | "
            f"{row['anchor_name']} | {_fmt(a.get('wall'))} | {_fmt(a.get('cpu'))} | {_fmt(row['ratio'])} | "
            f"{_fmt(cpu)} | {row['aim']} | {met} |"
        )
    return "\n".join(out)


def _write(out: Path, suite: Suite, runs: int, areas: int, load_before: tuple[float, ...]) -> None:
    """Write the results so far (after every case, so a long run that fails keeps its figures)."""
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "runs": runs,
        "synthetic_areas": areas,
        "partnerships": suite.partnerships,
        "rows": suite.rows,
        "projection": suite.projection,
        "notes": suite.notes,
        "markdown": markdown(suite.rows),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_suffix(".tmp")
    tmp_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    tmp_out.replace(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="reportgen benchmarks")
    parser.add_argument("--quick", action="store_true", help="2 runs a case and 200 synthetic areas")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per case (default 5, quick 2)")
    parser.add_argument("--areas", type=int, default=None, help="synthetic neighbourhoods (default 1000)")
    parser.add_argument("--partnerships", type=int, default=None,
                        help="synthetic partnerships for the country and store-scale cases (default 40, quick 8)")
    parser.add_argument("--only", action="append", choices=CASES, help="run only these cases")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder to reuse (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "benchmarks" / "latest.json")
    parser.add_argument("--table", type=Path, default=None, help="print the Markdown table of a results file")
    args = parser.parse_args(argv)
    if args.table:
        data = json.loads(args.table.read_text(encoding="utf-8"))
        print(markdown(data["rows"]))
        if data.get("projection"):
            print()
            print(projection_table(data["projection"]))
        load = data["load_average"]
        print(f"\nLoad average {load['before'][0]:.2f} before, {load['after'][0]:.2f} after; "
              f"{data['machine']['cpus']} CPUs; median of {data['runs']} runs; {data['when']}")
        return 0
    runs = args.runs or (2 if args.quick else 5)
    areas = args.areas or (200 if args.quick else 1000)
    partnerships = args.partnerships or (8 if args.quick else 40)
    cases = args.only or list(CASES)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        suite = Suite(work, runs, areas, partnerships)
        print(HEADER)
        print("-" * len(HEADER))
        dispatch: dict[str, Callable[[], None]] = {
            "board-pack": suite.board_pack,
            "leaflet": suite.leaflet,
            "leaflets-bulk": suite.leaflets_bulk,
            "evaluate": suite.evaluate,
            "ingest": suite.ingest,
            "startup": suite.startup,
            "country": suite.country,
            "store-scale": suite.store_scale,
        }
        if "leaflets-bulk" in cases and "leaflet" not in cases:
            cases.insert(0, "leaflet")  # the bulk memory ratio is against one leaflet's run
        for case in CASES:
            if case in cases:
                try:
                    dispatch[case]()
                except Exception as exc:  # one broken case should not lose the others' figures
                    suite.notes.append(f"{case} failed: {exc.__class__.__name__}: {str(exc)[-500:]}")
                    print(f"{case} FAILED: {exc}", flush=True)
                _write(args.out, suite, runs, areas, load_before)
    _write(args.out, suite, runs, areas, load_before)
    load_after = os.getloadavg()
    print()
    for note in suite.notes:
        print(f"note: {note}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1-minute); "
          f"{os.cpu_count()} CPUs; median of {runs} runs")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
