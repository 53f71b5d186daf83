"""An easy-read PDF in the Mencap manner: one idea per line, a picture beside each idea,
16pt text, short sentences, counts and plain comparisons instead of rates.

The pictures are pictograms drawn for this project (``pictograms/*.svg``: black strokes on
white, a few bold shapes each) and chosen by what a line is about. They support the words
and never replace them, so each is a CSS background, which WeasyPrint draws as an Artifact
in the tagged PDF: a screen reader reads the line once, not "house" before it (an <img>
with empty alt text is refused by WeasyPrint's PDF/UA check).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from jinja2 import Environment, select_autoescape

from reportgen.altformats.easyread import sentences
from reportgen.altformats.linear import plain, status_words
from reportgen.document import (
    BulletList,
    Callout,
    ContactList,
    Document,
    Headline,
    HeadlineRow,
    Paragraph,
    Section,
    Table,
    cell_status,
    cell_text,
)

# A rate ("21.9 crimes for every 1,000 people") is the hardest kind of number to read; easy
# read gives counts and says more or fewer instead, so a sentence carrying a rate is left out.
RATE = re.compile(r"per 1,?000|for every 1,?000|for every 100\b|per thousand|per 100\b|\brates?\b", re.IGNORECASE)

# Which picture goes beside a line: the first rule whose words the line contains.
_PICTURES: tuple[tuple[str, str], ...] = (
    ("emergency", r"\b999\b"),
    ("police", r"\bpolice\b|\b101\b|crimestoppers|report a crime"),
    ("phone", r"\bphone\b|\bcall\b|\bring\b|telephone|\b0\d{3,4} \d"),
    ("lock", r"\block\b"),
    ("house", r"burglar|\bhomes?\b|\bhouses?\b|\bdoors?\b"),
    ("bike", r"bicycle|\bbikes?\b"),
    ("car", r"\bcars?\b|\bvans?\b|vehicle|sat-nav"),
    ("bag", r"\bbags?\b|pick-?pocket"),
    ("window", r"vandal|damage|graffiti|fly-tipping"),
    ("hurt", r"assault|injur|mugg|robbery|violen"),
    ("speech", r"told us|survey|\bsaid\b|contact"),
    ("people", r"\bpeople\b|residents|victims?|\bthink\b"),
    ("calendar", r"\bmonths?\b|\byears?\b|january|march|april|june|september|december"),
)
PICTOGRAMS = ("down", "up", "same", "info", *(name for name, _ in _PICTURES))


@dataclass(frozen=True)
class Idea:
    text: str
    picture: str  # a pictogram name
    strong: bool = False


@dataclass(frozen=True)
class Part:
    title: str
    ideas: tuple[Idea, ...]


def picture_for(text: str) -> str:
    for name, words in _PICTURES:
        if re.search(words, text, re.IGNORECASE):
            return name
    return "info"


def _change_picture(text: str) -> str | None:
    if re.match(r"(down|fewer|lower|less)\b", text, re.IGNORECASE):
        return "down"
    if re.match(r"(up|more|higher|rise)\b", text, re.IGNORECASE):
        return "up"
    return None


def _ideas(text: str) -> list[Idea]:
    return [Idea(s, picture_for(s)) for s in sentences(text) if not RATE.search(s)]


_NUMBER = re.compile(r"^\d[\d,]*$")


def _number(text: str) -> int | None:
    text = plain(text)
    return int(text.replace(",", "")) if _NUMBER.match(text) else None


def _table_ideas(table: Table) -> list[Idea]:
    """A row with two counts becomes a count, what it was, and a plain comparison."""
    ideas: list[Idea] = []
    cols = [plain(c) for c in table.columns]
    for row in table.rows:
        texts = [plain(cell_text(c)) for c in row]
        name = texts[0] if table.row_headers else ""
        numbers = [(i, n) for i, t in enumerate(texts) if i > 0 and (n := _number(t)) is not None]
        if name and len(numbers) >= 2 and not RATE.search(" ".join(cols)):
            (i_then, then), (i_now, now) = numbers[0], numbers[-1]
            ideas.append(Idea(f"{name}: {texts[i_now]} in {cols[i_now]}.", picture_for(name), strong=True))
            if now < then:
                ideas.append(Idea(f"Fewer than in {cols[i_then]}, when there were {texts[i_then]}.", "down"))
            elif now > then:
                ideas.append(Idea(f"More than in {cols[i_then]}, when there were {texts[i_then]}.", "up"))
            else:
                ideas.append(Idea(f"The same as in {cols[i_then]}.", "same"))
            statuses = [s for c in row if (s := cell_status(c)) is not None]
            if statuses:
                ideas.append(Idea(status_words(statuses[0]).capitalize() + ".", "info"))
            continue
        parts = [
            f"{c} {t}" if c.lower() not in ("phone", "telephone") else t
            for c, t in zip(cols[1:], texts[1:], strict=False)
            if t
        ]
        line = f"{name}: {', '.join(parts)}." if name else ", ".join(parts) + "."
        if not RATE.search(line):
            ideas.append(Idea(line, picture_for(line)))
    return ideas


def _headline_ideas(h: Headline) -> list[Idea]:
    label, value = plain(h.label), plain(h.value)
    if RATE.search(label + " " + value):
        return []
    first = Idea(
        f"{label}: {value[0].lower() + value[1:] if value else value}.",
        _change_picture(value) or picture_for(label),
        strong=True,
    )
    return [first, *_ideas(h.detail)] if h.detail else [first]


def _block_ideas(block: object) -> list[Idea]:
    match block:
        case Paragraph(text=text):
            return _ideas(text)
        case BulletList(items=items):
            return [i for item in items for i in _ideas(item)]
        case Headline():
            return _headline_ideas(block)
        case HeadlineRow(headlines=headlines):
            return [i for h in headlines for i in _headline_ideas(h)]
        case Table():
            return _table_ideas(block)
        case Callout(title=title, text=text):
            return _ideas(f"{title}: {text}" if title else text)
        case ContactList(contacts=contacts):
            return [
                Idea(f"{c.name}: {c.phone}." if c.phone else f"{c.name}: {c.email or c.web}.", "phone")
                for c in contacts
                if c.phone or c.email or c.web
            ]
        case Section():
            return [
                Idea(plain(block.title) + ":", picture_for(block.title), strong=True),
                *(i for b in block.blocks for i in _block_ideas(b)),
            ]
    return []  # charts, definitions and page breaks have no easy-read line of their own


def easy_read_parts(doc: Document) -> list[Part]:
    opening = [
        Idea(f"This is about: {plain(doc.title)}.", picture_for(doc.title)),
        Idea(f"It tells you about {doc.period_label}.", "calendar"),
    ]
    if doc.notice:
        opening.append(Idea(plain(doc.notice), "info"))
    parts = [Part(plain(doc.title), tuple(opening))]
    for section in doc.sections:
        ideas = [i for b in section.blocks for i in _block_ideas(b)]
        if ideas:
            parts.append(Part(plain(section.title), tuple(ideas)))
    return parts


@cache
def pictogram_uri(name: str) -> str:
    svg = resources.files("reportgen.altformats").joinpath("pictograms", f"{name}.svg").read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


_PAGE = Environment(autoescape=select_autoescape(default=True)).from_string(
    """<!DOCTYPE html>
