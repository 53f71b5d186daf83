"""Expensive artefacts made once per test session and shared by every module and every xdist
worker: the demo pulled into a store, the Hartlepool example pulled into one.

``shared(name, build)`` returns a folder under the session's base temporary directory (the
one above the workers' own, so every worker of one run sees it). The first caller builds it
under a file lock (filelock, a cross-process lock that also works when a worker dies holding
it); the others wait, then reuse it. A build that raised leaves no ``.done`` mark, so the
next caller builds again (and meets the same error, in its own test).

What is shared is read-only: a test that changes a store copies it first (``copy_of``), so
no test can see another's writes, and the files are checked unchanged at the end of the
session (``check_unchanged``, called from conftest.py).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

DONE = ".done"
ROOT: list[Path] = []  # set once per process by conftest.py's session fixture


def root() -> Path:
    if not ROOT:
        raise RuntimeError("tests/sharedkit.py: the shared folder is set by conftest.py's session fixture")
    return ROOT[0]


def shared(name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``name``, built by ``build(folder)`` once per test session."""
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    folder = base / name
    with FileLock(str(base / f"{name}.lock")):
        if not (folder / DONE).exists():
            if folder.exists():  # a build that failed part-way
                shutil.rmtree(folder)
            folder.mkdir()
            build(folder)
            (folder / DONE).write_text(json.dumps(_digests(folder), indent=1))
    return folder


def copy_of(source: Path, dest: Path) -> Path:
    """A private copy of a shared file, for a test that writes to it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, dest))


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != DONE
    }


def check_unchanged() -> list[str]:
    """Shared files that differ from what their build left (a test wrote to one), or that
    appeared or went since: one line each."""
    if not ROOT or not ROOT[0].is_dir():
        return []
    problems = []
    for done in sorted(ROOT[0].glob(f"*/{DONE}")):
        folder = done.parent
        built, now = json.loads(done.read_text()), _digests(folder)
        for name in sorted(set(built) | set(now)):
            if built.get(name) != now.get(name):
                problems.append(f"{folder.name}/{name}")
    return problems
