"""What a document is made from, hashed: so a run can tell that a document would come out the
same as the one already issued and leave it alone.

Two keys go into a report's manifest:

- ``inputs_key``: the report, period, variant and formats; the partnership's observations and
  loads as the store knows them at the run; the config checksum; the code and templates; the
  library versions. When it matches the last manifest's, nothing the run could read has changed
  and the report is not even evaluated.
- one ``document_key`` per document: the document model as built (every figure, sentence and
  chart it shows), the formats, the code, templates and library versions. When only some
  figures changed (one partner's late return), the documents that show none of them build to
  the same model and keep their files; only the others are rendered again.

Keys are SHA-256 over a canonical form, never over pickles (whose bytes depend on object
identity, not only on content).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

import reportgen

#: Package files whose content can change a rendered file (code, templates, styles, catalogs).
_CODE_SUFFIXES = (".py", ".j2", ".html", ".css", ".mo", ".po", ".toml", ".json", ".ttf", ".otf", ".svg", ".png")


@functools.lru_cache(maxsize=1)
def code_checksum() -> str:
    """SHA-256 over the installed reportgen package's files (its code, templates and styles):
    a change to any of them, released or not, makes every document's key new."""
    root = Path(reportgen.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def frame_digest(frame: pd.DataFrame, order: Iterable[str] = ()) -> str:
    """SHA-256 of a frame's columns and rows, independent of the order the store returned
    them in (sorted by ``order`` first)."""
    keys = [c for c in order if c in frame.columns]
    if keys and not frame.empty:
        frame = frame.sort_values(keys, kind="stable")
    digest = hashlib.sha256(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(str(len(frame)).encode())
    if not frame.empty:
        digest.update(pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    """A JSON-able form of a document model that two equal documents share exactly."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "@": type(value).__name__,
            **{f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, bytes):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        return repr(value)  # exact, and NaN stays comparable
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return repr(value)


def digest(*parts: Any) -> str:
    """SHA-256 of ``parts`` in canonical JSON."""
    text = json.dumps([_canonical(p) for p in parts], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def document_key(document: Any, formats: tuple[str, ...], suffix: str, versions: dict[str, str]) -> str:
    """The key of one document's files: its model, formats, file suffix, code and libraries."""
    return digest("document", document, list(formats), suffix, code_checksum(), versions)
