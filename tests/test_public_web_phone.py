"""The public web page on a 390px phone, in real headless Chromium: every table fits the screen
(rows stack into cards), so the status column is never hidden behind sideways scrolling."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from demo_reports import demo_store

from reportgen.pipeline import generate

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")
DEMO = Path(__file__).resolve().parents[1] / "data_sources"


@pytest.fixture(scope="module")
def web_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    url = demo_store(root)
    result = generate("web", "2005-03", config_dir=DEMO, store_url=url, out_dir=root / "out")
    return next(p for p in result.files if p.suffix == ".html")


def _measure(page_path: Path, width: int, shot: Path) -> dict:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(page_path.as_uri())
        page.screenshot(path=str(shot), full_page=True)
        found = page.evaluate("""() => ({
            doc: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
            wraps: [...document.querySelectorAll('.table-wrap')].map(w => [w.scrollWidth, w.clientWidth]),
            status: [...document.querySelectorAll('td.status')].map(td => {
                const r = td.getBoundingClientRect();
                return [r.left, r.right, td.innerText.trim()];
            }),
            roles: [...document.querySelectorAll('table')].map(t => t.getAttribute('role')),
        })""")
        browser.close()
    return found


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_web_tables_fit_a_390px_phone_and_a_desktop(web_page: Path, tmp_path: Path) -> None:
    phone = _measure(web_page, 390, tmp_path / "web-390.png")
    # The demo page has tables with a status column; without them the test would prove nothing.
    assert phone["wraps"] and phone["status"]
    assert phone["doc"][0] <= phone["doc"][1], "the page scrolls sideways at 390px"
    for scroll, client in phone["wraps"]:
        assert scroll <= client, f"a table scrolls sideways at 390px ({scroll} > {client})"
    for left, right, text in phone["status"]:
        # Every status chip is on screen, with its words, without scrolling.
        assert left >= 0 and right <= 390, (left, right, text)
        assert text
    # Stacked rows keep their table semantics for screen readers.
    assert set(phone["roles"]) == {"table"}
    desktop = _measure(web_page, 1280, tmp_path / "web-1280.png")
    for scroll, client in desktop["wraps"]:
        assert scroll <= client
    assert (tmp_path / "web-390.png").stat().st_size > 0 and (tmp_path / "web-1280.png").stat().st_size > 0
