"""PDF and Word say the same thing as the Document: headings, table cells, headline figures."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from pdf_reading import squash, table_rows, tagged_elements

from reportgen.document import Document, outline

HEADING_TAGS = {"H1": 0, "H2": 1, "H3": 2, "H4": 3}


def _docx_level(style_name: str) -> int | None:
    if style_name == "Title":
        return 0
    if style_name == "TOC Heading":
        return 1
    if style_name.startswith("Heading "):
        return int(style_name.split()[-1])
    return None


@pytest.fixture(scope="module")
def word(rendered: dict[str, Path]) -> docx.document.Document:
    return docx.Document(str(rendered["docx"]))


def test_pdf_headings_match_the_document(rendered: dict[str, Path], sample: Document) -> None:
    expected = [(level, squash(text)) for level, text in outline(sample).headings]
    found = [
        (HEADING_TAGS[t.type], squash(t.text))
        for t in tagged_elements(rendered["pdf"])
        if t.type in HEADING_TAGS
    ]
    assert found == expected


def test_docx_headings_match_the_document(word: docx.document.Document, sample: Document) -> None:
    found = [(level, p.text) for p in word.paragraphs if (level := _docx_level(p.style.name)) is not None]
    assert found == list(outline(sample).headings)


def test_pdf_tables_match_the_document(rendered: dict[str, Path], sample: Document) -> None:
    expected = [[tuple(squash(c) for c in row) for row in table] for table in outline(sample).tables]
    found = [[tuple(squash(c) for c in row) for row in table] for table in table_rows(rendered["pdf"])]
    assert found == expected


def test_docx_tables_match_the_document(word: docx.document.Document, sample: Document) -> None:
    found = [tuple(tuple(cell.text for cell in row.cells) for row in table.rows) for table in word.tables]
    assert found == list(outline(sample).tables)


def test_headline_figures_match_in_both(
    rendered: dict[str, Path], word: docx.document.Document, sample: Document
) -> None:
    values = list(outline(sample).headline_values)
    assert values
    pdf_paragraphs = [squash(t.text) for t in tagged_elements(rendered["pdf"]) if t.type == "P"]
    assert [p for p in pdf_paragraphs if p in {squash(v) for v in values}] == [squash(v) for v in values]
    assert [p.text for p in word.paragraphs if p.style.name == "Headline Figure"] == values


def test_figure_alt_text_matches_in_both(
    rendered: dict[str, Path], word: docx.document.Document, sample: Document
) -> None:
    alts = [alt for _, alt in outline(sample).figures]
    pdf_alts = [t.alt for t in tagged_elements(rendered["pdf"]) if t.type == "Figure"]
    docx_alts = [d.get("descr") for d in word.element.body.iter(qn("wp:docPr"))]
    assert pdf_alts == docx_alts == alts
