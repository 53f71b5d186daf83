"""The PDF, read back: text, tagging (PDF/UA), metadata, reproducibility, no network."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pypdf
import pytest
from pdf_reading import squash, tagged_elements
from pypdf.generic import BooleanObject

from reportgen.document import Document, Headline, HeadlineRow, Paragraph, Section
from reportgen.errors import RenderError
from reportgen.render import get_renderer
from reportgen.render.pdf import html_to_pdf
from reportgen.render.sample import CRIME_ALT


@pytest.fixture(scope="module")
def reader(rendered: dict[str, Path]) -> pypdf.PdfReader:
    return pypdf.PdfReader(rendered["pdf"])


def test_is_a4_and_tagged(reader: pypdf.PdfReader) -> None:
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)


def test_declares_pdf_ua_in_xmp(reader: pypdf.PdfReader) -> None:
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp and b"part" in xmp


def test_metadata_comes_from_the_document(reader: pypdf.PdfReader, sample: Document) -> None:
    info = reader.metadata
    assert info.title == sample.title
    assert info.author == sample.author
    assert info["/CreationDate"].startswith("D:20261110")
    assert info["/ModDate"].startswith("D:20261110")


def test_text_has_headings_running_header_and_page_numbers(reader: pypdf.PdfReader, sample: Document) -> None:
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert f"Page 1 of {total}" in pages[0]
    assert f"Page {total} of {total}" in pages[-1]
    # The running header names the document on every page after the title page.
    assert all(sample.partnership in text for text in pages[1:])
    joined = squash(" ".join(pages))
    for section in sample.sections:
        assert squash(section.title) in joined


def test_contents_page_numbers_point_at_the_sections(rendered: dict[str, Path], sample: Document) -> None:
    reader = pypdf.PdfReader(rendered["pdf"])
    contents = reader.pages[0].extract_text()
    for section in sample.sections:
        line = next(ln for ln in contents.splitlines() if ln.startswith(section.title))
        page_number = int(line.rstrip().split()[-1].strip("."))
        assert squash(section.title) in squash(reader.pages[page_number - 1].extract_text()), section.title


def test_figure_alt_text_is_in_the_structure_tree(rendered: dict[str, Path]) -> None:
    figures = [t for t in tagged_elements(rendered["pdf"]) if t.type == "Figure"]
    assert [f.alt for f in figures] == [CRIME_ALT]


def test_headings_are_tagged_in_order(rendered: dict[str, Path]) -> None:
    levels = [int(t.type[1]) for t in tagged_elements(rendered["pdf"]) if t.type in ("H1", "H2", "H3", "H4")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_same_input_gives_identical_bytes(tmp_path: Path, sample: Document) -> None:
    renderer = get_renderer("pdf")
    first = renderer.render(sample, tmp_path / "a.pdf").read_bytes()
    second = renderer.render(sample, tmp_path / "b.pdf").read_bytes()
    assert first == second


def test_network_resources_are_refused() -> None:
    html = '<html lang="en"><body><img src="http://192.0.2.1/logo.png" alt="logo"></body></html>'
    with pytest.raises(RenderError, match="192.0.2.1"):
        html_to_pdf(html, title="t")


def test_data_uri_resources_are_allowed() -> None:
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
        "z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
    )
    pdf = html_to_pdf(f'<html lang="en"><body><img src="{pixel}" alt="dot"></body></html>', title="t")
    assert pdf.startswith(b"%PDF-")


def test_poster_fits_one_page(tmp_path: Path, sample: Document) -> None:
    summary = sample.sections[0]
    short_summary = dataclasses.replace(summary, blocks=summary.blocks[:2])  # headlines and a paragraph
    # the poster is set for a wall (a 48pt headline, 24pt body): the summary's headlines and a
    # paragraph are a poster's worth
    poster = dataclasses.replace(sample, variant="poster", toc=False, sections=(short_summary,))
    path = get_renderer("pdf").render(poster, tmp_path / "poster.pdf")
    assert len(pypdf.PdfReader(path).pages) == 1


def test_poster_that_overflows_is_an_error_and_writes_nothing(tmp_path: Path, sample: Document) -> None:
    too_long = dataclasses.replace(sample, variant="poster")
    with pytest.raises(RenderError, match="must fit on 1"):
        get_renderer("pdf").render(too_long, tmp_path / "poster.pdf")
    assert list(tmp_path.iterdir()) == []


def test_leaflet_body_text_is_14pt(tmp_path: Path, sample: Document) -> None:
    import pdfplumber

    leaflet = dataclasses.replace(
        sample,
        kind="leaflet",
        toc=False,
        sections=(Section("Your area", (Paragraph("Crime is down in your area this quarter."),)),),
    )
    path = get_renderer("pdf").render(leaflet, tmp_path / "leaflet.pdf")
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["size"])
    assert {round(w["size"], 1) for w in words if w["text"] == "quarter."} == {14.0}


@pytest.mark.slow
def test_headline_values_are_tagged_paragraphs(tmp_path: Path, sample: Document) -> None:
    doc = dataclasses.replace(
        sample,
        toc=False,
        sections=(Section("Headlines", (HeadlineRow((Headline("Down 13%", "Recorded crime"),)),)),),
    )
    path = get_renderer("pdf").render(doc, tmp_path / "h.pdf")
    paragraphs = [squash(t.text) for t in tagged_elements(path) if t.type == "P"]
    assert "Down13%" in paragraphs


def test_bookmarks_follow_the_headings(reader: pypdf.PdfReader, sample: Document) -> None:
    def titles(items: list) -> list[str]:
        out: list[str] = []
        for item in items:
            out.extend(titles(item) if isinstance(item, list) else [item.title])
        return out

    assert [s.title for s in sample.sections] == [
        t for t in titles(reader.outline) if t in {s.title for s in sample.sections}
    ]
