"""The console's security against a real app on a real SQLite store: partners fenced to their
own returns, CSRF on every POST, cookie flags, lockout, headers, and nothing echoed unescaped."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from console_kit import PASSWORD, csrf_of, demo_config, make_app, pulled, settings_for, sign_in  # noqa: F401 (fixture)
from starlette.testclient import TestClient

from reportgen.cli import cli
from reportgen.console import accounts
from reportgen.console.accounts import MAX_FAILURES
from reportgen.console.security import RateLimit


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, pulled: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    """One app for the tests that change nothing another test looks at."""
    root = tmp_path_factory.mktemp("console-app")
    return make_app(settings_for(root, pulled), root), root


@pytest.fixture
def app(shared):  # type: ignore[no-untyped-def]
    shared[0].state.console.limiter = RateLimit()  # each test starts with a clean sign-in count
    return shared[0]


@pytest.fixture
def root(shared) -> Path:  # type: ignore[no-untyped-def]
    return shared[1]


def client_as(app, username: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    assert sign_in(client, username).status_code == 303
    return client


def test_partner_gets_403_on_another_partners_returns_by_any_url(app) -> None:  # type: ignore[no-untyped-def]
    police = client_as(app, "police1")
    own = police.get("/partner/police")
    assert own.status_code == 200 and "Greater Manchester Police, Wigan Division" in own.text
    token = csrf_of(own.text)
    for url in ("/partner/council", "/partner/council?period=2005-03", "/partner/council/template?period=2005-03",
                "/partner/Council", "/partner/%63ouncil", "/support", "/support/users", "/support/audit",
                "/support/runs/1", "/comms", "/board", "/comms/1/page-1.png"):  # fmt: skip
        assert police.get(url).status_code == 403, url
    upload = police.post("/partner/council/upload", data={"csrf": token, "period": "2005-03"},
                         files={"return": ("r.xlsx", b"x", "application/octet-stream")})  # fmt: skip
    assert upload.status_code == 403
    for url in ("/support/remind/council", "/support/run", "/comms/1/approve", "/support/users"):
        assert police.post(url, data={"csrf": token}).status_code == 403, url
    # the other partner's account is fenced the same way, and the log says who tried what
    assert client_as(app, "council1").get("/partner/police").status_code == 403
    support = client_as(app, "support1")
    log = support.get("/support/audit").text
    assert "police1" in log and "partner council" in log and "forbidden" in log


def test_post_without_or_with_a_wrong_csrf_token_is_refused(app, root: Path) -> None:  # type: ignore[no-untyped-def]
    support = client_as(app, "support1")
    page = support.get("/support/audit")
    token = csrf_of(page.text)
    outbox = root / "outbox"
    for data in ({"period": "2005-03"}, {"period": "2005-03", "csrf": "x" + token[1:]}):
        refused = support.post("/support/remind/police", data=data)
        assert refused.status_code == 403 and "expired" in refused.text
    assert not list(outbox.rglob("*.eml")), "a refused POST sent a reminder"
    # sign-in itself needs the token, and a token from another session does not do
    fresh = TestClient(app, follow_redirects=False)
    assert fresh.post("/login", data={"username": "support1", "password": PASSWORD}).status_code == 403
    assert fresh.post("/login", data={"csrf": token, "username": "support1", "password": PASSWORD}).status_code == 403
    # with the token the same POST works and the reminder waits in the outbox
    done = support.post("/support/remind/police", data={"period": "2005-03", "csrf": token})
    assert done.status_code == 303
    assert len(list(outbox.rglob("*.eml"))) == 1


def test_session_cookie_is_httponly_samesite_and_secure_behind_tls(app, tmp_path: Path, pulled: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    client = TestClient(app, follow_redirects=False)
    cookie = sign_in(client, "board1").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie.replace("samesite", "")
    secure_app = make_app(settings_for(tmp_path / "tls", pulled), tmp_path / "tls", secure_cookies=True)
    secure = TestClient(secure_app, follow_redirects=False)
    flags = [p.strip() for p in sign_in(secure, "board1").headers["set-cookie"].lower().split(";")]
    assert "secure" in flags and "httponly" in flags
    # a request that arrived as https (the proxy's X-Forwarded-Proto, as uvicorn applies it) too
    https = TestClient(app, base_url="https://testserver", follow_redirects=False)
    flags = [p.strip() for p in sign_in(https, "board1").headers["set-cookie"].lower().split(";")]
    assert "secure" in flags


def test_locked_after_repeated_wrong_passwords_until_reset(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # comms1 is locked and then given a new password: no other test signs in as comms1
    client = TestClient(app, follow_redirects=False)
    for n in range(MAX_FAILURES):
        wrong = sign_in(client, "comms1", "not the password")
        assert wrong.status_code == 401, n
    locked = sign_in(client, "comms1", PASSWORD)
    assert locked.status_code == 401 and "locked" in locked.text
    assert "set-cookie" not in locked.headers or "uid" not in locked.headers["set-cookie"]
    assert client.get("/comms").status_code == 303  # still signed out: sent to sign in
    con = app.state.console
    assert accounts.get_user(con.db, "comms1").locked
    store = con.settings.store
    result = CliRunner().invoke(cli, ["users", "reset", "comms1", "--store", store, "--schedules", str(tmp_path / "none.toml"),
         "--config", str(con.settings.config_dir)],
                                env={"REPORTGEN_NEW_PASSWORD": "a brand new password"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sign_in(client, "comms1", "a brand new password").status_code == 303
    assert client.get("/comms").status_code == 200


def test_security_headers_on_every_page(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    for url in ("/login", "/static/console.css", "/nowhere"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
    support = client_as(app, "support1")
    for url in ("/partner/police", "/comms", "/support/users", "/support/audit", "/board"):
        page = support.get(url).text
        assert "<script" not in page and " style=" not in page and " on" + "click=" not in page, url


def test_uploaded_file_names_and_config_names_are_escaped(tmp_path: Path, pulled: Path) -> None:  # noqa: F811
    config = demo_config(tmp_path / "config")
    hostile = '<script>alert("p")</script><img src=x onerror=alert(1)>'
    toml = config / "partners" / "police.toml"
    toml.write_text(
        toml.read_text().replace('name = "Greater Manchester Police, Wigan Division"', f"name = '{hostile}'", 1)
    )
    app = make_app(settings_for(tmp_path / "root", pulled, config_dir=config), tmp_path / "root")
    police = client_as(app, "police1")
    page = police.get("/partner/police")
    assert page.status_code == 200
    assert hostile not in page.text and "&lt;script&gt;alert(" in page.text
    name = "<img src=x onerror=alert(2)>.xlsx"
    result = police.post("/partner/police/upload", data={"csrf": csrf_of(page.text), "period": "2005-03"},
                         files={"return": (name, b"not a workbook", "application/octet-stream")})  # fmt: skip
    assert result.status_code == 422
    assert "<img src=x" not in result.text and "&lt;img src=x onerror=alert(2)&gt;.xlsx" in result.text
    support = client_as(app, "support1").get("/support/audit").text
    assert "<img src=x" not in support and "<script>alert" not in support


def test_sign_in_is_rate_limited_per_address(app) -> None:  # type: ignore[no-untyped-def]
    app.state.console.limiter = RateLimit(limit=3, window=60)
    client = TestClient(app, follow_redirects=False)
    assert [sign_in(client, "nobody", "wrong password").status_code for _ in range(4)] == [401, 401, 401, 429]
    # the right password is refused too while the address is limited, and nothing was counted
    # against a real account by the refused attempt
    assert sign_in(client, "board1").status_code == 429
    assert accounts.get_user(app.state.console.db, "board1").failed_logins == 0


def test_board_sees_what_changed_between_versions_and_a_partner_cannot(app) -> None:  # type: ignore[no-untyped-def]
    con = app.state.console
    ledger, store = con.ledger, con.store
    t0 = dt.datetime.now(dt.UTC)  # after the demo was loaded
    before = store.frame(indicators=["house_burglary"])
    old = before[(before["area"] == "borough") & (before["period"] == "2005-02")]["value"].iloc[0]
    v1 = ledger.claim("board-pack", "2005-03", report="board-pack", now=t0, trigger="manual")
    ledger.succeed(v1.id, now=t0, files=[], manifest=None, headline=[], exceptions=[], gaps=[])
    revision = pd.DataFrame({"indicator": ["house_burglary"], "area": ["borough"], "period": ["2005-02"],
                             "value": [old + 11]})  # fmt: skip
    store.load(revision, source="returns/police", partner="police", now=t0 + dt.timedelta(minutes=1))
    t2 = t0 + dt.timedelta(minutes=2)
    v2 = ledger.claim("board-pack", "2005-03", report="board-pack", now=t2, version=2, trigger="rerun",
                      note="February burglary revised")  # fmt: skip
    ledger.succeed(v2.id, now=t2, files=[], manifest=None, headline=[], exceptions=[], gaps=[])

    board = client_as(app, "board1")
    library = board.get("/board").text
    assert f'href="/changes/{v2.id}"' in library and "First issue" in library
    page = board.get(f"/changes/{v2.id}")
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td class=\"num\">(.*?)</td>"
                      r"<td class=\"num\">(.*?)</td></tr>", page.text)  # fmt: skip
    assert rows == [(con.config.indicators["house_burglary"].title, "Wigan borough", "2005-02",
                     f"{old:,g}", f"{old + 11:,g}")]  # fmt: skip
    assert "nothing to compare" in board.get(f"/changes/{v1.id}").text
    assert client_as(app, "police1").get(f"/changes/{v2.id}").status_code == 403
