"""ruff, with the project's rules (pyproject.toml: ARG and C90 among them), finds nothing in the
library or the tests. ``--no-cache``: the check writes nothing into the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.fail("ruff is not installed (it is in the test extra: pip install -e '.[test]')")
    done = subprocess.run(
        [ruff, "check", "--no-cache", "--output-format", "concise", "reportgen", "tests"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
