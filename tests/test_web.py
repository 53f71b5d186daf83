"""The monthly web page, opened in headless Chromium (Debian's chromium package): it renders
with no console errors and no network requests, has landmarks, headings and alt text, and
its links reach the published leaflet and board pack."""

from __future__ import annotations

import html.parser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from publickit import make

from reportgen.periods import Period
from reportgen.pipeline import generate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MONTH = Period.parse("2005-03")
# What Chromium logs (with --enable-logging=stderr) when a page misbehaves.
PAGE_ERRORS = re.compile(r"Uncaught|Failed to load resource|net::ERR_|:CONSOLE\(|Refused to", re.I)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", *extra, page.as_uri(),
    ]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def page_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if PAGE_ERRORS.search(line)]


class Elements(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text of headings."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self._heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = tag
            self.headings.append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading and self.headings:
            level, text = self.headings[-1]
            self.headings[-1] = (level, text + data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("web")
    _config, store, config_dir = make(root)
    store.dispose()
    url = f"sqlite:///{root / 'store.sqlite'}"
    out = root / "outputs"
    web = generate("web", MONTH, config_dir=config_dir, store_url=url, out_dir=out)
    quarter = Period.parse("2005-Q1")
    for variant in ({}, {"large_print": True}):
        generate("leaflet", quarter, config_dir=config_dir, store_url=url, out_dir=out, variant=variant,
                 formats=("pdf",))
    generate("board-pack", MONTH, config_dir=config_dir, store_url=url, out_dir=out, formats=("pdf",))
    page = web.files[0]
    return {"page": page, "out": out, "root": root, "html": page.read_text(encoding="utf-8")}


def test_web_page_is_written_where_the_layout_says(site: dict) -> None:
    assert site["page"] == site["out"] / "web" / "2005-03" / "index.html"


def test_chromium_renders_it_without_console_errors(site: dict, tmp_path: Path) -> None:
    done = chromium(site["page"], tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert page_errors(done.stderr) == []
    dom = Elements()
    dom.feed(done.stdout)
    # Landmarks: banner, navigation, main, contentinfo; one h1; headings in order.
    names = [tag for tag, _ in dom.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in names, landmark
    levels = [int(tag[1]) for tag, _ in dom.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert ("h2", "How we are doing against our targets") in dom.headings
    assert dom.named("html")[0].get("lang") == "en-GB"
    # A skip link to the main content.
    assert any(a.get("href") == "#main" for a in dom.named("a"))


def test_the_detector_catches_a_broken_page(site: dict, tmp_path: Path) -> None:
    """Control: the same checks fail on a page with a script error and a remote image."""
    bad = tmp_path / "bad.html"
    bad.write_text(site["html"].replace(
        "</body>", '<img src="https://reportgen.invalid/x.png" alt="x"><script>noSuchFunction()</script></body>'
    ), encoding="utf-8")
    done = chromium(bad, tmp_path / "profile", "--dump-dom")
    assert page_errors(done.stderr), done.stderr[-2000:]


def test_screenshot(site: dict, tmp_path: Path) -> None:
    shot = tmp_path / "page.png"
    done = chromium(site["page"], tmp_path / "profile", "--window-size=1280,2400", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.stat().st_size > 50_000  # a real page, not a blank one
    assert page_errors(done.stderr) == []


def test_self_contained_no_network(site: dict) -> None:
    text = site["html"]
    dom = Elements()
    dom.feed(text)
    # Nothing is fetched: no scripts, stylesheets, images, frames or CSS urls from elsewhere.
    assert not dom.named("script") and not dom.named("link") and not dom.named("iframe")
    for tag, attrs in dom.tags:
        for name in ("src", "srcset", "data", "poster"):
            value = attrs.get(name)
            assert value is None or value.startswith(("data:", "#")), (tag, name, value)
        href = attrs.get("href") or attrs.get("xlink:href")
        if href and tag not in ("a",):
            assert href.startswith("#"), (tag, href)
    assert not re.search(r"url\(\s*['\"]?(?!#|data:)", text)
    assert "@import" not in text
    # The only http(s) addresses are SVG namespace names, which are never fetched.
    for match in re.finditer(r"https?://[^\s\"'<>)]+", text):
        assert match.group(0).startswith(("http://www.w3.org/", "https://www.w3.org/")), match.group(0)


def test_charts_are_inline_svg_with_alt_text(site: dict) -> None:
    dom = Elements()
    dom.feed(site["html"])
    svgs = dom.named("svg")
    assert len(svgs) >= 2
    for svg in svgs:
        assert svg.get("role") == "img" and svg.get("aria-labelledby"), svg
    titles = re.findall(r'<title id="[^"]+-svgtitle">([^<]+)</title>', site["html"])
    assert len(titles) == len(svgs) and all(len(t) > 20 for t in titles)
    assert all(a.get("alt") for a in dom.named("img"))


def test_links_reach_the_latest_leaflet_and_board_pack(site: dict) -> None:
    dom = Elements()
    dom.feed(site["html"])
    hrefs = [a["href"] for a in dom.named("a") if a.get("href", "").endswith(".pdf")]
    assert hrefs == [
        "../../leaflet/2005-Q1/leaflet.pdf",
        "../../leaflet/2005-Q1/leaflet-large-print.pdf",
        "../../board-pack/2005-03/board-pack-2005-03.pdf",
    ]
    for href in hrefs:
        assert (site["page"].parent / href).resolve().is_file(), href


def test_page_figures_come_from_the_data(site: dict) -> None:
    from publickit import TYPES, observations

    obs = observations()
    types = [t[0] for t in TYPES]
    march = obs[(obs["area"] == "borough") & (obs["period"] == "2005-03") & obs["indicator"].isin(types)]
    before = obs[(obs["area"] == "borough") & (obs["period"] == "2004-03") & obs["indicator"].isin(types)]
    now, then = int(march["value"].sum()), int(before["value"].sum())
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", site["html"]))
    assert f"{now:,} offences, against {then:,} in March 2004." in flat
    assert "Test data: not real figures" in flat
