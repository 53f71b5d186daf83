"""The HTML page: landmarks, headings, table semantics, text alternatives, no network."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as htmlmod
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.document import Chart, Document, Paragraph, Section, plain_text
from reportgen.errors import RenderError
from reportgen.render.html import inline_svg, render_html
from reportgen.render.sample import crime_chart


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.text: dict[int, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.tags


@pytest.fixture(scope="module")
def page(rendered: dict[str, Path]) -> str:
    return rendered["html"].read_text(encoding="utf-8")


def test_language_title_and_landmarks(page: str, sample: Document) -> None:
    tags = _parse(page)
    assert ("html", {"lang": "en-GB"}) in tags
    names = [t for t, _ in tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert names.count(landmark) == 1, landmark
    assert f"<title>{sample.title}</title>" in page


def test_headings_never_skip_a_level(page: str) -> None:
    levels = [int(t[1]) for t, _ in _parse(page) if re.fullmatch(r"h[1-6]", t)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_every_header_cell_has_a_scope(page: str) -> None:
    header_cells = [attrs for tag, attrs in _parse(page) if tag == "th"]
    assert header_cells
    assert {attrs.get("scope") for attrs in header_cells} == {"col", "row"}


def test_charts_are_inline_svg_with_role_and_title(page: str) -> None:
    svgs = [attrs for tag, attrs in _parse(page) if tag == "svg"]
    assert svgs and all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)
    for attrs in svgs:
        title_id = attrs["aria-labelledby"]
        assert re.search(rf'<title id="{title_id}">[^<]{{20,}}</title>', page)
    assert not [t for t, _ in _parse(page) if t == "img"]


def test_no_external_resources(page: str) -> None:
    for tag, attrs in _parse(page):
        for key in ("src", "href", "xlink:href"):
            value = attrs.get(key) or ""
            assert not re.match(r"(https?:)?//", value), (tag, key, value)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "<link" not in page and "@import" not in page


def test_text_is_escaped(sample: Document) -> None:
    doc = dataclasses.replace(
        sample,
        title="Crime <script>alert(1)</script>",
        sections=(Section("S", (Paragraph("a < b & **c**"),)),),
        toc=False,
    )
    html = render_html(doc)
    assert "<script>" not in html
    assert "Crime &lt;script&gt;" in html
    assert "<p>a &lt; b &amp; <strong>c</strong></p>" in html


def test_svg_ids_are_prefixed_so_two_charts_cannot_collide() -> None:
    chart = crime_chart()
    markup = str(inline_svg(chart))
    ids = re.findall(r'\bid="([^"]+)"', markup)
    assert ids and all(i.startswith("crime-track-") for i in ids)
    for ref in re.findall(r"url\(#([^)]+)\)|href=\"#([^\"]+)\"", markup):
        assert (ref[0] or ref[1]) in ids
    assert "<?xml" not in markup and "<metadata" not in markup


def test_svg_with_external_reference_is_refused() -> None:
    chart = dataclasses.replace(
        crime_chart(),
        svg=b'<svg viewBox="0 0 10 10"><image href="https://example.org/x.png"/></svg>',
    )
    with pytest.raises(RenderError, match="external resource"):
        inline_svg(chart)


def test_chart_ids_must_be_safe_identifiers() -> None:
    with pytest.raises(RenderError, match="Chart id"):
        Chart('x" onload="evil', "t", "alt text", b"<svg/>", b"")


def test_missing_templates_folder_is_a_render_error(tmp_path: Path, sample: Document) -> None:
    from reportgen.render.html import HtmlRenderer

    with pytest.raises(RenderError, match="base.html.j2"):
        HtmlRenderer(templates_dir=tmp_path).render(sample, tmp_path / "out.html")
    assert not (tmp_path / "out.html").exists()


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_any_paragraph_text_comes_back_as_the_same_words(text: str) -> None:
    """Whatever a narrative file contains, the page shows it literally (only **bold** is markup)."""
    doc = Document(
        kind="web",
        title="T",
        partnership="P",
        period_label="Q",
        date=dt.date(2026, 1, 1),
        sections=(Section("S", (Paragraph(text),)),),
    )
    html = render_html(doc)
    body = html.split('<section id="s1"', 1)[1].split("</section>", 1)[0]
    paragraph = body.split("<p>", 1)[1].rsplit("</p>", 1)[0]
    shown = re.sub(r"</?strong>", "", paragraph)
    assert htmlmod.unescape(shown) == plain_text(text)
    assert "<" not in shown.replace("&lt;", "")
