"""reportgen/ type-checks clean under mypy with the settings in pyproject.toml ([tool.mypy]).

The same command a developer runs (`python3 -m mypy` from the repository root), so a failure
here reads exactly as it does at the desk. mypy's cache goes to the system's temporary folder,
one per checkout, never into the checkout: a cold run takes about 20 s of CPU, a warm one a few
seconds (mypy checks every cached file against its source, so a stale cache cannot hide an error).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / f"reportgen-mypy-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]}"


def test_mypy_finds_no_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(CACHE)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"mypy exited {done.returncode}:\n{output}"
    # the configuration was read and covered the package, not an empty run
    assert "Success: no issues found" in output, output
    assert int(output.rsplit("in ", 1)[1].split()[0]) > 100, output


BROKEN = '''
def half_typed(x: int, y):
    return x


def untyped():
    n: int = "text"
    return n


quiet: int = "text"  # type: ignore
fine = 1  # type: ignore[assignment]
'''


def test_the_settings_catch_what_they_promise(tmp_path: Path) -> None:
    """The same settings on a file with one of each fault they are there for: a partly annotated
    function, a wrong assignment inside an unannotated one, an ignore without its error code and
    one that silences nothing."""
    broken = tmp_path / "broken.py"
    broken.write_text(BROKEN, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), str(broken)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    errors = [ln for ln in output.splitlines() if ": error:" in ln]
    for line, code in ((2, "no-untyped-def"), (7, "assignment"), (11, "ignore-without-code"), (12, "unused-ignore")):
        assert any(e.startswith(f"broken.py:{line}: error:") and e.endswith(f"[{code}]") for e in errors), (code, output)
