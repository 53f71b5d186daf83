"""The Word file, read back: styles, tables, alt text, properties, page furniture."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from docx_reading import all_paragraphs, effective_italic, effective_size_pt

from reportgen.document import Document, Table, iter_blocks
from reportgen.render import get_renderer
from reportgen.render.sample import CRIME_ALT


@pytest.fixture(scope="module")
def word(rendered: dict[str, Path]) -> docx.document.Document:
    return docx.Document(str(rendered["docx"]))


def test_structure_uses_real_word_styles(word: docx.document.Document, sample: Document) -> None:
    by_style: dict[str, list[str]] = {}
    for paragraph in word.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == [sample.title]
    assert by_style["Heading 1"] == [s.title for s in sample.sections]
    assert "Ten-year track" in by_style["Heading 2"]
    assert len(by_style["List Bullet"]) == 3
    assert by_style["Caption"][0] == "Table 1: The eight targets of the 2005-2008 strategy"
    assert any(text.startswith("Figure 1: ") for text in by_style["Caption"])


def test_body_text_has_no_direct_font_formatting(word: docx.document.Document) -> None:
    for paragraph in all_paragraphs(word):
        for run in paragraph.runs:
            assert run.font.size is None and run.font.name is None and run.font.italic is None, run.text


def test_tables_use_table_grid_with_repeating_header(word: docx.document.Document, sample: Document) -> None:
    expected = [b for b in iter_blocks(sample.sections) if isinstance(b, Table)]
    assert len(word.tables) == len(expected)
    for table in word.tables:
        assert table.style.name == "Table Grid"
        rows = table.rows
        assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows[1:])


def test_status_cells_show_glyph_and_word_in_a_status_style(word: docx.document.Document) -> None:
    scorecard = word.tables[0]
    cell = scorecard.rows[1].cells[5]
    assert cell.text == "\u25cf\u00a0On track"
    assert cell.paragraphs[0].runs[0].style.name == "Status Good"
    fill = cell._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
    assert fill == "DCEFE2"


def test_chart_picture_has_alt_text(word: docx.document.Document) -> None:
    doc_prs = word.element.body.findall(".//" + qn("wp:docPr"))
    assert len(doc_prs) == 1
    assert doc_prs[0].get("descr") == CRIME_ALT
    assert doc_prs[0].get("title").startswith("Recorded crime per 1,000 residents")


def test_core_properties(word: docx.document.Document, sample: Document) -> None:
    props = word.core_properties
    assert props.title == sample.title
    assert props.author == sample.author
    assert props.language == "en-GB"
    # Dated from the data, not the clock, so a re-run produces the same file.
    assert props.created.date() == props.modified.date() == sample.date
    assert props.keywords == "community safety, performance, board pack"


def test_language_default_is_british_english(word: docx.document.Document) -> None:
    rpr = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert rpr.find(qn("w:lang")).get(qn("w:val")) == "en-GB"


def test_a4_page_with_header_and_page_number_fields(word: docx.document.Document, sample: Document) -> None:
    section = word.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert sample.title in section.header.paragraphs[0].text
    for footer in (section.footer, section.first_page_footer):
        instructions = [f.get(qn("w:instr")) for f in footer._element.iter(qn("w:fldSimple"))]
        assert instructions == ["PAGE", "NUMPAGES"]


def test_contents_lists_section_titles_with_page_reference_fields(
    word: docx.document.Document, sample: Document
) -> None:
    entries = [p for p in word.paragraphs if p.style.name == "TOC 1"]
    assert [p.text.rstrip("\t") for p in entries] == [s.title for s in sample.sections]
    refs = [i.text.split()[1] for p in entries for i in p._p.iter(qn("w:instrText"))]
    marks = [b.get(qn("w:name")) for b in word.element.body.iter(qn("w:bookmarkStart"))]
    assert len(refs) == len(entries) and refs == marks[: len(refs)]
    assert word.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"


def test_standard_body_is_at_least_12pt(word: docx.document.Document) -> None:
    for paragraph in word.paragraphs:
        if paragraph.style.name in ("Normal", "List Bullet", "Heading 1", "Title"):
            assert min(effective_size_pt(word, paragraph)) >= 12, paragraph.text


def test_same_input_gives_identical_bytes(tmp_path: Path, sample: Document) -> None:
    renderer = get_renderer("docx")
    first = renderer.render(sample, tmp_path / "a.docx").read_bytes()
    second = renderer.render(sample, tmp_path / "b.docx").read_bytes()
    assert first == second


def test_large_print_styles_are_at_least_16pt_and_never_italic(rendered_large: dict[str, Path]) -> None:
    word = docx.Document(str(rendered_large["docx"]))
    checked = 0
    for paragraph in all_paragraphs(word):
        if not paragraph.text.strip():
            continue
        checked += 1
        assert min(effective_size_pt(word, paragraph)) >= 16, (paragraph.style.name, paragraph.text)
        assert not any(effective_italic(paragraph)), (paragraph.style.name, paragraph.text)
    assert checked > 50


@pytest.mark.parametrize(("size", "width"), [(10.5, 172.0), (16.0, 182.0)])
def test_column_widths_fill_the_page_and_fit_every_word(size: float, width: float) -> None:
    from reportgen.render.docx import _column_widths, _width_mm
    from reportgen.render.sample import SCORECARD

    widths = [w.mm for w in _column_widths(SCORECARD, size, width)]
    assert abs(sum(widths) - width) < 0.5
    for index, column in enumerate(widths):
        texts = [SCORECARD.columns[index]] + [
            row[index] if isinstance(row[index], str) else row[index].display for row in SCORECARD.rows
        ]
        longest_word = max(_width_mm(word, size) for text in texts for word in text.split(" "))
        assert column > longest_word, (index, column, longest_word)
