"""One-time sign-in links, emailed through the outbox to a real SMTP server on loopback
(aiosmtpd): the same answer for known and unknown addresses, the token hashed at rest, one
use, 15 minutes, a newer link replaces an older one, at most three an account, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from console_kit import csrf_of, make_app, pulled, settings_for  # noqa: F401 (fixture)
from sched_helpers import SmtpServer
from sqlalchemy import select, update
from starlette.testclient import TestClient

from reportgen.console import links
from reportgen.console.db import recent, users
from reportgen.schedule.config import load_schedules

ADDRESS = "Data.Lead@police.example.org"


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(tmp_path: Path, pulled: Path, smtp: SmtpServer):  # type: ignore[no-untyped-def]  # noqa: F811
    root = tmp_path / "root"
    settings_for(root, pulled)
    toml = root / "schedules.toml"
    toml.write_text(toml.read_text().replace("[smtp]\n", "[smtp]\n" + smtp.smtp_toml(), 1))
    app = make_app(load_schedules(toml), root)
    with app.state.console.db.engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == "police1").values(email=ADDRESS.lower()))
    return app


def ask(client: TestClient, address: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login").text)
    return client.post("/login/link", data={"csrf": token, "email": address})


def link_in(msg) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"http://testserver(/login/link/\S+)", msg.get_body().get_content())
    assert found, msg.get_body().get_content()
    return found.group(1)


def use(client: TestClient, path: str):  # type: ignore[no-untyped-def]
    page = client.get(path)
    assert page.status_code == 200 and "Sign in with your link" in page.text
    return client.post(path, data={"csrf": csrf_of(page.text)})


def panel(html: str) -> str:
    return html.split('id="by-email"')[1].split("</form>")[0].split('name="csrf"')[0]


def test_a_link_signs_in_once(app, smtp: SmtpServer) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    known = ask(client, ADDRESS)  # letter case does not matter
    unknown = ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert panel(known.text) == panel(unknown.text)  # no account enumeration
    assert "If that address belongs to an account, we have emailed it a sign-in link" in known.text
    assert smtp.mailbox.wait_for(1)
    [msg] = smtp.mailbox.messages
    assert msg["To"] == "data.lead@police.example.org"
    path = link_in(msg)
    token = path.rsplit("/", 1)[1]
    with app.state.console.db.engine.connect() as conn:
        stored = conn.execute(select(links.links)).mappings().all()
    assert [r["token_hash"] for r in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in str(dict(r)) for r in stored)  # hashed at rest

    visitor = TestClient(app, follow_redirects=False)
    signed = use(visitor, path)
    assert signed.status_code == 303 and signed.headers["location"] == "/partner"  # then /partner/police
    assert visitor.get("/partner/police").status_code == 200
    again = use(TestClient(app, follow_redirects=False), path)
    assert again.status_code == 400 and "This sign-in link does not work" in again.text
    log = [(e.username, e.action, e.detail) for e in recent(app.state.console.db)]
    assert ("police1", "login", "partner (emailed link)") in log
    assert ("-", "login-link-requested", "no active account with that address") in log
    assert ("-", "login-link-refused", "used or replaced by a newer link") in log


def test_a_newer_link_replaces_the_older_and_links_expire(app, smtp: SmtpServer) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    ask(client, ADDRESS)
    ask(client, ADDRESS)
    assert smtp.mailbox.wait_for(2)
    first, second = (link_in(m) for m in smtp.mailbox.messages)
    assert use(TestClient(app, follow_redirects=False), first).status_code == 400
    # the newest one works, but not after 15 minutes
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=links.LINK_MINUTES, seconds=1)
    assert links.redeem(app.state.console.db, second.rsplit("/", 1)[1], now=later) == (None, "expired")
    assert use(TestClient(app, follow_redirects=False), second).status_code == 303
    # a third and a fourth request: the account has had its three links; the page is the same
    ask(client, ADDRESS)
    fourth = ask(client, ADDRESS)
    assert "If that address belongs to an account" in fourth.text
    assert smtp.mailbox.wait_for(3)
    assert not smtp.mailbox.wait_for(4, timeout=1.0)
    assert ("police1", "login-link-requested", "too many links") in [
        (e.username, e.action, e.detail) for e in recent(app.state.console.db)]  # fmt: skip


def test_a_link_request_without_the_csrf_token_is_refused(app, smtp: SmtpServer) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    client.get("/login")
    assert client.post("/login/link", data={"email": ADDRESS}).status_code == 403
    assert not smtp.mailbox.wait_for(1, timeout=0.5)
