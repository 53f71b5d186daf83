"""The document model: what a report builder produces and both renderers read.

Pure, immutable data with no rendering logic, so the PDF and the Word file are two
views of one value and can never disagree about what a report says.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from reportgen.errors import LookupFailure, RenderError
from reportgen.links import LINK, unsafe_link

VARIANTS = ("standard", "large-print", "poster", "web")


class Tone(enum.Enum):
    """How a status should feel to the reader; renderers map tones to colours."""

    GOOD = "good"
    WARN = "warn"
    BAD = "bad"
    NEUTRAL = "neutral"


# One glyph per tone, so the shape carries the meaning for readers who cannot tell the
# colours apart. All four exist in Liberation Sans and DejaVu Sans (Noto Sans lacks them).
_TONE_GLYPH = {Tone.GOOD: "\u25cf", Tone.WARN: "\u25b2", Tone.BAD: "\u25a0", Tone.NEUTRAL: "\u25cb"}


class Status(enum.Enum):
    """RAG ratings and big-target statuses, each shown as glyph + word + colour."""

    GREEN = ("green", "Green", Tone.GOOD)
    AMBER = ("amber", "Amber", Tone.WARN)
    RED = ("red", "Red", Tone.BAD)
    GREY = ("grey", "Grey", Tone.NEUTRAL)
    MET = ("met", "Met", Tone.GOOD)
    ON_TRACK = ("on_track", "On track", Tone.GOOD)
    AT_RISK = ("at_risk", "At risk", Tone.WARN)
    NOT_MET = ("not_met", "Not met", Tone.BAD)
    NO_DATA = ("no_data", "No data", Tone.NEUTRAL)

    def __init__(self, code: str, word: str, tone: Tone) -> None:
        self.code = code
        self.word = word
        self.tone = tone

    @property
    def glyph(self) -> str:
        return _TONE_GLYPH[self.tone]

    @property
    def label(self) -> str:
        """Glyph and word joined by a no-break space, e.g. '▲ Amber', so they never wrap apart."""
        return f"{self.glyph}\u00a0{self.word}"

    @classmethod
    def from_value(cls, value: str | Status) -> Status:
        """Accept the evaluation engine's strings ('green', 'on_track', 'On track', 'NO-DATA')."""
        if isinstance(value, Status):
            return value
        key = re.sub(r"[\s-]+", "_", str(value).strip().lower())
        for status in cls:
            if status.code == key:
                return status
        known = ", ".join(s.code for s in cls)
        raise LookupFailure(f"Unknown status {value!r}.", hint=f"Use one of: {known}.")


@dataclass(frozen=True)
class Cell:
    """A table cell with an optional status; the status glyph is always shown before the text.
    ``icons`` are small pictures shown before the text (e.g. SPC variation and assurance icons):
    never instead of words, which ``text`` always carries."""

    text: str
    status: Status | None = None
    icons: tuple[Chart, ...] = ()

    @property
    def display(self) -> str:
        if self.status is None:
            return self.text
        return f"{self.status.glyph}\u00a0{self.text or self.status.word}"


CellValue: TypeAlias = "str | Cell"
Align = Literal["left", "right", "center"]


def cell_text(value: str | Cell) -> str:
    """The exact text a reader sees in a cell, as both renderers print it."""
    return value.display if isinstance(value, Cell) else value


def cell_status(value: str | Cell) -> Status | None:
    return value.status if isinstance(value, Cell) else None


@dataclass(frozen=True)
class Paragraph:
    """Body text. The only inline markup is **bold**, kept tiny so both renderers agree."""

    text: str


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Headline:
    """A big-number card: value 'Down 13%', label 'Recorded crime', detail with the figures."""

    value: str
    label: str
    detail: str = ""
    status: Status | None = None


@dataclass(frozen=True)
class HeadlineRow:
    headlines: tuple[Headline, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | Cell, ...], ...]
    column_align: tuple[Align, ...] = ()
    notes: tuple[str, ...] = ()
    # The first column names each row, so screen readers announce it with every cell.
    row_headers: bool = True

    def __post_init__(self) -> None:
        width = len(self.columns)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise RenderError(
                    f"Table {self.caption!r}: row {number} has {len(row)} cells but there are "
                    f"{width} columns."
                )
        if self.column_align and len(self.column_align) != width:
            raise RenderError(f"Table {self.caption!r}: column_align needs {width} entries.")

    def align(self, index: int) -> Align:
        return self.column_align[index] if self.column_align else "left"


