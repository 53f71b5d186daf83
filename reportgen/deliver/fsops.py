"""File operations the publish and print channels share: copies that never overwrite."""

from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import tempfile
from pathlib import Path

from reportgen.errors import DeliveryError


def copy_new(src: Path, dest: Path) -> bool:
    """Copy ``src`` to ``dest`` atomically without ever replacing a different file there.

    Returns False if an identical file is already in place (delivering twice is harmless);
    raises DeliveryError if a different one is (released documents are never overwritten).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        if filecmp.cmp(src, dest, shallow=False):
            return False
        raise DeliveryError(
            f"{dest} already holds a different document and released documents are never overwritten",
            hint="issue a correction as a new version: reportgen rerun ... --note 'what changed'",
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o644)
        os.link(tmp, dest)  # fails if dest appeared meanwhile: no overwrite, even in a race
    except FileExistsError:
        if not filecmp.cmp(src, dest, shallow=False):
            raise DeliveryError(f"{dest} appeared with different content while delivering") from None
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return True


def swap_symlink(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` in one rename, so readers see the old or the new, never none."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    if link.exists() and not link.is_symlink():
        raise DeliveryError(f"{link} is a real folder; move it aside so reportgen can manage it as a link")
    os.replace(tmp, link)
