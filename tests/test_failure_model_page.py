"""docs/failure-model.md maps each promise of issue 13 to its code and tests; this keeps the
page from pointing at tests that were renamed or removed."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_test_the_failure_model_names_exists() -> None:
    """docs/failure-model.md maps each promise of issue 13 to its tests: a renamed or removed
    test must not leave the page pointing at nothing (a name ending in ... is a prefix)."""
    tests = REPO / "tests"
    page = (REPO / "docs" / "failure-model.md").read_text(encoding="utf-8")
    defined = {m for p in tests.glob("*.py") for m in re.findall(r"^\s*def (test_\w+)", p.read_text(), re.M)}
    files = set(re.findall(r"\b(test_\w+\.py)\b", page))
    assert files and all((tests / f).is_file() for f in files), sorted(f for f in files if not (tests / f).is_file())
    named = re.findall(r"\b(test_\w+?)(\.\.\.|\.py)?(?=[^\w.]|\.\.\.|$)", page)
    missing = [
        name for name, tail in named if tail != ".py" and not name.endswith("_") and not (  # test_faults_*: a glob
            any(d.startswith(name) for d in defined) if tail == "..." else name in defined
        )
    ]
    assert len(named) > 40 and missing == [], missing
