"""The CLI's garbage-collector settings (docs/performance.md): fewer collections during a run, and
none walking the whole heap again at interpreter shutdown."""

from __future__ import annotations

import subprocess
import sys


def test_the_cli_collects_less_often_and_freezes_the_heap_before_shutdown() -> None:
    code = (
        "import gc, sys\n"
        "from reportgen.cli import main\n"
        "sys.argv = ['reportgen', '--help']\n"
        "default = gc.get_threshold()\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "print(default, gc.get_threshold(), gc.get_freeze_count() > 0, code, file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert "Usage:" in out.stdout  # the command itself still ran
    assert out.stderr.strip().splitlines()[-1] == "(700, 10, 10) (10000, 10, 10) True 0"
