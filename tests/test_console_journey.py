"""The month in a real headless Chromium against the console served by uvicorn on loopback:
a partner uploads a return with an error, sees the cell named, fixes it and sees it
accepted; support runs the leaflet; comms reject it with a comment, support reruns it, comms
approve the new version; it is published and the approver is in history and the manifest.
Screenshots of each role's main page at 1280px and 390px."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from console_kit import PASSWORD, Server, make_app, pulled_demo, settings_for
from openpyxl import load_workbook
from pdf_reading import squash

from reportgen.schedule.ledger import Ledger

pytestmark = pytest.mark.slow  # one real leaflet rendered twice, and a browser

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(browser, url: str, username: str):  # type: ignore[no-untyped-def]
    """Sign in with the keyboard alone: skip link, fields and button reached by Tab."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(url + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    while page.evaluate("document.activeElement.id") != "username":
        page.keyboard.press("Tab")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Sign in"
    with page.expect_navigation(url=lambda u: "/login" not in u):
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    return page


ACCESSIBILITY = """() => ({
  h1: document.querySelectorAll('h1').length,
  landmarks: ['header', 'main', 'footer'].filter(t => document.querySelector(t)).length,
  unlabelled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter(e => e.labels.length === 0).map(e => e.name),
  noAlt: [...document.images].filter(i => !i.alt).length,
  headingJumps: [...document.querySelectorAll('h1, h2, h3, h4')].map(h => +h.tagName[1])
      .filter((level, i, all) => i > 0 && level > all[i - 1] + 1).length,
  lang: document.documentElement.lang,
})"""


def screenshot(page, folder: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state()
    # the same bar as the documents: one h1, landmarks, every field labelled, alt text, no
    # skipped heading levels, the language set
    found = page.evaluate(ACCESSIBILITY)
    assert found == {"h1": 1, "landmarks": 3, "unlabelled": [], "noAlt": 0, "headingJumps": 0, "lang": "en-GB"}, (
        name, found)  # fmt: skip
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        # nothing wider than the screen: the tables scroll inside their own region
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_in_by_link(browser, url: str, app, outbox: Path):  # type: ignore[no-untyped-def]
    """The board member asks for a sign-in link, opens it from the email, and is in."""
    import email
    import email.policy

    from sqlalchemy import update

    from reportgen.console.db import users

    with app.state.console.db.engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == "board1").values(email="board.member@example.org"))
    page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
    page.goto(url + "/login")
    screenshot(page, shots_dir(outbox.parent.parent), "login")
    page.get_by_label("Email address").fill("board.member@example.org")
    page.get_by_role("button", name="Email me a sign-in link").click()
    assert "If that address belongs to an account" in page.locator(".panel--confirm").inner_text()
    [eml] = [p for p in outbox.rglob("*.eml") if "board.member@example.org" in p.read_text()]
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    link = re.search(r"http://\S+/login/link/\S+", msg.get_body().get_content()).group(0)  # type: ignore[union-attr]
    page.goto(link)
    with page.expect_navigation(url=lambda u: "/login" not in u):
        page.get_by_role("button", name="Sign in").click()
    return page


def swept(app, page, outcome: str) -> None:  # type: ignore[no-untyped-def]
    """What `reportgen serve` does with a queued request on its next sweep (the subprocess
    test in test_console_runs.py runs the real service), then the page shows the outcome."""
    from reportgen.schedule.requests import process

    assert process(app.state.console.runner) == 1
    page.reload()
    row = page.locator("#requests + .table-wrap tbody tr").first.inner_text()
    assert "Succeeded" in row and outcome in row, row


