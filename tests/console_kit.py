"""Shared set-up for the console tests: the demo pulled once into a real SQLite store (copied
per test), a schedules.toml whose folders are all under tmp_path, the app, a signed-in
TestClient, and a real uvicorn server on a free loopback port for the browser tests."""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from demo_reports import DEMO, demo_store
from sched_helpers import free_port
from sqlalchemy import insert

from reportgen.console.app import create_app
from reportgen.console.db import users
from reportgen.periods import Period
from reportgen.schedule.config import Schedules, load_schedules

PASSWORD = "correct horse battery"
USERS = (("support1", "support", None), ("police1", "partner", "police"), ("council1", "partner", "council"),
         ("comms1", "comms", None), ("board1", "board", None))  # fmt: skip

JOBS = """
[[jobs]]
id = "board-pack"
report = "board-pack"
period = "month"
when = { working_day = 5, at = "07:00" }
deliver = [{ channel = "publish" }]

[[jobs]]
id = "leaflet"
report = "leaflet"
period = "quarter"
when = { working_day = 10, at = "09:00" }
approval_to = ["comms@example.org"]
deliver = [{ channel = "publish" }]
"""


@pytest.fixture(scope="session")
def pulled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo pulled once per session (per worker); tests copy the file."""
    return pulled_demo(tmp_path_factory.mktemp("console-demo"))


def pulled_demo(folder: Path) -> Path:
    """The demo pulled into ``folder/demo.sqlite`` (done once per session by the caller)."""
    demo_store(folder)
    return folder / "demo.sqlite"


def demo_config(folder: Path) -> Path:
    """A copy of the demo config where only police and council have an address for reminders
    (data.lead@<partner>.example.org, a contact's email), so a partner with none is seen too."""
    shutil.copytree(DEMO, folder)
    for toml in (folder / "partners").glob("*.toml"):
        text = re.sub(r"(?m)^returns_to = .*\n", "", toml.read_text())
        if toml.stem in ("police", "council"):
            text = text.replace("[[contacts]]\n", f'[[contacts]]\nemail = "data.lead@{toml.stem}.example.org"\n', 1)
        toml.write_text(text)
    return folder


def settings_for(root: Path, pulled: Path, *, config_dir: Path | None = None, store: str | None = None) -> Schedules:
    """Settings on a copy of the pulled demo store, or on ``store`` (another database URL)."""
    root.mkdir(parents=True, exist_ok=True)
    config_dir = config_dir or demo_config(root / "config")
    if store is None:
        db = root / "store.sqlite"
        shutil.copy(pulled, db)
        store = f"sqlite:///{db}"
    text = f"""
timezone = "Europe/London"
config_dir = "{config_dir}"
out_dir = "{root / "outputs"}"
store = "{store}"

[smtp]
sender = "reportgen@example.org"

[outbox]
path = "{root / "outbox"}"

[publish]
path = "{root / "public"}"

[print]
path = "{root / "print"}"

[alerts]
to = ["support@example.org"]
{JOBS}
"""
    (root / "schedules.toml").write_text(text)
    return load_schedules(root / "schedules.toml")


def make_app(settings: Schedules, root: Path, **kwargs):  # type: ignore[no-untyped-def]
    app = create_app(settings, secret="test-secret-" + "x" * 32, period=Period.parse("2005-03"),
                     data_dir=root / "returns", **kwargs)  # fmt: skip
    con = app.state.console
    with con.db.engine.begin() as conn:
        for name, role, partner in USERS:
            row = {"partnership": con.db.partnership, "username": name, "role": role, "partner": partner,
                   "email": "", "password_hash": password_hash(), "created_at": "2005-04-01T00:00:00+00:00"}  # fmt: skip
            conn.execute(insert(users).values(**row))
    return app


_HASH: list[str] = []


def password_hash() -> str:
    """One real argon2 hash of PASSWORD for every test user (hashing costs 0.2 s of CPU each;
    accounts.add_user itself is tested in test_console_users.py)."""
    if not _HASH:
        _HASH.append(PasswordHasher().hash(PASSWORD))
    return _HASH[0]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def sign_in(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf": token, "username": username, "password": password})


class Server:
    """uvicorn serving ``app`` on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the console did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
