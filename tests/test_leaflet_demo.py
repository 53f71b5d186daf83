"""The bundled demo partnership: one command makes a two-sided leaflet for every one of its
neighbourhoods, with a progress bar, from the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import demo_reports
import pdfplumber
import pytest

from reportgen.config import load_config

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "data_sources"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "reportgen.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_reports.demo_store(tmp_path_factory.mktemp("demo"))  # pulled once per session, copied


@pytest.mark.slow
def test_a_leaflet_for_every_demo_neighbourhood_in_one_command(demo_store: str, tmp_path: Path) -> None:
    config = load_config(CONFIG)
    hoods = config.partnership.neighbourhoods
    assert len(hoods) >= 20
    done = _cli("run", "leaflet", "--period", "2005-Q1", "--each-area", "--format", "pdf",
                "--config", str(CONFIG), "--store", demo_store, "--out", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    files = sorted(Path(line) for line in done.stdout.splitlines() if line.endswith(".pdf"))
    assert sorted(f.stem for f in files) == sorted(f"leaflet-{a.id}" for a in hoods)
    # The progress bar reached every document and the summary names every area.
    assert f"{len(hoods)}/{len(hoods)}" in done.stderr
    for area in hoods:
        assert area.name in done.stderr
    for path in files:
        with pdfplumber.open(path) as doc:
            assert len(doc.pages) == 2, path.name  # two A4 sides, every area
            text = doc.pages[0].extract_text()
        name = next(a.name for a in hoods if path.stem == f"leaflet-{a.id}")
        assert f"Community safety in {name}".split()[0] in text


@pytest.mark.slow
def test_demo_borough_leaflet_headline_matches_the_strategy(demo_store: str, tmp_path: Path) -> None:
    """The strategy: 'a 13% reduction in all crime in the past 12 months ... over 4000 fewer
    offences'; the demo data reproduce 32,150 (2003/04) and 27,970 (2004/05)."""
    done = _cli("run", "leaflet", "--period", "2005-Q1", "--format", "pdf", "--config", str(CONFIG),
                "--store", demo_store, "--out", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "leaflet" / "2005-Q1" / "leaflet.pdf"
    with pdfplumber.open(path) as doc:
        assert len(doc.pages) == 2
        text = " ".join((p.extract_text() or "") for p in doc.pages)
    flat = " ".join(text.split())
    assert "Crime is down 13% on the year before: over 4,100 fewer offences." in flat
    assert "Illustrative demo data" in flat
    assert "01942 828111" in flat
