"""One manifest per output folder, listing every variant written there.

``reportgen run leaflet --period 2005-Q1``, then ``--large-print``, ``--poster`` and
``--each-area`` all write into ``outputs/leaflet/2005-Q1/``. Each run used to replace
``manifest.json`` with its own, so the borough leaflet was no longer listed anywhere. Now a run
merges its entry into the folder's manifest:

* the top level describes the latest run (as before: report, period, inputs, versions...),
  except ``files``, which lists every file of every variant still in the folder;
* ``variants`` has one entry per variant (and re-issue version): its options, when it was
  made, from which data, its files, headline, exceptions and unavailable parts. A variant
  written again replaces its own entry; a file written again belongs to the newest run.

The merge holds an exclusive lock on the folder (``flock``), so two runs writing the same folder
at once both end up listed, and the file is replaced atomically, so a reader never sees half.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportgen.fsutil import atomic_write_bytes

MANIFEST_NAME = "manifest.json"
# What a variant's entry keeps of its run's manifest; the rest is the folder's latest run.
VARIANT_KEYS = (
    "variant",
    "version",
    "generated_at",
    "data_as_at",
    "as_at",
    "received_by",
    "document_date",
    "files",
    "headline",
    "exceptions",
    "unavailable",
    "alt_formats",
    "inputs_key",  # what this variant was made from, and each document's key (reportgen.inputs)
    "documents",
)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` for as long as the block runs (released if the process dies)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def variant_key(entry: dict[str, Any]) -> str:
    """Which variant a manifest entry is: its options and re-issue version."""
    return json.dumps({"variant": entry.get("variant") or {}, "version": entry.get("version")}, sort_keys=True)


def variant_entry(manifest: dict[str, Any]) -> dict[str, Any]:
    return {k: manifest[k] for k in VARIANT_KEYS if k in manifest}


def merge(old: dict[str, Any] | None, new: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The folder's manifest after the run described by ``new``: see the module docstring."""
    previous: list[dict[str, Any]] = []
    if old:
        # a manifest written before variants were listed describes one variant: its own run
        previous = list(old.get("variants") or [variant_entry(old)])
    mine = variant_key(new)
    written = {f["name"] for f in new.get("files", [])}
    variants = []
    for entry in previous:
        if variant_key(entry) == mine:
            continue
        files = [f for f in entry.get("files", []) if f["name"] not in written and (folder / f["name"]).exists()]
        if files:
            variants.append({**entry, "files": files})
    variants.append(variant_entry(new))
    return {**new, "files": [f for v in variants for f in v["files"]], "variants": variants}


def read(path: Path) -> dict[str, Any] | None:
    """A folder's manifest, or None when there is none (or it cannot be read as one)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_merged(folder: Path, manifest: dict[str, Any]) -> Path:
    """Merge ``manifest`` (one run's) into ``folder``'s manifest.json, under the folder's lock."""
    folder = Path(folder)
    path = folder / MANIFEST_NAME
    with folder_lock(folder):
        merged = merge(read(path), manifest, folder)
        return atomic_write_bytes(path, (json.dumps(merged, indent=2, default=str) + "\n").encode())
