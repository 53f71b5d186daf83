"""Atomic file writing: a reader sees either the old file or the complete new one."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it into place, on error delete it.

    The temp file lives in the same directory so ``os.replace`` is a rename on one
    filesystem, which is atomic; a crash mid-write never truncates a good document.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_temps(final.parent, final.name)
    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(final.name), suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates 0600 files; published documents should get the usual umask mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, flushed to disk before the rename."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(path)


def sha256_files(*paths: str | os.PathLike[str]) -> str:
    """The SHA-256 of the files' bytes taken together, read in 1 MiB blocks."""
    import hashlib

    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


# --- temporary files and folders that outlive a killed process ---------------------------------
# A temp name carries the pid of the process that made it (".board-pack-2005-03.4242.x1y2.tmp"),
# so the next writer of the same name can tell a dead process's leftovers (kill -9, power cut)
# from another live process's work in progress, and remove only the former.
LEGACY_STALE_SECONDS = 24 * 3600  # temp names from before pids were recorded


def _temp_prefix(name: str) -> str:
    return f".{name}.{os.getpid()}."


def owned_tempdir(parent: Path, name: str) -> Path:
    """A new temporary folder beside ``parent / name``, named for this process."""
    sweep_stale_temps(parent, name)
    return Path(tempfile.mkdtemp(prefix=_temp_prefix(name), suffix=".tmp", dir=parent))


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` is running on this host (a zombie, killed but not yet reaped,
    counts as gone: it answers signal 0 too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def sweep_stale_temps(parent: Path, name: str) -> list[Path]:
    """Remove ``.<name>.<pid>.*.tmp`` files and folders in ``parent`` whose process is gone
    (and, from before pids were recorded, ``.<name>.*.tmp`` older than a day). Returns them."""
    pattern = re.compile(rf"^\.{re.escape(name)}\.(?:(\d+)\.)?[^/]*\.tmp$")
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = pattern.match(entry.name)
        if not match:
            continue
        pid = match.group(1)
        if pid is not None and (int(pid) == os.getpid() or pid_alive(int(pid))):
            continue
        if pid is None:
            try:
                if now - entry.lstat().st_mtime < LEGACY_STALE_SECONDS:
                    continue
            except OSError:
                continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        removed.append(entry)
    return removed