<html lang="{{ lang }}" dir="{{ direction }}">
<head><meta charset="utf-8"><title>{{ title }} (easy read)</title>
<style>
@page { size: A4; margin: 18mm 16mm 20mm;
        @bottom-center { content: "Page " counter(page) " of " counter(pages);
                         font: 14pt "Liberation Sans", sans-serif; } }
body { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; font-size: 16pt; line-height: 1.45;
       color: #111; }
h1 { font-size: 28pt; color: #0b2e4f; margin: 0 0 6mm; }
h2 { font-size: 22pt; color: #0b2e4f; margin: 8mm 0 4mm; break-after: avoid; }
ul { list-style: none; margin: 0; padding: 0; }
li { display: flex; align-items: center; gap: 6mm; margin: 0 0 4mm; break-inside: avoid; }
li .pic { width: 22mm; height: 22mm; flex: none; background: no-repeat center / contain; }
li span { flex: 1; }
li.strong span { font-weight: bold; }
section + section { break-before: auto; }
</style></head>
<body>
<h1>{{ title }}</h1>
{% for part in parts %}<section>{% if not loop.first %}<h2>{{ part.title }}</h2>{% endif %}
<ul>{% for idea in part.ideas %}<li{% if idea.strong %} class="strong"{% endif %}>
<span class="pic" style="background-image: url('{{ uri(idea.picture) }}')"></span><span>{{ idea.text }}</span></li>
{% endfor %}</ul></section>
{% endfor %}
</body></html>
"""
)


def easy_read_pdf_html(doc: Document, *, direction: str = "ltr") -> str:
    return _PAGE.render(
        lang=doc.language, direction=direction, title=plain(doc.title), parts=easy_read_parts(doc), uri=pictogram_uri
    )


def easy_read_pdf(doc: Document, *, direction: str = "ltr") -> bytes:
    from reportgen.render.pdf import html_to_pdf

    return html_to_pdf(easy_read_pdf_html(doc, direction=direction), title=f"{doc.title} (easy read)")
