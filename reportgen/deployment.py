"""A deployment's partnerships: a folder of partnership folders.

The layout docs/service.md already gives a county or national deployment (one folder per
partnership, each with its ``partnership.toml``) is the list: every immediate subfolder of
the deployment folder holding a ``partnership.toml`` is a partnership, keyed by the ``id`` in
that file. Nothing else to keep in step when a partnership is added or retired::

    /srv/reportgen/partnerships/wigan/partnership.toml       id = "wigan-leigh"
    /srv/reportgen/partnerships/hartlepool/partnership.toml  id = "hartlepool"
"""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import ConfigError, LookupFailure
from reportgen.tomlfile import read_toml


def partnerships(root: Path | str) -> dict[str, Path]:
    """Partnership id -> its config folder, for every partnership folder in ``root``, by id.

    Only the ids are read here: a partnership whose config is otherwise broken is still
    listed, so a run reports it as that partnership's failure and goes on with the others.
    """
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(
            str(root),
            None,
            "is not a folder of partnership folders",
            hint="give --deployment DIR, a folder with one partnership folder per partnership",
        )
    found: dict[str, Path] = {}
    for folder in sorted(p for p in root.iterdir() if (p / "partnership.toml").is_file()):
        shown = f"{folder.name}/partnership.toml"
        pid = read_toml(folder / "partnership.toml", shown).get("id")
        if not isinstance(pid, str) or not pid:
            raise ConfigError(shown, "id", "is missing: a deployment tells its partnerships apart by id")
        if pid in found:
            raise ConfigError(shown, "id", f"{pid!r} is also the id of {found[pid].name}/partnership.toml")
        found[pid] = folder
    if not found:
        raise ConfigError(str(root), None, "holds no partnership folders (no */partnership.toml)")
    return found


def select(root: Path | str, wanted: str) -> dict[str, Path]:
    """The partnerships ``wanted`` names ('all' or 'id,id,...'), in the order given."""
    known = partnerships(root)
    if wanted.strip().lower() == "all":
        return known
    ids = [w.strip() for w in wanted.split(",") if w.strip()]
    unknown = [i for i in ids if i not in known]
    if unknown or not ids:
        raise LookupFailure(
            f"Unknown partnership {', '.join(map(repr, unknown)) or repr(wanted)} in {root}.",
            hint=f"Known: {', '.join(known)} (or all).",
        )
    return {i: known[i] for i in dict.fromkeys(ids)}
