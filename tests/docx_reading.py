"""Read a .docx back with python-docx, resolving style inheritance like Word does."""

from __future__ import annotations

from collections.abc import Iterator

from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph


def all_paragraphs(word: WordDocument) -> Iterator[Paragraph]:
    """Body, table-cell, header and footer paragraphs."""
    yield from word.paragraphs
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in word.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            yield from part.paragraphs


def default_size_pt(word: WordDocument) -> float | None:
    rpr = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    size = rpr.find(qn("w:sz")) if rpr is not None else None
    return int(size.get(qn("w:val"))) / 2 if size is not None else None


def resolved(style: BaseStyle | None, attribute: str) -> object:
    """The first value set along the basedOn chain (None if nowhere)."""
    while style is not None:
        value = getattr(style.font, attribute)
        if value is not None:
            return value
        style = style.base_style
    return None


def effective_size_pt(word: WordDocument, paragraph: Paragraph) -> list[float]:
    """The size of every run in the paragraph, following run, character and paragraph styles."""
    sizes = []
    paragraph_size = resolved(paragraph.style, "size")
    base = paragraph_size.pt if paragraph_size is not None else default_size_pt(word) or 10
    for run in paragraph.runs:
        size = run.font.size or resolved(
            run.style if run.style.name != "Default Paragraph Font" else None, "size"
        )
        sizes.append(size.pt if size is not None else base)
    return sizes or [base]


def effective_italic(paragraph: Paragraph) -> list[bool]:
    values = []
    paragraph_italic = bool(resolved(paragraph.style, "italic"))
    for run in paragraph.runs:
        value = run.font.italic
        if value is None and run.style.name != "Default Paragraph Font":
            value = resolved(run.style, "italic")
        values.append(paragraph_italic if value is None else bool(value))
    return values or [paragraph_italic]
