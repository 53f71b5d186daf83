"""The benchmark module runs (not a timed test): its command line, its table of a saved run and
the country projection, worked by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.benchmarks.bench_country import Country, manifests, projection
from tests.benchmarks.harness import Measure
from tests.benchmarks.run_all import main, projection_table

REPO = Path(__file__).resolve().parents[1]


def _measure(wall: float, cpu: float, **extra: float) -> Measure:
    return Measure(wall, cpu, 100.0, 1, [wall], dict(extra))


def test_the_projection_is_the_documented_sum() -> None:
    land = Country(Path("x"), "sqlite://", [f"p{n}" for n in range(10)], neighbourhoods=200)
    phases = {"store": 5.0, "evaluate": 5.0, "build": 10.0}
    local = {
        "leaflet": _measure(83.0, 140.0, documents=200, render=60.0, **phases),
        "board-pack": _measure(53.0, 60.0, documents=10, render=30.0, **phases),
    }
    # leaflets on Dask: the client spent 12 s of CPU, the workers 100 s (0.5 a document), the
    # scheduler 2 s (0.01 a document)
    dask = {
        "leaflet": _measure(90.0, 12.0, documents=200, worker_cpu=100.0, scheduler_cpu=2.0),
        "board-pack": _measure(50.0, 20.0, documents=10, worker_cpu=30.0, scheduler_cpu=0.5),
    }
    result = projection(local, dask, land, workers=(2, 10))
    leaflet = result["per_job"]["leaflet"]
    assert leaflet["client_cpu_s"] == 12.0 and leaflet["serial_phases_wall_s"] == 20.0
    assert leaflet["worker_cpu_s_per_document"] == 0.5 and leaflet["scheduler_cpu_s_per_document"] == 0.01
    # 7,000 neighbourhoods is 35x the 200 measured: 12 x 35 + 7,000 x (0.5 / N + 0.01)
    assert abs(result["minutes"][2]["leaflet"] - (420 + 7000 * (0.25 + 0.01)) / 60) < 1e-9
    assert abs(result["minutes"][10]["leaflet"] - (420 + 7000 * (0.05 + 0.01)) / 60) < 1e-9
    # board packs scale by partnerships, 300 / 10: 20 x 30 + 300 x (3 / N + 0.05)
    assert abs(result["minutes"][10]["board-pack"] - (600 + 300 * (0.3 + 0.05)) / 60) < 1e-9
    assert "| 10 | 14.0 | 11.8 | 25.8 |" in projection_table(result)
    # without Dask, the local pool's figures: (140 - 20) / 200 a document, the phases as serial
    alone = projection(local, {}, land, workers=(2,))
    assert alone["per_job"]["leaflet"]["worker_cpu_s_per_document"] == 0.6
    assert abs(alone["minutes"][2]["leaflet"] - (20 * 35 + 7000 * 0.3) / 60) < 1e-9


def test_manifests_sum_every_partnership(tmp_path: Path) -> None:
    for pid, docs in (("a", 2), ("b", 3)):
        folder = tmp_path / pid / "leaflet" / "2005-Q1"
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({
            "documents": {f"d{n}": {} for n in range(docs)},
            "files": [{"name": f"d{n}.pdf"} for n in range(docs)],
            "timings": {"store": 1.0, "evaluate": 0.5, "build": 0.25, "render": 2.0},
        }))
    totals = manifests(tmp_path, "leaflet", "2005-Q1")
    assert totals == {"documents": 5, "files": 5, "store": 2.0, "evaluate": 1.0, "build": 0.5, "render": 4.0,
                      "partnerships": 2}


def test_the_command_line_and_the_table_of_a_saved_run(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    helped = subprocess.run([sys.executable, "-m", "tests.benchmarks", "--help"], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert helped.returncode == 0 and "--partnerships" in helped.stdout and "store-scale" in helped.stdout
    saved = tmp_path / "run.json"
    row = {"case": "read + evaluate 1 partnership, SQLite store of 10", "work": {"wall": 1.1, "cpu": 1.0},
           "anchor_name": "alone", "anchor": {"wall": 1.0, "cpu": 1.0}, "ratio": 1.1, "aim": "<= 1.2", "met": True}
    saved.write_text(json.dumps({
        "rows": [row], "load_average": {"before": [3.0], "after": [4.0]}, "machine": {"cpus": 2}, "runs": 2,
        "when": "2026-12-02T12:00:00+00:00",
        "projection": {"per_job": {"leaflet": {"country_documents": 7000}, "board-pack": {"country_documents": 300}},
                       "minutes": {"8": {"leaflet": 30.0, "board-pack": 10.0}}},
    }))
    assert main(["--table", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "| read + evaluate 1 partnership, SQLite store of 10 | 1.10 | 1.00 |" in out
    assert "| 8 | 30.0 | 10.0 | 40.0 |" in out
    assert "Load average 3.00 before, 4.00 after" in out