@dataclass(frozen=True)
class Chart:
    """A chart drawn elsewhere: SVG for HTML/PDF, PNG for Word, the same alt text for both."""

    id: str
    title: str
    alt_text: str
    svg: bytes
    png: bytes
    width_mm: float = 160.0
    caption: str = ""
    source: str = ""
    # "qr": a QR code, not a numbered figure: printed with its title as a plain label beside it.
    role: Literal["figure", "qr"] = "figure"

    def __post_init__(self) -> None:
        if not self.alt_text.strip():
            raise RenderError(f"Chart {self.id!r} has no alt text; every chart needs one.")
        if not re.fullmatch(r"[A-Za-z][\w-]*", self.id):
            raise RenderError(f"Chart id {self.id!r} must start with a letter and use only [A-Za-z0-9_-].")


@dataclass(frozen=True)
class Callout:
    title: str
    text: str
    kind: Literal["info", "warning", "success"] = "info"


@dataclass(frozen=True)
class Contact:
    name: str
    role: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""
    address: str = ""


@dataclass(frozen=True)
class ContactList:
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class DefinitionList:
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Unavailable:
    """A section, table or chart that cannot be computed, in its place, with why in one line.

    Nothing vanishes silently: the reader sees "Priority neighbourhood gap table is not shown:
    not enough months yet (10 of 12)." where the table would be, and the run log says the same.
    """

    what: str
    reason: str

    def __post_init__(self) -> None:
        if not self.what.strip() or not self.reason.strip():
            raise RenderError("An unavailable element needs both what is missing and why.")

    @property
    def text(self) -> str:
        reason = self.reason.strip().rstrip(".")
        return f"{self.what} is not shown: {reason}."

    def __str__(self) -> str:  # renderers that only know text (plain text, easy read) print this
        return self.text


Block: TypeAlias = (
    "Paragraph | BulletList | Headline | HeadlineRow | Table | Chart | Callout | ContactList"
    " | DefinitionList | PageBreak | Unavailable | Section"
)


@dataclass(frozen=True)
class Section:
    """A titled part of a document; blocks may include nested Sections one level down."""

    title: str
    blocks: tuple[Block, ...] = ()
    level: int = 1
    id: str | None = None
    page_break_before: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.level <= 3:
            raise RenderError(f"Section {self.title!r}: level must be 1, 2 or 3, not {self.level}.")
        for block in self.blocks:
            if isinstance(block, Section) and block.level != self.level + 1:
                raise RenderError(
                    f"Section {block.title!r} is nested in level-{self.level} section {self.title!r} "
                    f"so must be level {self.level + 1}, not {block.level}."
                )


@dataclass(frozen=True)
class Document:
    kind: str
    title: str
    partnership: str
    period_label: str
    date: dt.date
    sections: tuple[Section, ...]
    subtitle: str = ""
    language: str = "en-GB"
    variant: str = "standard"
    author: str = ""
    keywords: tuple[str, ...] = ()
    notice: str | None = None
    footer_text: str = ""
    toc: bool = False
    contents_title: str = "Contents"
    # A printed length limit (the poster's one page, the leaflet's two sides). When the PDF
    # runs longer, the first of ``shorter`` that fits is printed instead, and every other
    # format is made from that same version so the PDF and the Word file never disagree.
    max_pages: int | None = None
    shorter: tuple[Document, ...] = ()
    # Paper size of the printed document (PDF and Word): the poster is A3 for a wall, A4 as an option.
    paper: Literal["A4", "A3"] = "A4"
    # (key, words) of every figure statement the document prints (reportgen.reports.statements),
    # listed in the run's manifest so their wording can be checked across documents.
    statements: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise LookupFailure(
                f"Unknown document variant {self.variant!r}.", hint=f"Use one of: {', '.join(VARIANTS)}."
            )
        for section in self.sections:
            if section.level != 1:
                raise RenderError(f"Top-level section {section.title!r} must be level 1.")
        ids = [s.id for s, _ in iter_sections(self.sections) if s.id]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise RenderError(f"Section ids must be unique; repeated: {', '.join(duplicates)}.")

    @property
    def author_or_partnership(self) -> str:
        return self.author or self.partnership

    @property
    def page_limit(self) -> int | None:
        """Pages the printed document may run to: ``max_pages``, and one for any poster."""
        if self.max_pages is not None:
            return self.max_pages
        return 1 if self.variant == "poster" else None

    def versions(self) -> tuple[Document, ...]:
        """This document, then its shorter versions, in the order to try them."""
        return (self, *self.shorter)


