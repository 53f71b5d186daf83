"""Measuring a command: wall time, CPU time and peak memory of the whole process tree.

Each run is a fresh subprocess waited for with ``os.wait4``, whose resource usage covers the
process and every descendant it waited for (pool workers, Chromium's helpers): CPU is user +
system time summed over them, peak memory the largest resident set of any one of them.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system, whole tree
    peak_mb: float  # largest resident set of any process in the tree, MiB
    extra: dict[str, Any]


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_mb: float
    runs: int
    walls: list[float]
    extra: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def env() -> dict[str, str]:
    """The environment for child processes: this checkout first on the path, quiet logs."""
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), out.get("PYTHONPATH", "")]))
    out.setdefault("PYTHONHASHSEED", "0")
    return out


def run_once(argv: Sequence[str], *, cwd: Path = ROOT) -> Sample:
    """Run ``argv`` to completion; raise with its stderr if it fails.

    A child that prints a JSON object as its last line of output (the probes) has it kept
    as the sample's ``extra`` (in-process timings, counts).
    """
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:  # a chatty child would block on a full pipe
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=("out", proc.stdout), daemon=True),
        threading.Thread(target=drain, args=("err", proc.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = chunks.get("err", b"").decode(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(map(str, argv))} exited {proc.returncode}:\n{tail}")
    extra: dict[str, Any] = {}
    lines = chunks.get("out", b"").decode(errors="replace").strip().splitlines()
    if lines and lines[-1].startswith("{"):
        extra = json.loads(lines[-1])
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, extra)


def measure(
    argv: Sequence[str] | Callable[[int], Sequence[str]],
    runs: int,
    *,
    warmup: int = 1,
    after: Callable[[Sample], None] | None = None,
) -> Measure:
    """Median wall/CPU/peak over ``runs`` runs after ``warmup`` untimed ones (file caches)."""
    samples: list[Sample] = []
    for n in range(warmup + runs):
        cmd = argv(n) if callable(argv) else argv
        sample = run_once(cmd)
        if after:
            after(sample)
        if n >= warmup:
            samples.append(sample)
    extra: dict[str, Any] = {}
    keys = {k for s in samples for k in s.extra}
    for key in keys:
        values = [s.extra[key] for s in samples if isinstance(s.extra.get(key), int | float)]
        if values:
            extra[key] = statistics.median(values)
    return Measure(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        statistics.median(s.peak_mb for s in samples),
        len(samples),
        [round(s.wall, 3) for s in samples],
        extra,
    )


def chromium() -> str | None:
    """Debian's Chromium, if installed."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_print(html: Path, pdf: Path) -> list[str]:
    """Headless Chromium printing ``html`` to ``pdf`` (as Superset/Grafana/Metabase do)."""
    exe = chromium()
    assert exe
    return [
        exe,
        "--headless",
        "--no-sandbox",  # we run as root in CI; the sandbox refuses to start then
        "--disable-gpu",
        "--no-pdf-header-footer",
        f"--user-data-dir={pdf.parent / 'chromium-profile'}",
        f"--print-to-pdf={pdf}",
        html.as_uri(),
    ]


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()
