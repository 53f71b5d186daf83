"""Publish the web page and public PDFs to a web server's document root, atomically.

Layout under ``[publish] path``::

    releases/<job>/<period>-v<N>/   every released set, complete, never overwritten
    <job> -> releases/<job>/<period>-v<N>   the live set (a symlink swapped in one rename)

A set is copied into a hidden temporary folder beside its final place and renamed into
place when complete; then the live link is swapped. A visitor sees the old set or the new
one, never a half-copied one.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import tempfile
from pathlib import Path

from reportgen.deliver.base import Channel, Outcome, Parcel
from reportgen.deliver.config import Delivery
from reportgen.deliver.fsops import swap_symlink
from reportgen.errors import DeliveryError

PUBLIC_SUFFIXES = (".html", ".pdf", ".css", ".png", ".svg", ".jpg")


class PublishChannel(Channel):
    name = "publish"

    def deliver(self, parcel: Parcel, spec: Delivery) -> Outcome:  # noqa: ARG002 (Channel interface; no per-delivery options)
        root = Path(self.settings.publish.path)
        files = [p for p in parcel.files if p.suffix.lower() in PUBLIC_SUFFIXES]
        if not files:
            raise DeliveryError(f"{parcel.job} {parcel.period}: nothing public to publish (no HTML or PDF)")
        name = f"{parcel.safe_period}-v{parcel.version}"
        release = root / "releases" / parcel.job / name
        release.parent.mkdir(parents=True, exist_ok=True)
        if release.exists():
            _check_same(release, files)
        else:
            tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=release.parent))
            try:
                for path in files:
                    shutil.copyfile(path, tmp / path.name)
                    os.chmod(tmp / path.name, 0o644)
                pages = [p for p in files if p.suffix.lower() == ".html"]
                if len(pages) == 1 and not (tmp / "index.html").exists():
                    # One page: it is the folder's front page for a visitor.
                    shutil.copyfile(pages[0], tmp / "index.html")
                    os.chmod(tmp / "index.html", 0o644)
                os.chmod(tmp, 0o755)
                os.rename(tmp, release)
            except FileExistsError:
                _check_same(release, files)  # another process published the same set first
            except OSError as exc:
                raise DeliveryError(f"could not publish to {release}: {exc}") from None
            finally:
                with contextlib.suppress(FileNotFoundError):
                    shutil.rmtree(tmp)
        live = root / parcel.job
        current = os.readlink(live) if live.is_symlink() else None
        # A late correction of an older period must not replace a newer live set.
        if current is None or _order(Path(current).name) <= _order(name):
            swap_symlink(live, os.path.relpath(release, root))
        return Outcome("published", str(release), f"live at {live}")


def _order(name: str) -> tuple[str, int]:
    period, _, version = name.rpartition("-v")
    return period, int(version) if version.isdigit() else 0


def _check_same(release: Path, files: list[Path]) -> None:
    for path in files:
        there = release / path.name
        if not there.exists() or not filecmp.cmp(path, there, shallow=False):
            raise DeliveryError(
                f"{release} is already published with different content and is never overwritten",
                hint="publish a correction as a new version with reportgen rerun",
            )
