"""The systemd units we document are ones systemd accepts: `systemd-analyze verify` reports
nothing (a comment after a value once made systemd ignore TimeoutStopSec, falling back to 90 s),
and the block each doc shows is that same file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCUMENTED_EXEC = "/srv/reportgen/venv/bin/reportgen"
# each unit file and the page that shows it
UNITS = [
    (REPO / "docs" / "reportgen.service", REPO / "docs" / "service.md"),
    (REPO / "docs" / "reportgen-console.service", REPO / "docs" / "console.md"),
]


@pytest.mark.parametrize(("unit", "page"), UNITS, ids=lambda p: p.name)
def test_the_documented_unit_is_the_shipped_file(unit: Path, page: Path) -> None:
    assert "```ini\n" + unit.read_text() + "```" in page.read_text()


@pytest.mark.parametrize("unit", [unit for unit, _ in UNITS], ids=lambda p: p.name)
def test_systemd_accepts_the_unit_without_a_warning(unit: Path, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # verify also checks that ExecStart's program exists: point it at this machine's reportgen
    script = shutil.which("reportgen") or str(Path(sys.executable).with_name("reportgen"))
    if not Path(script).exists():
        pytest.skip("no reportgen script installed to stand in for the documented path")
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text().replace(DOCUMENTED_EXEC, script))
    done = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "" and done.stderr.strip() == "", done.stderr


def test_a_comment_after_a_value_is_what_the_check_catches(tmp_path: Path) -> None:
    """The check itself can fail: the old unit's inline comment is reported."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit = tmp_path / "broken.service"
    unit.write_text("[Service]\nExecStart=/bin/true\nTimeoutStopSec=150   # longer than stop_timeout\n")
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert "Failed to parse" in done.stderr
