"""Page rules every printed document must keep, read back from the PDF with pdfplumber.

- a heading is never the last thing on a page (it goes with what it introduces);
- a table split over pages leaves at least 3 body rows on each side;
- no page is less than a third full unless it is the last page;
- no text lies outside the page box.

Page furniture (running header, "Page X of Y" footer) is found from the PDF itself: the
footer is the line holding "Page N of M"; the header is a line repeated at the same height
on most pages. The body box is the span the content uses over the whole document, so the
check needs no knowledge of each stylesheet's margins.

Usage: ``problems = page_problems(path)`` -> list of one-line descriptions (empty = good);
``python tests/page_rules.py FILE.pdf...`` prints them.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfplumber.structure import PDFStructElement, PDFStructTree

MIN_ROWS = 3
MIN_FILL = 1 / 3
_FOOTER = re.compile(r"Page\s*\d+\s*of\s*\d+")
_HEADINGS = {"H", "H1", "H2", "H3", "H4", "H5", "H6"}


@dataclass
class _Line:
    top: float
    bottom: float
    text: str
    heading: bool


def _lines(chars: list[dict], heading_keys: set[tuple[int, int]], page_no: int) -> list[_Line]:
    rows: dict[int, list[dict]] = {}
    for c in chars:
        rows.setdefault(round(c["top"]), []).append(c)
    out = []
    for _, cs in sorted(rows.items()):
        cs.sort(key=lambda c: c["x0"])
        text = "".join(c["text"] for c in cs).strip()
        if not text:
            continue
        heading = all((page_no, c.get("mcid")) in heading_keys for c in cs if c["text"].strip())
        out.append(_Line(min(c["top"] for c in cs), max(c["bottom"] for c in cs), text, heading))
    return out


def _blank(shape: dict) -> bool:
    """A white fill with no stroke (the page body's background): not content."""
    colour = shape.get("non_stroking_color")
    white = colour is not None and all(v == 1 for v in (colour if isinstance(colour, tuple | list) else (colour,)))
    return bool(white and not shape.get("stroke"))


def _walk(element: PDFStructElement, ancestors: tuple[str, ...], visit) -> None:
    visit(element, ancestors)
    for child in element.children:
        _walk(child, (*ancestors, element.type), visit)


def _first_page(element: PDFStructElement) -> int | None:
    if element.page_number is not None and element.mcids:
        return element.page_number
    for child in element.children:
        page = _first_page(child)
        if page is not None:
            return page
    return element.page_number


def _text(element: PDFStructElement, text_by_mcid: dict[tuple[int, int], str]) -> str:
    own = "".join(text_by_mcid.get((element.page_number or 0, m), "") for m in element.mcids)
    return own + "".join(_text(c, text_by_mcid) for c in element.children)


def _tables(tree: PDFStructTree, text_by_mcid: dict[tuple[int, int], str]) -> list[tuple[str, str, list[int]]]:
    """Every Table element in reading order: (caption, header text, page of each body row)."""
    tables: list[tuple[str, str, list[int]]] = []

    def visit(element: PDFStructElement, _ancestors: tuple[str, ...]) -> None:
        if element.type != "Table":
            return
        caption, header, pages = "", "", []
        for part in element.children:
            if part.type == "Caption":
                caption = _text(part, text_by_mcid).strip()
            elif part.type == "THead":
                header = _text(part, text_by_mcid)
            elif part.type in ("TBody", "TFoot"):
                pages += [p for p in (_first_page(r) for r in part.children if r.type == "TR") if p]
            elif part.type == "TR":
                pages += [p] if (p := _first_page(part)) else []
        tables.append((caption, header, pages))

    for root in tree:
        _walk(root, (), visit)
    return tables


def _join_continuations(tables: list[tuple[str, str, list[int]]]) -> list[tuple[str, list[int]]]:
    """(caption, body-row pages) per table, a continuation (a new Table element with no caption
    whose header repeats the previous table's, on the next page) joined to the table it continues."""
    joined: list[tuple[str, list[int]]] = []
    last_header = None
    for caption, header, pages in tables:
        continues = bool(joined and pages and joined[-1][1] and header and header == last_header and not caption)
        if continues and pages[0] == joined[-1][1][-1] + 1:
            joined[-1][1].extend(pages)
        else:
            joined.append((caption, list(pages)))
        last_header = header
    return joined


def _table_problems(tree: PDFStructTree, text_by_mcid: dict[tuple[int, int], str]) -> list[str]:
    """A table split over pages that leaves fewer than MIN_ROWS body rows on a page."""
    problems = []
    for caption, pages in _join_continuations(_tables(tree, text_by_mcid)):
        counts = Counter(pages)
        if len(counts) < 2:
            continue
        for page, n in sorted(counts.items()):
            if n < MIN_ROWS:
                name = f'"{caption[:60]}"' if caption else "a table"
                problems.append(
                    f"page {page}: {name} split over pages {min(counts)}-{max(counts)} leaves "
                    f"{n} row{'s' if n != 1 else ''} on page {page} (at least {MIN_ROWS} each side)"
                )
    return problems


def _text_by_mcid(pdf: pdfplumber.PDF) -> dict[tuple[int, int], str]:
    """The text of each marked-content id, keyed by (page number, mcid)."""
    out: dict[tuple[int, int], str] = {}
    for page in pdf.pages:
        for c in page.chars:
            if c.get("mcid") is not None:
                key = (page.page_number, c["mcid"])
                out[key] = out.get(key, "") + c["text"]
    return out


def _heading_keys(tree: PDFStructTree) -> set[tuple[int, int]]:
    """(page number, mcid) of every piece of text inside a heading element."""
    keys: set[tuple[int, int]] = set()

    def mark(element: PDFStructElement, ancestors: tuple[str, ...]) -> None:
        if element.type in _HEADINGS or _HEADINGS & set(ancestors):
            keys.update((element.page_number or 0, m) for m in element.mcids)

    for root in tree:
        _walk(root, (), mark)
    return keys


_Body = tuple[int, list[_Line], list[tuple[float, float]]]  # page number, text lines, shapes' (top, bottom)


def _page_body(page: pdfplumber.page.Page, lines: list[_Line], header_keys: set[tuple[int, str]]) -> _Body:
    """The content of one page between its running header and its footer ("Page N of M")."""
    footer = [ln.top for ln in lines if _FOOTER.search(ln.text.replace(" ", ""))]
    foot = min(footer) - 1 if footer else page.height
    head = max((ln.bottom for ln in lines if (round(ln.top), ln.text[:30]) in header_keys), default=0.0)
    content = [ln for ln in lines if ln.top > head and ln.bottom < foot]
    # graphics count as content too (charts, table rules, callout bars)
    shapes = [
        (g["top"], g["bottom"])
        for g in (*page.rects, *page.lines, *page.curves, *page.images)
        if g["top"] > head and g["bottom"] < foot and not _blank(g)
    ]
    return page.page_number, content, shapes


def _outside_page_box(page: pdfplumber.page.Page) -> str | None:
    """The first character drawn outside the page, as a problem line (None: all inside)."""
    for c in page.chars:
        if c["text"].strip() and (
            c["x0"] < -0.5 or c["x1"] > page.width + 0.5 or c["top"] < -0.5 or c["bottom"] > page.height + 0.5
        ):
            return f"page {page.page_number}: text outside the page box: {c['text']!r} at x={c['x0']:.0f}"
    return None


def _fill_and_heading_problems(body: list[_Body]) -> list[str]:
    """Pages (but the last) that are empty, less than MIN_FILL full, or end with a heading."""
    tops = [ln.top for _, ls, _ in body for ln in ls[:1]]
    bottoms = [max([ln.bottom for ln in ls] + [b for _, b in sh]) for _, ls, sh in body if ls or sh]
    if not tops or not bottoms:
        return []
    # the body box: where pages 2.. start (page 1 may start higher, with no running header)
    body_top = sorted(tops[1:] or tops)[len(tops[1:] or tops) // 2]
    height = max(bottoms) - body_top
    problems = []
    for index, (number, lines, shapes) in enumerate(body):
        if index == len(body) - 1:
            continue  # the last page may be as short as it likes and end where it likes
        ends = [ln.bottom for ln in lines] + [b for _, b in shapes]
        if not ends:
            problems.append(f"page {number}: an empty page")
            continue
        top = min([ln.top for ln in lines] + [t for t, _ in shapes])
        fill = (max(ends) - min(top, body_top)) / height if height > 0 else 1.0
        if fill < MIN_FILL:
            problems.append(f"page {number}: only {fill:.0%} full (at least a third unless it ends the document)")
        if lines:
            final = max(lines, key=lambda ln: ln.bottom)
            below = [b for _, b in shapes if b > final.bottom + 2]
            if final.heading and not below:
                problems.append(f'page {number}: heading "{final.text[:60]}" alone at the foot of the page')
    return problems


def page_problems(path: Path | str) -> list[str]:
    """Every breach of the page rules in one PDF, one line each, naming the page."""
    problems: list[str] = []
    with pdfplumber.open(path) as pdf:
        tree = PDFStructTree(pdf)
        text_by_mcid = _text_by_mcid(pdf)
        heading_keys = _heading_keys(tree)
        problems += _table_problems(tree, text_by_mcid)
        pages = [(p, _lines(p.chars, heading_keys, p.page_number)) for p in pdf.pages]
        # furniture: the footer line ("Page N of M") and below; a header line repeated at one height
        repeated = Counter((round(ls[0].top), ls[0].text[:30]) for _, ls in pages if ls)
        header_keys = {k for k, n in repeated.items() if n >= max(2, len(pages) // 2)}
        body = []
        for page, lines in pages:
            body.append(_page_body(page, lines, header_keys))
            if outside := _outside_page_box(page):
                problems.append(outside)
        problems += _fill_and_heading_problems(body)
    return problems


if __name__ == "__main__":
    bad = 0
    for name in sys.argv[1:]:
        for line in page_problems(name):
            bad += 1
            print(f"{name}: {line}")
    sys.exit(1 if bad else 0)
