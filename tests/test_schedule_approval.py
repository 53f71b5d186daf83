"""Public documents: drafts to comms, released by `reportgen approve`, published atomically,
gathered for print, never overwritten; corrections are new versions with a note."""

from __future__ import annotations

import filecmp
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from pipeline_double import make_generate
from sched_helpers import Clock, settings_at, utc

from reportgen.cli import cli
from reportgen.deliver.base import Parcel
from reportgen.deliver.publish import PublishChannel
from reportgen.errors import DeliveryError
from reportgen.periods import Period
from reportgen.schedule.config import Delivery
from reportgen.schedule.ledger import Ledger
from reportgen.schedule.manual import rerun
from reportgen.schedule.runner import Runner
from reportgen.schedule.service import Service
from reportgen.store import Store

JOBS = """
[[jobs]]
id = "leaflet"
report = "leaflet"
period = "quarter"
when = { working_day = 10, at = "09:00" }
approval_to = ["comms@example.org"]
deliver = [{ channel = "publish" }, { channel = "print" }]

[[jobs]]
id = "poster"
report = "leaflet"
variant = { poster = true }
period = "quarter"
when = { working_day = 10, at = "09:20" }
approval_to = ["comms@example.org"]
deliver = [{ channel = "print" }]
"""


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_draft_then_approve_then_correction(tmp_path: Path) -> None:
    settings = settings_at(tmp_path, JOBS)
    schedules = str(tmp_path / "schedules.toml")
    clock = Clock(utc(2005, 4, 1))
    calls: list = []
    svc = Service(settings, now=clock, generate=make_generate(calls))
    svc.startup()
    store = Store(settings.store, partnership=settings.partnership)
    store.load(pd.DataFrame({"indicator": ["burglary"], "area": ["borough"], "period": ["2005-03"], "value": [30]}),
               source="returns", partner="police", now=clock())
    clock.set(utc(2005, 4, 14, 9))  # both due on 14 April (10th working day), 09:00 and 09:20 BST
    runs = svc.run_due()
    assert sorted((r.job, r.period, r.approval) for r in runs) == [
        ("leaflet", "2005-Q1", "pending"), ("poster", "2005-Q1", "pending")
    ]
    drafts = sorted((tmp_path / "outputs" / "outbox" / "pending").glob("*.eml"))
    assert len(drafts) == 2 and all("DRAFT for approval" in p.read_text() for p in drafts)
    assert all("comms@example.org" in p.read_text() for p in drafts)
    public, prints = tmp_path / "public_html", tmp_path / "print"
    assert not public.exists() and not prints.exists(), "nothing public before approval"
    held = [d.status for r in runs for d in svc.ledger.deliveries(r.id) if d.channel != "email"]
    assert held == ["held", "held", "held"]

    result = invoke("approve", "leaflet", "2005-Q1", "--schedules", schedules)
    assert result.exit_code == 0, result.output
    assert "released leaflet 2005-Q1 v1" in result.output and "released poster 2005-Q1 v1" in result.output
    leaflet = svc.ledger.find("leaflet", "2005-Q1")
    live = public / "leaflet"
    assert live.is_symlink() and os.readlink(live) == "releases/leaflet/2005-Q1-v1"
    for f in leaflet.files:
        if f.suffix in (".pdf", ".html"):
            assert filecmp.cmp(f, live / f.name, shallow=False)
    assert not (live / next(f.name for f in leaflet.files if f.suffix == ".docx")).exists()
    quarter = sorted(p.name for p in (prints / "2005-Q1").glob("*.pdf"))
    assert quarter == ["leaflet-v1-leaflet-2005-Q1.pdf", "poster-v1-leaflet-poster-2005-Q1.pdf"]
    assert "poster-v1-leaflet-poster-2005-Q1.pdf" in (prints / "2005-Q1" / "CONTENTS.txt").read_text()

    again = invoke("approve", "leaflet", "2005-Q1", "--schedules", schedules)
    assert again.exit_code == 1 and "nothing of 'leaflet' for 2005-Q1 is awaiting approval" in again.output

    # The police revise March; comms issue a correction: version 2, noted, approved separately.
    clock.advance(days=2)
    store.load(pd.DataFrame({"indicator": ["burglary"], "area": ["borough"], "period": ["2005-03"], "value": [35]}),
               source="returns", partner="police", now=clock())
    clock.advance(hours=1)
    runner = Runner(settings, svc.ledger, now=clock, generate=make_generate(calls))
    [(_, v2, _)] = rerun(runner, "leaflet", Period.parse("2005-Q1"), note="Corrected burglary figure")
    assert v2.version == 2 and v2.approval == "pending"
    assert v2.note.startswith("Corrected burglary figure")
    assert "1 value(s) revised since version 1" in v2.note and "burglary, borough, 2005-03: now 35" in v2.note
    assert (v2.files[0].parent / "CHANGES.txt").read_text().startswith("Corrected burglary figure")
    assert os.readlink(live) == "releases/leaflet/2005-Q1-v1", "not live until approved"
    assert invoke("approve", "leaflet", "2005-Q1", "--schedules", schedules).exit_code == 0
    assert os.readlink(live) == "releases/leaflet/2005-Q1-v2"
    v1_release = public / "releases" / "leaflet" / "2005-Q1-v1"
    assert all(filecmp.cmp(f, v1_release / f.name, shallow=False) for f in leaflet.files if f.suffix == ".pdf")
    assert "leaflet-v2-leaflet-2005-Q1-v2.pdf" in os.listdir(prints / "2005-Q1")
    assert "leaflet-v1-leaflet-2005-Q1.pdf" in os.listdir(prints / "2005-Q1")

    history = invoke("history", "--schedules", schedules, "--json")
    assert history.exit_code == 0, history.output
    rows = [json.loads(line) for line in history.output.splitlines()]
    assert [(r["job"], r["version"], r["approval"]) for r in rows] == [
        ("leaflet", 1, "released"), ("poster", 1, "released"), ("leaflet", 2, "released")
    ]
    assert {d["channel"] for d in rows[0]["deliveries"]} == {"email", "publish", "print"}
    table = invoke("history", "--schedules", schedules, "--job", "leaflet")
    assert table.exit_code == 0 and "Corrected burglary figure" in table.output and "rerun" in table.output


