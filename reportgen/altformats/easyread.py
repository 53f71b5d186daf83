"""An easy-read web page: the big numbers first, one idea per sentence, short sentences,
large clear text. Made from the same document model as the printed leaflet."""

from __future__ import annotations

import re

from jinja2 import Environment, select_autoescape

from reportgen.altformats.linear import block_text, plain
from reportgen.document import Document, Headline, HeadlineRow, Section

# A sentence ends at . ! ? followed by a space and a capital or digit; "12.5" is not an end.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")

_PAGE = Environment(autoescape=select_autoescape(default=True)).from_string(
    """<!DOCTYPE html>
<html lang="{{ lang }}" dir="{{ direction }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; font-size: 1.375rem; line-height: 1.6;
       color: #1a1a1a; background: #fff; max-width: 40rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 2rem; color: #0b2e4f; } h2 { font-size: 1.6rem; color: #0b2e4f; margin-top: 2rem; }
.big { border: 3px solid #0b2e4f; border-radius: .5rem; padding: 1rem; margin: 1rem 0; }
.big strong { display: block; font-size: 2.2rem; color: #0b2e4f; }
p { margin: .6rem 0; } .notice { background: #fff4ce; padding: .75rem; }
</style>
</head>
<body>
<header><h1>{{ title }}</h1><p>{{ period }}</p>{% if notice %}<p class="notice">{{ notice }}</p>{% endif %}</header>
<main>
{% if big %}<section aria-labelledby="big-numbers"><h2 id="big-numbers">{{ big_title }}</h2>
{% for h in big %}<div class="big"><strong>{{ h.value }}</strong><p>{{ h.label }}.</p>
{% for s in h.sentences %}<p>{{ s }}</p>{% endfor %}</div>{% endfor %}</section>{% endif %}
{% for s in sections %}<section><h2>{{ s.title }}</h2>
{% for line in s.sentences %}<p>{{ line }}</p>{% endfor %}</section>{% endfor %}
</main>
</body>
</html>
"""
)


def sentences(text: str) -> list[str]:
    """Split text into sentences, one idea each; long sentences split at semicolons and colons."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(plain(text)):
        for part in re.split(r";\s+", sentence):
            part = part.strip()
            if part:
                part = part[0].upper() + part[1:]
                out.append(part if part[-1] in ".!?:" else part + ".")
    return out


def _headlines(doc: Document) -> list[Headline]:
    found: list[Headline] = []

    def walk(blocks: tuple) -> None:
        for b in blocks:
            if isinstance(b, HeadlineRow):
                found.extend(b.headlines)
            elif isinstance(b, Headline):
                found.append(b)
            elif isinstance(b, Section):
                walk(b.blocks)

    for section in doc.sections:
        walk(section.blocks)
    return found


def _section_sentences(section: Section) -> list[str]:
    lines: list[str] = []
    for block in section.blocks:
        if isinstance(block, Headline | HeadlineRow):
            continue  # already shown first, as the big numbers
        if isinstance(block, Section):
            lines.append(plain(block.title) + ":")
            lines.extend(_section_sentences(block))
            continue
        for text in block_text(block):
            lines.extend(sentences(text.text))
    return lines


def easy_read_html(doc: Document, *, direction: str = "ltr", big_title: str = "The big numbers") -> str:
    big = [
        {"value": plain(h.value), "label": plain(h.label), "sentences": sentences(h.detail)} for h in _headlines(doc)
    ]
    sections = [
        {"title": plain(s.title), "sentences": lines} for s in doc.sections if (lines := _section_sentences(s))
    ]
    return _PAGE.render(
        lang=doc.language, direction=direction, title=plain(doc.title), period=doc.period_label, notice=doc.notice,
        big=big, big_title=big_title, sections=sections,
    )
