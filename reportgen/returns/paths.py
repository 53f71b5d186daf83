"""Where returns are kept: archive/, quarantine/ and the template signing key."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATA_DIR = Path("var") / "returns"
DATA_DIR_ENV = "REPORTGEN_RETURNS_DIR"


def default_data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
