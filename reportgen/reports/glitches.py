"""Template glitches in generated text: what a careful reader would circle in red.

:func:`find_glitches` checks one text (a PDF's or Word file's text, HTML, plain text, Braille
back-translated) for the slips templates make when a value is missing or a phrase is glued
twice: a word repeated ("each month each month"), a space before a full stop, a sentence
that ends where a value should be ("ring ." or "Questions: ."), Python's "None" and "nan",
an unfilled "{{ placeholder }}", an empty bracket, "(and 1 more)", a number with no unit
where a sentence compares it, and a title left in capitals in running text.
:func:`check_document` checks the document model where a count must agree with a list
("3 more measures are in the table"). :func:`check_folder` reads every file of a run.

Each finding is a :class:`Glitch` naming the file, the rule and the text around it, so a
test (or ``reportgen run``) can say exactly what to fix.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from reportgen.document import Callout, Document, Paragraph, Section, Table

# Words that may stand twice in a row in good English, or that a table prints twice
# legitimately (a column of statuses read across a line).
_REPEAT_OK = frozenset(
    {"had", "that", "no", "data", "on", "track", "off", "at", "risk", "met", "yes", "not", "shown", "change"}
)

# (rule, pattern). Patterns see text with whitespace collapsed to single spaces.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("space before a full stop", re.compile(r"[\w%)] +\.(?= |$)")),
    ("nothing after a colon", re.compile(r": *\.")),
    ("ends where a value should be", re.compile(r"\b(?:ring|call|phone|email|on|at|to|of|for) \.(?= |$)")),
    ("Python None", re.compile(r"\bNone\b")),
    ("not a number", re.compile(r"\b(?:nan|NaN|inf)\b")),
    ("unfilled placeholder", re.compile(r"\{\{|\}\}|\{[a-z_]+\}")),
    ("empty bracket", re.compile(r"\(\s*\)|\[\s*\]")),
    ("'and 1 more': print it instead", re.compile(r"\band 1 more\b")),
    (
        "a compared figure without its unit",
        re.compile(
            r"\b\d[\d,]*\.\d+(?=,? (?:worse|better|at or better) than|,? against a trajectory)"
            r"|(?:trajectory of|trajectory's|aim of|than) (?:no more than |at least )?"
            r"\d[\d,]*\.\d+(?!\d*(?:%| per| days| points))"
            r"|threshold of \d[\d,.]*(?![\d,.]*(?:%| per| days| points))"
        ),
    ),
    ("the + financial year", re.compile(r"\bfor the \d{4}/\d{2}\b(?! (?:annual|review|strategy|year))")),
    ("title in capitals in running text", re.compile(r"\b[A-Z]{4,}(?: [A-Z]{2,})* - [A-Z][a-z]")),
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")


@dataclass(frozen=True)
class Glitch:
    source: str  # file name (or document stem)
    rule: str
    context: str  # the text around it
    where: str = ""  # "page 4" of a PDF, the heading above it in a Word file, else ""

    def __str__(self) -> str:
        place = f", {self.where}" if self.where else ""
        return f"{self.source}{place}: {self.rule}: \u2026{self.context}\u2026"


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    return text[max(0, start - width) : end + width]


def find_glitches(text: str, source: str = "", *, repeats_within_lines: bool = False) -> list[Glitch]:
    """Every glitch in ``text`` (whitespace is collapsed first, so line breaks do not matter).

    ``repeats_within_lines``: a repeated word counts only within one line. For PDF text, where
    the lines of two table cells side by side come out interleaved ("6. Priority / crime in
    priority neighbourhoods / neighbourhoods / and the borough average"); a repeat across lines
    of running text is still caught in the same document's Word file and HTML."""
    flat = " ".join(text.replace("\u00a0", " ").split())
    found = [
        Glitch(source, rule, _context(flat, m.start(), m.end()))
        for rule, pattern in RULES
        for m in pattern.finditer(flat)
    ]
    if repeats_within_lines:
        flat = "\n".join(" ".join(line.split()) for line in text.replace("\u00a0", " ").splitlines())
    words = list(_WORD.finditer(flat))
    for a, b in zip(words, words[1:], strict=False):
        word = a.group().lower()
        gap = flat[a.end() : b.start()]
        # "each month each month", "Drugs DRUGS"; not "by partner" + a table's "Partner" column.
        same = a.group() == b.group() or (word == b.group().lower() and b.group().isupper())
        if same and gap == " " and len(word) > 1 and word not in _REPEAT_OK:
            found.append(Glitch(source, f"word repeated: {word!r}", _context(flat, a.start(), b.end())))
    # a phrase glued twice: "each month each month" (not two table cells reading "On track")
    for i in range(len(words) - 3):
        four = words[i : i + 4]
        w = [m.group() for m in four]
        spaced = all(flat[x.end() : y.start()] == " " for x, y in zip(four, four[1:], strict=False))
        if spaced and w[0] == w[2] and w[1] == w[3] and not {x.lower() for x in w} <= _REPEAT_OK:
            phrase = f"{w[0]} {w[1]}".lower()
            context = _context(flat, four[0].start(), four[-1].end())
            found.append(Glitch(source, f"words repeated: {phrase!r}", context))
    return found


# --- the document model -------------------------------------------------------------------------
_MORE = re.compile(r"(\d+) more (?:measures?|items?)\b")
_AND_MORE = re.compile(r"\(and (\d+) more\b")


def _sections(sections: Iterable[Section]) -> Iterator[Section]:
    for section in sections:
        yield section
        yield from _sections(b for b in section.blocks if isinstance(b, Section))


def check_document(doc: Document, source: str = "") -> list[Glitch]:
    """Counts that must agree with a list: in a section with a table, "N more measures are in
    the table" must be the table's rows not already named in the text before it."""
    found = []
    for section in _sections(doc.sections):
        tables = [b for b in section.blocks if isinstance(b, Table)]
        for block in section.blocks:
            text = block.text if isinstance(block, Callout | Paragraph) else ""
            for match in [*_MORE.finditer(text), *_AND_MORE.finditer(text)]:
                n = int(match.group(1))
                if not tables:
                    found.append(Glitch(source, "'N more' with no list to count", text[:120]))
                    continue
                rows = tables[0].rows
                named = sum(1 for row in rows if _cell_text(row[0]).split(" (")[0] in text)
                if named + n != len(rows):
                    found.append(
                        Glitch(source, f"'{match.group(0)}' but the table has {len(rows) - named} more", text[:120])
                    )
    return found


def _cell_text(cell: object) -> str:
    return str(getattr(cell, "text", cell))


# --- reading files ------------------------------------------------------------------------------
class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ARG002
        if tag in ("script", "style"):
            self._skip += 1
        # alt text is read aloud: check it too
        alt = dict(attrs).get("alt") or dict(attrs).get("aria-label")
        if alt:
            self.parts.append(f" {alt} ")
        if tag in ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "div", "br", "tr", "figcaption", "caption"):
            self.parts.append(" \n ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if tag in ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "div", "tr", "figcaption", "caption"):
            self.parts.append(" \n ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    return "".join(parser.parts)


def pdf_text(path: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe:
        return subprocess.run([exe, "-q", str(path), "-"], capture_output=True, text=True, check=True).stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def docx_text(path: Path) -> str:
    """Every paragraph of a Word file, table cells and picture alt text included."""
    import docx

    word = docx.Document(str(path))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts += [" ".join(p.text for p in c.paragraphs) for c in row.cells]
    for section in word.sections:
        for part in (section.header, section.footer):
            parts += [p.text for p in part.paragraphs]
    # alt text (wp:docPr descr)
    parts += re.findall(r'descr="([^"]*)"', word.element.xml)
    return "\n".join(parts)


def brf_text(path: Path) -> str:
    from reportgen.altformats.braille import back_translate, brf_lines

    return "\n".join(back_translate(brf_lines(path.read_bytes())))


READERS = {".pdf": pdf_text, ".docx": docx_text, ".html": None, ".txt": None, ".brf": brf_text}


def file_text(path: Path) -> str | None:
    """The text a reader gets from one generated file, or None for a kind not read (audio, JSON)."""
    suffix = path.suffix.lower()
    if suffix not in READERS:
        return None
    if suffix == ".html":
        return html_text(path.read_text(encoding="utf-8"))
    if suffix == ".txt":
        return path.read_text(encoding="utf-8")
    reader = READERS[suffix]
    return reader(path) if reader else None  # html and txt were read above


def _docx_parts(path: Path) -> list[tuple[str, str]]:
    """(the heading above, its text) for each part of a Word file between headings; tables,
    headers, footers and alt text as one part after them."""
    import docx

    word = docx.Document(str(path))
    parts: list[tuple[str, list[str]]] = [("", [])]
    for paragraph in word.paragraphs:
        if paragraph.style is not None and paragraph.style.name.startswith(("Heading", "Title")) and paragraph.text:
            parts.append((f"section \u201c{paragraph.text.strip()[:60]}\u201d", [paragraph.text]))
        else:
            parts[-1][1].append(paragraph.text)
    whole = docx_text(path)
    body = "\n".join(p.text for p in word.paragraphs)
    rest = whole[len(body):] if whole.startswith(body) else whole
    return [(where, "\n".join(lines)) for where, lines in parts] + [("tables, headers and alt text", rest)]


def located_text(path: Path) -> list[tuple[str, str]] | None:
    """The text of one file in parts a reader can find: a PDF page by page, a Word file heading by
    heading, anything else whole; None for a kind not read."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        pages = pdf_text(path).split("\f")
        return [(f"page {n}", page) for n, page in enumerate(pages, start=1) if page.strip()]
    if suffix == ".docx":
        return _docx_parts(path)
    text = file_text(path)
    return None if text is None else [("", text)]


def check_file(path: Path) -> list[Glitch]:
    """Every glitch in one generated file, each with the page (PDF) or section (Word) it is on."""
    parts = located_text(path)
    if parts is None:
        return []
    found = []
    in_lines = path.suffix.lower() == ".pdf"
    for where, text in parts:
        glitches = find_glitches(text, path.name, repeats_within_lines=in_lines)
        found += [dataclasses.replace(g, where=where) for g in glitches]
    return found


def check_folder(folder: Path) -> list[Glitch]:
    """Every generated document under ``folder`` (a run's output), each file read as a reader would."""
    found: list[Glitch] = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            found += check_file(path)
    return found


__all__ = [
    "RULES",
    "Glitch",
    "check_document",
    "check_file",
    "check_folder",
    "file_text",
    "find_glitches",
    "located_text",
]
