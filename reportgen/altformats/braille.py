"""Braille-ready files (BRF) for embossers, in Unified English Braille grade 2.

Translation is liblouis's (``lou_translate`` from Debian's liblouis-bin, table
``en-ueb-g2.ctb``, the UEB contracted braille used in the UK); this module only lays
the result out: 40 cells a line, 25 lines a page, the braille page number at the right
of the last line, paragraphs indented two cells, list items with a hanging indent, pages
separated by form feeds. All text goes through one liblouis process per document.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from reportgen.altformats.linear import TextBlock
from reportgen.errors import RenderError

TABLE = "en-ueb-g2.ctb"
CELLS = 40
LINES = 25
_NUMBER_SIGN = "#"
_DIGIT_LETTERS = "jabcdefghi"  # braille digits are a-j after the number sign; 0 is j


def _lou_translate(lines: list[str], *, backward: bool = False, table: str = TABLE) -> list[str]:
    exe = shutil.which("lou_translate")
    if exe is None:
        raise RenderError(
            "Braille needs liblouis's lou_translate, which is not installed.",
            hint="apt-get install liblouis-bin liblouis-data",
        )
    for line in lines:
        if "\n" in line or "\r" in line:
            raise RenderError("a line given to liblouis contains a line break")
    direction = "--backward" if backward else "--forward"
    result = subprocess.run(
        [exe, direction, table],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RenderError(f"liblouis failed ({result.returncode}): {result.stderr.strip()[:200]}")
    out = result.stdout.split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) != len(lines):
        raise RenderError(f"liblouis returned {len(out)} lines for {len(lines)}")
    return out


def translate(lines: list[str]) -> list[str]:
    """Print text to braille ASCII, line for line."""
    return _lou_translate(lines)


def back_translate(lines: list[str]) -> list[str]:
    """Braille ASCII back to print, line for line (for checking a BRF file)."""
    return _lou_translate(lines, backward=True)


def braille_number(n: int) -> str:
    return _NUMBER_SIGN + "".join(_DIGIT_LETTERS[int(d)] for d in str(n))


def _wrap(text: str, first_indent: int, rest_indent: int) -> list[str]:
    """Wrap at spaces within CELLS; a braille word longer than a line is split."""
    lines: list[str] = []
    current = " " * first_indent
    indent_now = first_indent
    for word in text.split(" "):
        if not word:
            continue
        while len(word) > CELLS - rest_indent:
            room = CELLS - len(current) - (0 if current.strip() == "" else 1)
            if room < 4:
                lines.append(current.rstrip())
                current, indent_now = " " * rest_indent, rest_indent
                continue
            head, word = word[: room - 1] + "-", word[room - 1 :]
            current = (current + ("" if current.strip() == "" else " ") + head).rstrip()
            lines.append(current)
            current, indent_now = " " * rest_indent, rest_indent
        sep = "" if len(current) == indent_now else " "
        if len(current) + len(sep) + len(word) > CELLS:
            lines.append(current.rstrip())
            current, indent_now = " " * rest_indent + word, rest_indent
        else:
            current += sep + word
    if current.strip():
        lines.append(current.rstrip())
    return lines


@dataclass(frozen=True)
class BrailleDocument:
    pages: list[list[str]]

    def brf(self) -> bytes:
        """The BRF file: CRLF line ends, a form feed between pages, ASCII only."""
        text = "\f".join("\r\n".join(page) + "\r\n" for page in self.pages)
        return text.encode("ascii", errors="strict")


def format_brf(blocks: Iterable[TextBlock]) -> BrailleDocument:
    blocks = list(blocks)
    braille = translate([b.text for b in blocks])
    body: list[tuple[list[str], bool]] = []  # (lines, keep a blank line before)
    for block, text in zip(blocks, braille, strict=True):
        if block.kind == "title":
            pad = max(0, (CELLS - len(text)) // 2)
            body.append((_wrap(text, pad, 0) if len(text) <= CELLS else _wrap(text, 0, 0), False))
        elif block.kind == "heading":
            body.append((_wrap(text, 0, 2), True))
        elif block.kind == "item":
            body.append((_wrap(text, 0, 2), False))
        else:
            body.append((_wrap(text, 2, 0), False))
    pages: list[list[str]] = []
    page: list[str] = []
    usable = LINES - 1  # the last line of each page carries its number
    for lines, blank_before in body:
        if blank_before and page:
            if len(page) + 1 + min(len(lines), 2) > usable:  # no heading alone at a page foot
                page = _close(pages, page)
            else:
                page.append("")
        for line in lines:
            if len(page) >= usable:
                page = _close(pages, page)
            page.append(line)
    if page:
        _close(pages, page)
    return BrailleDocument(pages)


def _close(pages: list[list[str]], page: list[str]) -> list[str]:
    number = braille_number(len(pages) + 1)
    page = page + [""] * (LINES - 1 - len(page)) + [number.rjust(CELLS)]
    pages.append(page)
    return []


def brf_lines(data: bytes) -> list[str]:
    """The braille ASCII lines of a BRF file that carry text (page numbers and blank
    lines dropped). Lines break only between words, so each back-translates alone."""
    out: list[str] = []
    for page in data.decode("ascii").split("\f"):
        lines = page.split("\r\n")
        while lines and lines[-1] == "":
            lines.pop()
        out.extend(line.strip() for line in lines[:-1] if line.strip())  # last line: page number
    return out
