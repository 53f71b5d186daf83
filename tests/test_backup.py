"""`reportgen backup DEST`: a consistent copy of the store (SQLite's online backup, even while a
writer holds it), the returns archive and outputs, all or nothing; PostgreSQL is refused with the
right tool named."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from click.testing import CliRunner
from returns_fixtures import fill_template, write_config

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.periods import Period
from reportgen.returns.ingest import ingest_file
from reportgen.returns.template import write_template
from reportgen.store import Store


def _deployment(tmp: Path) -> tuple[Path, str, Path, Path]:
    root = write_config(tmp / "cfg")
    db = tmp / "var" / "store.sqlite"
    db.parent.mkdir(parents=True)
    url = f"sqlite:///{db}"
    config = load_config(root)
    returns = tmp / "var" / "returns"
    blank = write_template(config, "council", [Period.parse("2022-03")], tmp / "t.xlsx", data_dir=returns).path
    assert ingest_file(config, Store(url, partnership=config.partnership.id), fill_template(blank), data_dir=returns).status == "loaded"
    out = tmp / "outputs"
    (out / "board-pack" / "2022-03").mkdir(parents=True)
    (out / "board-pack" / "2022-03" / "board-pack.pdf").write_bytes(b"%PDF-1.7 test")
    (out / "public").mkdir()
    (out / "public" / "current").symlink_to("../board-pack/2022-03")
    return root, url, returns, out


def _rows(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT indicator, area, period, value FROM observations ORDER BY 1, 2, 3").fetchall()
    finally:
        con.close()


def test_backup_copies_a_consistent_store_and_the_files(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root, url, returns, out = _deployment(tmp_path)
    monkeypatch.chdir(tmp_path)  # outputs/ is found where the service would find it
    dest = tmp_path / "backups" / "b1"
    # a writer holds an open transaction the whole time: the backup still gets the committed state
    db = Path(url.removeprefix("sqlite:///"))
    writer = sqlite3.connect(db, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE observations SET value = value + 1000")
    try:
        result = CliRunner().invoke(cli, ["backup", str(dest), "--config", str(root), "--store", url,
                                          "--data-dir", str(returns), "--schedules", str(tmp_path / "none.toml")])
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 0, result.output
    assert _rows(dest / "store.sqlite") == _rows(db) and _rows(db)
    con = sqlite3.connect(dest / "store.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    archived = sorted(p.name for p in (dest / "returns" / "archive").rglob("*.xlsx"))
    assert archived == sorted(p.name for p in (returns / "archive").rglob("*.xlsx")) and archived
    assert (dest / "returns" / "signing.key").exists() or "REPORTGEN_SIGNING_KEY" in __import__("os").environ
    assert (dest / "outputs" / "board-pack" / "2022-03" / "board-pack.pdf").read_bytes() == b"%PDF-1.7 test"
    assert (dest / "outputs" / "public" / "current").is_symlink()
    assert (dest / "config" / "partnership.toml").is_file()
    manifest = json.loads((dest / "backup.json").read_text())
    assert set(manifest["sha256"]) == {"store.sqlite"}


def test_backup_refuses_an_existing_destination_and_leaves_nothing_half_made(tmp_path: Path) -> None:
    root, url, returns, _ = _deployment(tmp_path)
    dest = tmp_path / "b"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["backup", str(dest), "--config", str(root), "--store", url])
    assert result.exit_code == 1 and "already exists" in result.output
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_backup_of_a_postgresql_store_names_pg_dump_and_hides_the_password(tmp_path: Path) -> None:
    root = write_config(tmp_path / "cfg")
    url = "postgresql+psycopg://rg:secret-pw@127.0.0.1:5432/reportgen"
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "b"), "--config", str(root), "--store", url])
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "secret-pw" not in result.output
    assert not (tmp_path / "b").exists()


def test_backup_while_loads_run_is_always_a_committed_state(tmp_path: Path) -> None:
    """Loads commit in another thread while backups are taken: each backup holds a whole
    number of loads (never half of one)."""
    from reportgen.backup import backup

    root, url, returns, _ = _deployment(tmp_path)
    config = load_config(root)
    blank = write_template(config, "council", [Period.parse("2022-04")], tmp_path / "a.xlsx", data_dir=returns).path
    from returns_fixtures import template_rows

    march = len(_rows(Path(url.removeprefix("sqlite:///"))))
    april = len(template_rows(blank))
    stop = threading.Event()
    results: list[str] = []

    def load_repeatedly() -> None:
        store = Store(url, partnership=config.partnership.id)
        bump = 0
        while not stop.is_set() and bump < 40:
            bump += 1
            filled = fill_template(blank, tmp_path / f"a{bump}.xlsx", bump=bump)
            results.append(ingest_file(config, store, filled, data_dir=returns).status)

    thread = threading.Thread(target=load_repeatedly)
    thread.start()
    seen = []
    try:
        import time

        deadline = time.monotonic() + 60
        n = 0
        while len(results) < 3 and time.monotonic() < deadline:  # backups before, during and after loads
            n += 1
            dest = tmp_path / "backups" / f"b{n}"
            backup(dest, store_url=url)
            con = sqlite3.connect(dest / "store.sqlite")
            current = con.execute("SELECT count(*) FROM observations WHERE superseded_at IS NULL").fetchone()[0]
            con.close()
            assert current in (march, march + april), current  # March alone, or March and all of April
            seen.append(current)
    finally:
        stop.set()
        thread.join()
    assert set(results) == {"loaded"}, results
    assert march + april in seen, "no backup was taken after a load: the test proved nothing"


def test_the_documented_restore_gives_the_deployment_back(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """docs/service.md "Backup and restore", step by step, after the store and the returns folder
    are lost: the copy checks against backup.json, the store has every row again and knows the
    files it loaded (a re-sent return is "unchanged", not loaded twice)."""
    import hashlib
    import shutil

    root, url, returns, _ = _deployment(tmp_path)
    monkeypatch.chdir(tmp_path)
    dest = tmp_path / "backups" / "b1"
    made = CliRunner().invoke(cli, ["backup", str(dest), "--config", str(root), "--store", url,
                                    "--data-dir", str(returns), "--schedules", str(tmp_path / "none.toml")])
    assert made.exit_code == 0, made.output
    db = Path(url.removeprefix("sqlite:///"))
    rows = _rows(db)
    [sent] = (returns / "archive").rglob("*.xlsx")
    resent = tmp_path / "council-march-again.xlsx"
    shutil.copy(sent, resent)
    db.unlink()  # the disaster
    shutil.rmtree(returns)
    # 1. check the copy
    manifest = json.loads((dest / "backup.json").read_text())
    assert hashlib.sha256((dest / "store.sqlite").read_bytes()).hexdigest() == manifest["sha256"]["store.sqlite"]
    # 2. the database back where the store URL points; 3. returns/ back as the returns folder
    shutil.copy(dest / "store.sqlite", db)
    shutil.copytree(dest / "returns", returns, symlinks=True)
    # 4. the store is at this reportgen's schema, with every row and every load
    current = CliRunner().invoke(cli, ["db", "current", "--store", url])
    assert current.exit_code == 0 and "up to date" in current.output, current.output
    assert _rows(db) == rows
    again = CliRunner().invoke(cli, ["returns", "ingest", "--config", str(root), "--store", url,
                                     "--data-dir", str(returns), str(resent)])
    assert again.exit_code == 0 and "1 unchanged" in again.output, again.output
    assert _rows(db) == rows
