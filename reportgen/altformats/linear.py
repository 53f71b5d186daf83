"""A document as a sequence of plain-text blocks in reading order.

Braille, audio and plain text cannot show a table or a chart, so each becomes text a
reader can follow in a line: a table row is read as "row name: column, value; ...", a
chart becomes its alt text, a headline card becomes a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from reportgen.document import (
    BulletList,
    Callout,
    Chart,
    ContactList,
    DefinitionList,
    Document,
    Headline,
    HeadlineRow,
    PageBreak,
    Paragraph,
    Section,
    Status,
    Table,
    cell_status,
    cell_text,
)

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_GLYPHS = re.compile(r"[\u25cf\u25b2\u25a0\u25cb\u25bc\u2191\u2193]\s*")


@dataclass(frozen=True)
class TextBlock:
    kind: str  # "title", "heading", "paragraph", "item"
    text: str
    level: int = 0


# Symbols that braille tables and speech engines spell out badly, in words.
_WORDS = str.maketrans({"\u2192": " to ", "\u2013": " - ", "\u2014": " - ", "\u2212": "minus ", "\u00a0": " "})


# A reader who cannot see the page cannot see its colours either, and "On track" is jargon:
# in Braille, audio, plain text and easy read a status is what it means, in words.
STATUS_WORDS: dict[Status, str] = {
    Status.GREEN: "on course for the target",
    Status.ON_TRACK: "on course for the target",
    Status.MET: "target reached",
    Status.AMBER: "close to the target, but at risk of missing it",
    Status.AT_RISK: "close to the target, but at risk of missing it",
    Status.RED: "not on course for the target",
    Status.NOT_MET: "target missed",
    Status.GREY: "no figures to judge by yet",
    Status.NO_DATA: "no figures to judge by yet",
}
# The same jargon written into sentences by a report builder.
_JARGON = (
    (re.compile(r"\boff[ -]track\b", re.IGNORECASE), "not on course for the target"),
    (re.compile(r"\bon[ -]track\b", re.IGNORECASE), "on course for the target"),
)


def status_words(status: Status) -> str:
    return STATUS_WORDS[status]


def plain(text: str) -> str:
    """Strip the model's inline markup and status glyphs: words carry the meaning."""
    text = " ".join(_GLYPHS.sub("", _BOLD.sub(r"\1", text).translate(_WORDS)).split())
    for pattern, words in _JARGON:
        text = pattern.sub(words, text)
    return text


def _sentence(text: str) -> str:
    text = plain(text)
    return text if not text or text[-1] in ".!?:" else text + "."


def linearise(doc: Document) -> list[TextBlock]:
    blocks = [TextBlock("title", plain(doc.title))]
    if doc.subtitle:
        blocks.append(TextBlock("paragraph", _sentence(doc.subtitle)))
    blocks.append(TextBlock("paragraph", _sentence(f"{doc.partnership}, {doc.period_label}")))
    if doc.notice:
        blocks.append(TextBlock("paragraph", _sentence(doc.notice)))
    for section in doc.sections:
        blocks.extend(section_text(section))
    if doc.footer_text:
        blocks.append(TextBlock("paragraph", _sentence(doc.footer_text)))
    return blocks


def section_text(section: Section) -> Iterator[TextBlock]:
    yield TextBlock("heading", plain(section.title), section.level)
    for block in section.blocks:
        yield from block_text(block)


def block_text(block: object) -> Iterator[TextBlock]:
    match block:
        case Section():
            yield from section_text(block)
        case Table():
            yield from _table(block)
        case PageBreak():
            return
        case BulletList() | HeadlineRow() | ContactList() | DefinitionList():
            yield from _list_items(block)
        case _:
            yield _paragraph(block)


def _list_items(block: BulletList | HeadlineRow | ContactList | DefinitionList) -> Iterator[TextBlock]:
    """The blocks that are lists of things: a text block for each (headlines read as paragraphs)."""
    match block:
        case BulletList(items=items):
            for item in items:
                yield TextBlock("item", _sentence(item))
        case HeadlineRow(headlines=headlines):
            for h in headlines:
                yield TextBlock("paragraph", _headline(h))
        case ContactList(contacts=contacts):
            for c in contacts:
                parts = [c.name, c.role, f"telephone {c.phone}" if c.phone else "", c.email, c.web, c.address]
                yield TextBlock("item", _sentence(", ".join(p for p in parts if p)))
        case DefinitionList(items=items):
            for term, definition in items:
                yield TextBlock("item", _sentence(f"{term}: {definition}"))


def _paragraph(block: object) -> TextBlock:
    """A block read as one paragraph (anything unknown as its text)."""
    match block:
        case Paragraph(text=text):
            return TextBlock("paragraph", _sentence(text))
        case Headline():
            return TextBlock("paragraph", _headline(block))
        case Chart(title=title, alt_text=alt):
            return TextBlock("paragraph", _sentence(f"Chart: {title}. {alt}"))
        case Callout(title=title, text=text):
            return TextBlock("paragraph", _sentence(f"{title}: {text}" if title else text))
        case _:
            return TextBlock("paragraph", _sentence(str(block)))


def _headline(h: Headline) -> str:
    status = f" {status_words(h.status).capitalize()}." if h.status else ""
    detail = f" {_sentence(h.detail)}" if h.detail else ""
    return f"{plain(h.label)}: {plain(h.value)}.{detail}{status}"


def _table(table: Table) -> Iterator[TextBlock]:
    if table.caption:
        yield TextBlock("paragraph", _sentence(f"Table: {table.caption}"))
    for row in table.rows:
        texts = [plain(cell_text(c)) for c in row]
        statuses = [cell_status(c) for c in row]
        parts = []
        start = 1 if table.row_headers else 0
        for column, text, status in zip(table.columns[start:], texts[start:], statuses[start:], strict=True):
            if status is not None:
                words = status_words(status)
                text = f"{words}, {text}" if text else words
            parts.append(f"{plain(column)}, {text or 'none'}")
        lead = f"{texts[0]}: " if table.row_headers and texts else ""
        yield TextBlock("item", _sentence(lead + "; ".join(parts)))
    for note in table.notes:
        yield TextBlock("paragraph", _sentence(note))


def to_plain_text(doc: Document, width: int = 72) -> str:
    """A screen-reader friendly text file: headings underlined, items dashed, wrapped."""
    import textwrap

    lines: list[str] = []
    for b in linearise(doc):
        if b.kind in ("title", "heading"):
            rule = "=" if b.kind == "title" or b.level == 1 else "-"
            lines += ["", b.text, rule * min(len(b.text), width)]
        elif b.kind == "item":
            lines += textwrap.wrap(b.text, width, initial_indent="- ", subsequent_indent="  ")
        else:
            lines += ["", *textwrap.wrap(b.text, width)]
    return "\n".join(lines).strip() + "\n"