def test_the_month_in_a_browser(browser, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(tmp_path / "root", pulled_demo(tmp_path_factory.mktemp("demo")))
    app = make_app(settings, tmp_path / "root")
    shots = shots_dir(tmp_path)
    with Server(app) as server:
        # --- a partner: download, an error, the cell named, fixed, accepted -----------------
        page = sign_in(browser, server.url, "police1")
        assert page.url.endswith("/partner/police")
        screenshot(page, shots, "partner")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the return (Excel)").click()
        workbook = tmp_path / "return.xlsx"
        download.value.save_as(workbook)
        wb = load_workbook(workbook)
        ws = wb["Return"]
        rows = ws.max_row - 1
        assert rows > 0 and all(ws[f"D{n}"].value is not None for n in range(2, ws.max_row + 1)), "not prefilled"
        old = ws["D3"].value
        ws["D3"] = "about forty"
        wb.save(workbook)
        page.set_input_files("#return", str(workbook))
        page.get_by_role("button", name="Upload return").click()
        summary = page.locator(".error-summary")
        assert "Not accepted" in summary.inner_text()
        assert "D3" in summary.inner_text() and "about forty" in summary.inner_text()
        screenshot(page, shots, "partner-error")
        ws["D3"] = old + 7
        # a figure the partner cannot supply: blank, with the reason in Notes
        ws["D4"] = None
        ws["I4"] = "Records system changeover: not yet extracted"
        ws["I5"] = "For the board: the March operation moved reports to April."
        wb.save(workbook)
        page.set_input_files("#return", str(workbook))
        page.get_by_role("button", name="Upload return").click()
        accepted = page.locator(".panel--confirm").inner_text()
        assert f"Accepted: {rows - 1} figures, 1 revised, 1 not available" in accepted
        assert "Records system changeover" in page.locator("#notes + .table-wrap").inner_text()
        screenshot(page, shots, "partner-accepted")
        page.context.close()

        # --- support: the month at a glance, a reminder, the leaflet run -------------------
        page = sign_in(browser, server.url, "support1")
        assert page.url.endswith("/support")
        screenshot(page, shots, "support")
        assert "Records system changeover: not yet extracted" in page.locator("#notes + .table-wrap").inner_text()
        page.get_by_role("button", name="Send reminder to Greater Manchester Police, Wigan Division").click()
        assert "Reminder to Greater Manchester Police" in page.locator(".notice").inner_text()
        outbox = tmp_path / "root" / "outbox"
        assert any("data.lead@police.example.org" in p.read_text() for p in outbox.rglob("*.eml"))
        page.select_option("#job", "leaflet")
        page.fill("#run-period", "2005-Q1")
        page.get_by_role("button", name="Run", exact=True).click()
        assert "leaflet 2005-Q1: run queued for the service" in page.locator(".notice").inner_text()
        swept(app, page, "leaflet 2005-Q1 v1: succeeded")

        # --- comms: previews, reject with a comment ------------------------------------------
        comms = sign_in(browser, server.url, "comms1")
        assert comms.url.endswith("/comms")
        thumbs = comms.locator(".thumbs img")
        assert thumbs.count() == 2  # the leaflet is two A4 sides
        assert all(comms.evaluate("(i) => document.images[i].naturalWidth", k) > 0 for k in range(2))
        screenshot(comms, shots, "comms")
        comms.get_by_role("button", name="Reject").click()
        assert "Say why the draft is rejected" in comms.locator(".error-summary").inner_text()
        comms.goto(server.url + "/comms")
        comms.get_by_label("Comment").fill("The helpline number on page 2 is out of date.")
        comms.get_by_role("button", name="Reject").click()
        assert "Rejected: leaflet" in comms.locator(".notice").inner_text()
        alerts = [p.read_text() for p in outbox.rglob("*-alert-*.eml")]
        assert any("The helpline number on page 2 is out of date." in a for a in alerts)

        # --- support reruns; comms approve version 2 -----------------------------------------
        page.goto(server.url + "/support")
        page.select_option("#job", "leaflet")
        page.fill("#run-period", "2005-Q1")
        page.fill("#note", "Helpline number corrected.")
        page.get_by_role("button", name="Rerun (new version)").click()
        assert "leaflet 2005-Q1: rerun queued for the service" in page.locator(".notice").inner_text()
        swept(app, page, "leaflet 2005-Q1 v2: succeeded")
        comms.goto(server.url + "/comms")
        assert "version 2" in comms.locator("h2").first.inner_text()
        comms.get_by_label("Comment").fill("Checked: fine to publish.")
        comms.get_by_role("button", name="Approve and release").click()
        assert "Approved and released: leaflet" in comms.locator(".notice").inner_text()
        assert "Checked: fine to publish." in comms.locator("table").inner_text()

        # --- the board pack is run; a board member downloads it -------------------------------
        page.goto(server.url + "/support")
        page.select_option("#job", "board-pack")
        page.fill("#run-period", "2005-03")
        page.get_by_role("button", name="Run", exact=True).click()
        assert "board-pack 2005-03: run queued for the service" in page.locator(".notice").inner_text()
        swept(app, page, "board-pack 2005-03 v1: succeeded")
        board = sign_in_by_link(browser, server.url, app, tmp_path / "root" / "outbox")
        assert board.url.endswith("/board")
        screenshot(board, shots, "board")
        link = board.get_by_role("link", name=re.compile(r"\.pdf$")).first
        with board.expect_download() as download:
            link.click()
        pack = tmp_path / "pack.pdf"
        download.value.save_as(pack)
        issued = list((tmp_path / "root" / "outputs" / "runs" / "board-pack").rglob("*.pdf"))
        assert len(issued) == 1 and pack.read_bytes() == issued[0].read_bytes()
        with pdfplumber.open(pack) as pdf:
            cover = squash(pdf.pages[0].extract_text() or "")
            text = squash(" ".join(p.extract_text() or "" for p in pdf.pages))
        assert "March2005" in cover
        # the partner asked for its note to go before the board
        assert "Partners'notes" in text and "theMarchoperationmovedreportstoApril." in text

    published = list((tmp_path / "root" / "public").rglob("*.pdf"))
    assert published, "nothing was published"
    ledger = Ledger(settings.database_url, partnership=settings.partnership)
    v1, v2 = ledger.runs(job="leaflet", period="2005-Q1")
    assert (v1.approval, v2.approval) == ("rejected", "released")
    decisions = [(d.status, d.target, d.detail) for d in ledger.deliveries(v2.id) if d.channel == "approval"]
    assert decisions == [("approved", "comms1", "Checked: fine to publish.")]
    manifest = json.loads(v2.manifest.read_text())
    assert manifest["approvals"][0]["by"] == "comms1"
    rejected = [d for d in ledger.deliveries(v1.id) if d.channel == "approval"]
    assert rejected[0].status == "rejected" and "helpline" in rejected[0].detail
