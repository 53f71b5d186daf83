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
    parser = _Parser(level, str(path) if path else None)
    for number, raw in enumerate(text.splitlines(), start=1):
        parser.line(raw, number)
    return parser.finish()


class _Parser:
    """The state of one file's parse: the title, the blocks before any subheading, the
    subsection being filled, and the paragraph or bullet list being gathered."""

    def __init__(self, level: int, file: str | None) -> None:
        self.level = level
        self.file = file
        self.title = ""
        self.top: list[Block] = []
        self.current: list[Block] | None = None  # the open subsection's blocks
        self.sub_title = ""
        self.subs: list[Section] = []
        self.paragraph: list[str] = []
        self.bullets: list[str] = []

    def line(self, raw: str, number: int) -> None:
        line = raw.rstrip()
        refused = unsafe_links(line)
        if refused:
            raise DataError(
                f"link {refused[0]!r} is not allowed: links may only be https, http or mailto",
                file=self.file,
                row=number,
                hint="Write the full web address, e.g. [our site](https://example.org).",
            )
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            self.flush()
            self.heading(heading.group(1), heading.group(2), line, number)
        elif bullet:
            if self.paragraph:
                self.flush()
            self.bullets.append(bullet.group(1).strip())
        elif not line.strip():
            self.flush()
        elif self.bullets and raw.startswith((" ", "\t")):
            self.bullets[-1] += " " + line.strip()  # a bullet continued on the next line
        else:
            if self.bullets:
                self.flush()
            self.paragraph.append(line)

    def heading(self, hashes: str, words: str, line: str, number: int) -> None:
        """'# Title' only first; '## Part' opens a subsection (not below level 3); nothing else."""
        if len(hashes) == 1 and not self.title and not self.top and not self.subs and self.current is None:
            self.title = words
        elif len(hashes) == 2 and self.level < 3:
            self.close_sub()
            self.sub_title, self.current = words, []
        else:
            raise DataError(
                f"heading {line!r} is not allowed here",
                file=self.file,
                row=number,
                hint="Use one '# Title' on the first line and '## Subheading' for parts.",
            )

    def target(self) -> list[Block]:
        return self.current if self.current is not None else self.top

    def flush(self) -> None:
        """End the paragraph or bullet list being gathered."""
        if self.paragraph:
            self.target().append(Paragraph(" ".join(line.strip() for line in self.paragraph)))
            self.paragraph.clear()
        if self.bullets:
            self.target().append(BulletList(tuple(self.bullets)))
            self.bullets.clear()

    def close_sub(self) -> None:
        if self.current is not None:
            self.subs.append(Section(self.sub_title, tuple(self.current), level=self.level + 1))
            self.current = None

    def finish(self) -> tuple[str, tuple[Block, ...]]:
        self.flush()
        self.close_sub()
        return self.title, tuple(self.top) + tuple(self.subs)


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
