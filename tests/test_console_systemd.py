"""The console's documented systemd unit is one systemd accepts, and docs/console.md shows
that same file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNIT = REPO / "docs" / "reportgen-console.service"
DOCUMENTED_EXEC = "/srv/reportgen/venv/bin/reportgen"


def test_the_documented_unit_is_the_shipped_file() -> None:
    assert "```ini\n" + UNIT.read_text() + "```" in (REPO / "docs" / "console.md").read_text()


def test_systemd_accepts_the_console_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    script = shutil.which("reportgen") or str(Path(sys.executable).with_name("reportgen"))
    if not Path(script).exists():
        pytest.skip("no reportgen script installed to stand in for the documented path")
    unit = tmp_path / "reportgen-console.service"
    unit.write_text(UNIT.read_text().replace(DOCUMENTED_EXEC, script))
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "" and done.stderr.strip() == "", done.stderr
