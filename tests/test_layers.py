"""Lower layers never import the top ones: the command line, the scheduled service and the
console sit on top of everything else (README, "Standards"). In particular deliver/ takes its
settings from reportgen.deliver.config, not from schedule/ (issue 13, Deliver 3)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reportgen"
# config_reference prints every file's keys, the schedules file's too: a tool on top, like the CLI
TOP = {"cli", "schedule", "console", "__main__", "config_reference"}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def test_nothing_below_the_top_imports_the_command_line_service_or_console() -> None:
    below = [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0].removesuffix(".py") not in TOP]
    assert any(p.parts[-2] == "deliver" for p in below), "the check covers deliver/"
    upward = [
        f"{p.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for p in below
        for line, module in _imports(p)
        if module.split(".")[0] == "reportgen" and len(module.split(".")) > 1 and module.split(".")[1] in TOP
    ]
    assert upward == [], "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from reportgen.schedule.config import Schedules\n")
    assert _imports(module) == [(2, "reportgen.schedule.config")]

