"""Reading a TOML file a person wrote: every way it can be wrong becomes a ConfigError.

``tomllib`` raises ``TOMLDecodeError`` for bad syntax, but a file that is not UTF-8 raises
``UnicodeDecodeError`` and a table nested thousands deep raises ``RecursionError``; both used
to end in a traceback. Config files are small and shallow, so a size and a depth limit keep
a hostile or corrupted file from costing memory or time.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from reportgen.errors import ConfigError

MAX_BYTES = 4 * 1024 * 1024  # the demo's largest config file is about 20 KB
MAX_DEPTH = 24  # tables and arrays inside each other; the deepest real config uses 5


def read_toml(path: Path, shown: str) -> dict[str, Any]:
    """``path`` parsed; ``shown`` names it in errors. Raises FileNotFoundError (for the caller to
    word) or ConfigError."""
    with path.open("rb") as fh:
        raw = fh.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ConfigError(shown, None, f"is larger than {MAX_BYTES // (1024 * 1024)} MiB; is it really a config file?")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            shown,
            None,
            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line})",
            hint="save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(shown, None, f"is not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(shown, None, f"nests tables or arrays more than {MAX_DEPTH} deep") from None
    if _depth(data) > MAX_DEPTH:
        raise ConfigError(shown, None, f"nests tables or arrays more than {MAX_DEPTH} deep")
    return data


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level
