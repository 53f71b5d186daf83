"""Narrative that staff write as Markdown files, merged into documents in their place.

``<config>/commentary/<period>/<slot>.md`` (period folder ``2004_05`` or ``2004-05`` for
2004/05, ``2005-03`` for a month). A file named after a section id of the document
(``introduction``, ``then-and-now``, ``drugs``...) opens that section; any other file
becomes a section of its own, titled by its ``# heading`` (or its name). A missing folder
simply means no narrative.

Only a small, predictable part of Markdown is understood, so what staff write is what
readers get in both PDF and Word: paragraphs (separated by a blank line), ``-`` or ``*``
bullets, ``##`` subheadings, and ``**bold**`` inside text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reportgen.document import Block, BulletList, Paragraph, Section
from reportgen.errors import DataError
from reportgen.links import unsafe_links
from reportgen.periods import Period

_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")


@dataclass(frozen=True)
class Narrative:
    """One commentary file: its slot (file stem), title (from '# ...') and blocks."""

    slot: str
    title: str
    blocks: tuple[Block, ...]
    path: Path


def commentary_dir(config_root: str | Path, period: Period) -> Path | None:
    """The period's commentary folder, if there is one."""
    base = Path(config_root) / "commentary"
    for name in (period.key.replace("/", "_"), period.key.replace("/", "-"), period.key):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    return None


def parse(text: str, *, level: int = 1, path: Path | None = None) -> tuple[str, tuple[Block, ...]]:
    """Markdown -> (title from a leading '# ', blocks). ``##`` headings become sections one
    level below ``level``; text after one belongs to it until the next."""
    title = ""
    top: list[Block] = []
    current: list[Block] | None = None
    sub_title = ""
    subs: list[Section] = []
    paragraph: list[str] = []
    bullets: list[str] = []

    def target() -> list[Block]:
        return current if current is not None else top

    def flush() -> None:
        if paragraph:
            target().append(Paragraph(" ".join(line.strip() for line in paragraph)))
            paragraph.clear()
        if bullets:
            target().append(BulletList(tuple(bullets)))
            bullets.clear()

    def close_sub() -> None:
        nonlocal current
        if current is not None:
            subs.append(Section(sub_title, tuple(current), level=level + 1))
            current = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        refused = unsafe_links(line)
        if refused:
            raise DataError(
                f"link {refused[0]!r} is not allowed: links may only be https, http or mailto",
                file=str(path) if path else None,
                row=number,
                hint="Write the full web address, e.g. [our site](https://example.org).",
            )
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            flush()
            hashes, words = heading.groups()
            if len(hashes) == 1 and not title and not top and not subs and current is None:
                title = words
            elif len(hashes) == 2 and level < 3:
                close_sub()
                sub_title, current = words, []
            else:
                raise DataError(
                    f"heading {line!r} is not allowed here",
                    file=str(path) if path else None,
                    row=number,
                    hint="Use one '# Title' on the first line and '## Subheading' for parts.",
                )
        elif bullet:
            if paragraph:
                flush()
            bullets.append(bullet.group(1).strip())
        elif not line.strip():
            flush()
        elif bullets and raw.startswith((" ", "\t")):
            bullets[-1] += " " + line.strip()  # a bullet continued on the next line
        else:
            if bullets:
                flush()
            paragraph.append(line)
    flush()
    close_sub()
    return title, tuple(top) + tuple(subs)


def load(config_root: str | Path, period: Period, *, level: int = 1) -> list[Narrative]:
    """Every commentary file for ``period``, sorted by file name."""
    folder = commentary_dir(config_root, period)
    if folder is None:
        return []
    out = []
    for path in sorted(folder.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"cannot read commentary ({exc})", file=str(path)) from None
        title, blocks = parse(text, level=level, path=path)
        slot = re.sub(r"^\d+[-_]", "", path.stem).lower()
        fallback = slot.replace("-", " ").replace("_", " ").capitalize()
        out.append(Narrative(slot, title or fallback, blocks, path))
    return out


def merge(
    sections: list[Section], narratives: list[Narrative], *, before: str | None = None
) -> list[Section]:
    """Put each narrative at the start of the section whose id is its slot; the others become
    sections of their own, inserted before the section with id ``before`` (or at the end)."""
    by_slot = {n.slot: n for n in narratives}
    merged: list[Section] = []
    used: set[str] = set()
    for section in sections:
        narrative = by_slot.get(section.id or "")
        if narrative is not None:
            used.add(narrative.slot)
            section = Section(
                section.title,
                narrative.blocks + section.blocks,
                level=section.level,
                id=section.id,
                page_break_before=section.page_break_before,
            )
        merged.append(section)
    extra = [Section(n.title, n.blocks, level=1, id=f"commentary-{n.slot}") for n in narratives if n.slot not in used]
    if not extra:
        return merged
    index = next((i for i, s in enumerate(merged) if s.id == before), len(merged)) if before else len(merged)
    return merged[:index] + extra + merged[index:]