def iter_sections(sections: tuple[Section, ...], prefix: str = "s") -> Iterator[tuple[Section, str]]:
    """Every section, depth first, with a stable anchor id (its own id or a numbered one)."""
    for number, section in enumerate(sections, start=1):
        anchor = section.id or f"{prefix}{number}"
        yield section, anchor
        children = tuple(b for b in section.blocks if isinstance(b, Section))
        yield from iter_sections(children, prefix=f"{anchor}-")


def section_anchors(doc: Document) -> dict[int, str]:
    """Map id(section) -> anchor, so templates and the Word writer name sections alike."""
    return {id(section): anchor for section, anchor in iter_sections(doc.sections)}


def unavailable(doc: Document) -> list[Unavailable]:
    """Every part of ``doc`` that could not be computed, in reading order (for the run log)."""
    return [b for b in iter_blocks(doc.sections) if isinstance(b, Unavailable)]


FIGURE_BLOCKS = (Table, Chart, Headline, HeadlineRow)


def has_figures(doc: Document) -> bool:
    """Whether ``doc`` carries any figure at all: a table, a chart or a headline number."""
    return any(isinstance(b, FIGURE_BLOCKS) for b in iter_blocks(doc.sections))


def iter_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block in reading order, descending into nested sections."""
    for block in blocks:
        yield block
        if isinstance(block, Section):
            yield from iter_blocks(block.blocks)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def inline_runs(text: str) -> list[tuple[str, bool]]:
    """Split '**bold**' markup into (text, is_bold) runs; unmatched asterisks stay literal."""
    runs: list[tuple[str, bool]] = []
    position = 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            runs.append((text[position : match.start()], False))
        runs.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        runs.append((text[position:], False))
    return runs


_LINK = LINK


def link_spans(text: str) -> list[tuple[str, str | None]]:
    """Split '[label](href)' links out of text: (text, href) pairs, href None between links.

    Only the web page uses links (to the published PDFs); other renderers show the label
    with the address after it.
    """
    spans: list[tuple[str, str | None]] = []
    position = 0
    for match in _LINK.finditer(text):
        if match.start() > position:
            spans.append((text[position : match.start()], None))
        href = match.group(2)
        if unsafe_link(href):  # never a live link: the label alone, as plain text
            spans.append((match.group(1), None))
        else:
            spans.append((match.group(1), href))
        position = match.end()
    if position < len(text):
        spans.append((text[position:], None))
    return spans


def plain_text(text: str) -> str:
    return "".join(run for span, _href in link_spans(text) for run, _ in inline_runs(span))


@dataclass(frozen=True)
class Outline:
    """What a reader must find in any rendering: used by the PDF/Word parity tests."""

    headings: tuple[tuple[int, str], ...]
    tables: tuple[tuple[tuple[str, ...], ...], ...]
    headline_values: tuple[str, ...]
    figures: tuple[tuple[str, str], ...] = field(default=())


def outline(doc: Document) -> Outline:
    """Headings (level, text) with the title as level 0, table cell texts and figures (title, alt)."""
    headings: list[tuple[int, str]] = [(0, doc.title)]
    if doc.toc:
        headings.append((1, doc.contents_title))
    tables: list[tuple[tuple[str, ...], ...]] = []
    values: list[str] = []
    figures: list[tuple[str, str]] = []
    for block in iter_blocks(doc.sections):
        if isinstance(block, Section):
            headings.append((block.level, block.title))
        elif isinstance(block, Table):
            rows = [tuple(block.columns)] + [tuple(cell_text(c) for c in row) for row in block.rows]
            tables.append(tuple(rows))
            # icons in cells are pictures too, read row by row
            figures += [
                (i.title, i.alt_text) for row in block.rows for c in row if isinstance(c, Cell) for i in c.icons
            ]
        elif isinstance(block, Headline):
            values.append(block.value)
        elif isinstance(block, HeadlineRow):
            values.extend(h.value for h in block.headlines)
        elif isinstance(block, Chart):
            figures.append((block.title, block.alt_text))
    return Outline(tuple(headings), tuple(tables), tuple(values), tuple(figures))
