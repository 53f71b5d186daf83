"""A consistent copy of everything a deployment keeps: the store, the returns archive, outputs.

``reportgen backup DEST`` writes a new folder:

- ``store.sqlite``: the observation store (and the run ledger, which lives in the same
  database unless ``service.database`` names another, copied as ``ledger.sqlite``), taken
  with SQLite's online backup API, so the copy is a consistent snapshot even while ``serve``
  or ``pull`` is writing (a plain file copy of a database being written can be torn);
- ``returns/``: accepted returns (archive/, with their SHA-256), quarantined ones with their
  error reports, and the template signing key;
- ``outputs/``: every issued document, manifests and the published folder (symlinks kept);
- ``config/``: the partnership's config folder, and ``schedules.toml`` when there is one;
- ``backup.json``: what was copied from where, when, and each database's SHA-256.

The folder appears whole or not at all (written beside DEST, then renamed). PostgreSQL stores
are backed up with PostgreSQL's own tools (``pg_dump``); this command says so rather than
copying half. Restoring is the reverse copy with the service stopped (docs/service.md).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.fsutil import sha256_files

MANIFEST = "backup.json"


class BackupError(ReportgenError):
    """The backup could not be made; nothing was left at the destination."""


@dataclass
class BackupResult:
    dest: Path
    copied: dict[str, str] = field(default_factory=dict)  # what -> where it came from
    skipped: dict[str, str] = field(default_factory=dict)  # what -> why


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for any other database or an in-memory one)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    # read-only URI: a backup never creates or changes the database it copies
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if ok != "ok":
        raise BackupError(f"the copy of {source} failed SQLite's integrity check ({ok})")


def _database_files(store_url: str, ledger_url: str | None) -> dict[str, Path]:
    """The SQLite file of the store, and of the ledger when it is another database; anything
    else is refused before a byte is copied."""
    from reportgen.logsetup import redact

    databases = {"store": store_url}
    if ledger_url and ledger_url != store_url:
        databases["ledger"] = ledger_url
    files = {}
    for name, url in databases.items():
        path = sqlite_path(url)
        if path is None:
            raise BackupError(
                f"the {name} at {redact(url)} is not a SQLite file; back up PostgreSQL with its own tools "
                "(pg_dump --format=custom), then run this with --no-store for the files"
            )
        if not path.is_file():
            raise BackupError(f"the {name} at {redact(url)} does not exist")
        files[name] = path
    return files


def _copy_databases(
    files: dict[str, Path], staging: Path, result: BackupResult, progress: Callable[[str], None] | None
) -> dict[str, str]:
    """Each database copied as ``<name>.sqlite`` (online backup, integrity checked); their SHA-256s."""
    sums = {}
    for name, path in files.items():
        if progress:
            progress(f"{name} database")
        target = staging / f"{name}.sqlite"
        _copy_sqlite(path, target)
        sums[f"{name}.sqlite"] = sha256_files(target)
        result.copied[f"{name}.sqlite"] = str(path)
    return sums


def _copy_folders(
    folders: dict[str, Path | None], staging: Path, result: BackupResult, progress: Callable[[str], None] | None
) -> None:
    """Each folder given copied under its name (temp files left out); a missing one noted as skipped."""
    for name, folder in folders.items():
        if folder is None:
            continue
        if not Path(folder).is_dir():
            result.skipped[name] = f"{folder} does not exist"
            continue
        if progress:
            progress(name)
        shutil.copytree(folder, staging / name, symlinks=True, ignore=shutil.ignore_patterns("*.tmp"))
        result.copied[name] = str(folder)


def backup(
    dest: Path,
    *,
    store_url: str,
    ledger_url: str | None = None,
    returns_dir: Path | None = None,
    out_dir: Path | None = None,
    config_dir: Path | None = None,
    schedules: Path | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> BackupResult:
    """Copy the deployment into the new folder ``dest`` (see the module docstring)."""
    from reportgen.logsetup import redact

    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists; a backup goes into a new folder")
    files = _database_files(store_url, ledger_url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    result = BackupResult(dest)
    try:
        sums = _copy_databases(files, staging, result, progress)
        _copy_folders({"returns": returns_dir, "outputs": out_dir, "config": config_dir}, staging, result, progress)
        if schedules is not None and Path(schedules).is_file():
            shutil.copy2(schedules, staging / "schedules.toml")
            result.copied["schedules.toml"] = str(schedules)
        manifest = {
            "made_at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
            "copied": result.copied,
            "skipped": result.skipped,
            "sha256": sums,
            "store": redact(store_url),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if dest.exists():
            dest.rmdir()  # empty (checked above)
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result