def test_released_files_are_never_overwritten_and_failed_publish_changes_nothing(tmp_path: Path) -> None:
    settings = settings_at(tmp_path, JOBS)
    src = tmp_path / "src"
    src.mkdir()
    (src / "page.html").write_text("<h1>one</h1>")
    (src / "leaflet.pdf").write_bytes(b"%PDF-1.4 one")
    channel = PublishChannel(settings)
    spec = Delivery(channel="publish")

    def parcel(version: int, files: list[Path]) -> Parcel:
        return Parcel(job="web", report="web", period="2005-03", period_label="March 2005", version=version,
                      files=tuple(files))

    files = [src / "page.html", src / "leaflet.pdf"]
    channel.deliver(parcel(1, files), spec)
    channel.deliver(parcel(1, files), spec)  # the same set again is harmless
    live = tmp_path / "public_html" / "web"
    assert (live / "page.html").read_text() == "<h1>one</h1>"
    assert (live / "index.html").read_text() == "<h1>one</h1>", "the one page is the front page"
    (src / "page.html").write_text("<h1>changed</h1>")
    with pytest.raises(DeliveryError, match="never overwritten"):
        channel.deliver(parcel(1, files), spec)
    assert (live / "page.html").read_text() == "<h1>one</h1>"
    # A set that cannot be completed is never half-published: the live set stays as it was.
    with pytest.raises(DeliveryError):
        channel.deliver(parcel(2, [src / "page.html", src / "missing.pdf"]), spec)
    assert os.readlink(live) == "releases/web/2005-03-v1"
    assert sorted(os.listdir(tmp_path / "public_html" / "releases" / "web")) == ["2005-03-v1"]


def test_rerun_needs_an_earlier_run(tmp_path: Path) -> None:
    settings = settings_at(tmp_path, JOBS)
    Ledger(settings.database_url, partnership=settings.partnership).dispose()  # a ledger with no runs yet
    result = invoke("rerun", "leaflet", "--period", "2005-Q1", "--schedules", str(tmp_path / "schedules.toml"))
    assert result.exit_code == 1
    assert "leaflet has no earlier run for 2005-Q1" in result.output and "reportgen run leaflet" in result.output
    unknown = invoke("rerun", "leaflett", "--period", "2005-Q1", "--schedules", str(tmp_path / "schedules.toml"))
    assert unknown.exit_code == 1 and "no job or report called 'leaflett'" in unknown.output
