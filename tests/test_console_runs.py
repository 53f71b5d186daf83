"""Runs asked for in the console are queued to the service, never run in the request: two
clicks make one request and one run, and a real `serve` process (tests/serve_child.py: the
real Service, APScheduler and sweeps, with the test pipeline) picks it up and runs it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from console_kit import csrf_of, make_app, pulled, settings_for, sign_in  # noqa: F401 (fixture)
from faultkit import Child
from starlette.testclient import TestClient

from reportgen.schedule import requests as queue
from reportgen.schedule.config import load_schedules
from reportgen.schedule.ledger import Ledger

pytestmark = pytest.mark.slow  # a real serve process


def _notice(client: TestClient) -> str:
    page = client.get("/support?period=2005-03").text
    return page.split('class="notice', 1)[1].split("</div>", 1)[0] if 'class="notice' in page else ""


def test_run_twice_is_one_run_done_by_serve(tmp_path: Path, pulled: Path) -> None:  # noqa: F811
    root = tmp_path / "root"
    settings = settings_for(root, pulled)
    schedules = root / "schedules.toml"
    schedules.write_text(schedules.read_text() + '\n[service]\nsweep_every = "1s"\n')
    settings = load_schedules(schedules)
    app = make_app(settings, root)
    client = TestClient(app, follow_redirects=False)
    assert sign_in(client, "support1").status_code == 303
    form = {"job": "board-pack", "period": "2005-03", "action": "run"}
    first = client.post("/support/run", data={**form, "csrf": csrf_of(client.get("/support").text)})
    assert first.status_code == 303
    assert "board-pack 2005-03: run queued for the service" in _notice(client)
    assert "runs it at its next check (every 1 second)" in client.get("/support").text
    client.post("/support/run", data={**form, "csrf": csrf_of(client.get("/support").text)})
    assert "board-pack 2005-03 is already queued: not queued twice" in _notice(client)
    ledger = app.state.console.ledger
    assert [(q.job, q.period, q.status) for q in queue.recent(ledger)] == [("board-pack", "2005-03", "queued")]
    assert ledger.runs(job="board-pack", period="2005-03") == []  # nothing ran in the request

    child = Child(schedules, "serve")
    try:
        end = time.monotonic() + 60
        while queue.recent(ledger)[0].status in queue.OPEN and time.monotonic() < end:
            time.sleep(0.2)
        [done] = queue.recent(ledger)
        assert done.status == "succeeded", (done, child.log)
        assert done.message == "board-pack 2005-03 v1: succeeded"
    finally:
        assert child.term() == 0
        child.close()
    renders = [line.split()[1:3] for line in child.renders()]
    assert renders.count(["board-pack", "2005-03"]) == 1  # one render of the pair, however many clicks
    [run] = Ledger(settings.database_url, partnership=settings.partnership).runs(job="board-pack", period="2005-03")
    assert (run.version, run.trigger, run.status) == (1, "manual", "succeeded")
    page = client.get("/support?period=2005-03").text
    assert "board-pack 2005-03 v1: succeeded" in page.split('id="requests"')[1].split('id="history"')[0]
    # asking again is refused: produced already (Rerun makes a new version)
    client.post("/support/run", data={**form, "csrf": csrf_of(client.get("/support").text)})
    assert "was already produced (version 1): use Rerun" in _notice(client)
