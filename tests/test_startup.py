"""`reportgen --help` starts fast because nothing heavy is imported until a command needs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "pydantic", "sqlalchemy", "weasyprint", "matplotlib", "docx", "openpyxl", "apscheduler")


def test_help_imports_no_heavy_library() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reportgen.cli", "--help"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Usage: reportgen" in proc.stdout
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert "click" in imported  # the measurement itself works
    assert not imported & set(HEAVY), f"imported at start-up: {sorted(imported & set(HEAVY))}"
