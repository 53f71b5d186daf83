"""`reportgen users ...` and `reportgen console` as a user runs them: accounts in the store
database, hashed, disabled, reset; the console started as a real process answers on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner
from demo_reports import DEMO
from sched_helpers import free_port
from sqlalchemy import select

from reportgen.cli import cli
from reportgen.config.loader import load_partnership
from reportgen.console import accounts
from reportgen.console.db import open_db, users


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env=env)


def test_users_add_list_disable_reset(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    common = ["--store", store, "--schedules", str(tmp_path / "none.toml"), "--config", str(DEMO)]
    added = run("users", "add", "jo.bloggs", "--role", "partner", "--partner", "police", *common)
    assert added.exit_code == 0, added.output
    password = added.output.split("password (shown once): ")[1].strip()
    engine = open_db(store, load_partnership(DEMO).id)
    with engine.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and password not in stored
    assert accounts.authenticate(engine, "jo.bloggs", password)[0] is not None
    # a partner account must name a known partner; other roles must not name one
    bad = run("users", "add", "x.y", "--role", "partner", "--partner", "nobody", *common)
    assert bad.exit_code != 0 and "nobody" in bad.output and "Traceback" not in bad.output
    assert run("users", "add", "x.y", "--role", "board", "--partner", "police", *common).exit_code != 0
    assert run("users", "add", "jo.bloggs", "--role", "board", *common).exit_code != 0  # taken
    listed = run("users", "list", *common)
    assert "jo.bloggs" in listed.output and "partner" in listed.output and "active" in listed.output
    assert run("users", "disable", "jo.bloggs", *common).exit_code == 0
    assert accounts.authenticate(engine, "jo.bloggs", password) == (None, "disabled")
    assert "disabled" in run("users", "list", *common).output
    reset = run("users", "reset", "jo.bloggs", *common, env={"REPORTGEN_NEW_PASSWORD": "twelve chars or more"})
    assert reset.exit_code == 0 and "twelve" not in reset.output
    run("users", "disable", "jo.bloggs", "--enable", *common)
    assert accounts.authenticate(engine, "jo.bloggs", "twelve chars or more")[0] is not None
    assert accounts.authenticate(engine, "jo.bloggs", password) == (None, "bad")
    demo = run("users", "add", "--demo", *common)
    assert demo.exit_code == 0, demo.output
    names = {u.username: u for u in accounts.list_users(engine)}
    assert {"support", "police", "council", "comms", "board"} <= set(names)
    assert names["police"].partner == "police" and names["comms"].role == "comms"


def test_reportgen_console_serves_the_sign_in_page(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "REPORTGEN_CONSOLE_SECRET": "s" * 40, "PYTHONPATH": str(Path(__file__).parents[1])}
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    schedules = tmp_path / "schedules.toml"
    schedules.write_text(f'config_dir = "{DEMO}"\nout_dir = "{tmp_path / "out"}"\nstore = "{store}"\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "console", "--schedules", str(schedules), "--port", str(port),
         "--period", "2005-03"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline, "the console did not start"
                time.sleep(0.2)
        assert page.status_code == 200 and "Sign in" in page.text
        assert "Wigan and Leigh Community Safety Partnership" in page.text
        assert page.headers["x-frame-options"] == "DENY" and "server" not in page.headers
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def test_accounts_are_kept_apart_by_partnership(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    wigan, hartlepool = open_db(store, "wigan-leigh"), open_db(store, "hartlepool")
    accounts.add_user(wigan, "police", "partner", "a long password", partner="police")
    accounts.add_user(hartlepool, "police", "partner", "another long password", partner="police")
    assert accounts.authenticate(hartlepool, "police", "a long password") == (None, "bad")
    assert accounts.authenticate(wigan, "police", "a long password")[0] is not None
    assert [u.username for u in accounts.list_users(hartlepool)] == ["police"]
    for _ in range(accounts.MAX_FAILURES):
        accounts.authenticate(hartlepool, "police", "wrong")
    assert accounts.get_user(hartlepool, "police").locked and not accounts.get_user(wigan, "police").locked
