"""reportgen/ type-checks clean under mypy with the settings in pyproject.toml ([tool.mypy]).

The same command a developer runs (`python3 -m mypy` from the repository root), so a failure
here reads exactly as it does at the desk. The cache goes to a temporary folder: the test
writes nothing into the checkout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"mypy exited {done.returncode}:\n{output}"
    # the configuration was read and covered the package, not an empty run
    assert "Success: no issues found" in output, output
    assert int(output.rsplit("in ", 1)[1].split()[0]) > 100, output
