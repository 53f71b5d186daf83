"""Read a tagged PDF back through its structure tree: what a screen reader would get."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfplumber.structure import PDFStructElement, PDFStructTree


@dataclass
class Tagged:
    type: str
    text: str
    page: int | None
    alt: str | None
    element: PDFStructElement


def squash(text: str) -> str:
    """Whitespace-insensitive form: PDF text extraction does not keep spaces reliably."""
    return re.sub(r"\s+", "", text)


def tagged_elements(path: Path) -> list[Tagged]:
    """Every structure element in reading order with the text of its marked content."""
    with pdfplumber.open(path) as pdf:
        text_by_mcid: dict[tuple[int, int], str] = {}
        for page in pdf.pages:
            for char in page.chars:
                if char.get("mcid") is not None:
                    key = (page.page_number, char["mcid"])
                    text_by_mcid[key] = text_by_mcid.get(key, "") + char["text"]
        tree = PDFStructTree(pdf)
        out: list[Tagged] = []

        def text_of(element: PDFStructElement) -> str:
            own = "".join(text_by_mcid.get((element.page_number or 0, m), "") for m in element.mcids)
            return own + "".join(text_of(child) for child in element.children)

        def walk(element: PDFStructElement) -> None:
            out.append(Tagged(element.type, text_of(element), element.page_number, element.alt_text, element))
            for child in element.children:
                walk(child)

        for root in tree:
            walk(root)
        return out


def table_rows(path: Path) -> list[list[tuple[str, ...]]]:
    """Tables as lists of rows of cell texts; a table split over pages is joined again.

    WeasyPrint repeats the header row on each page, so a continuation's first row is
    dropped when it repeats the header of the table it continues.
    """
    elements = tagged_elements(path)
    text_of = {id(t.element): t.text for t in elements}
    tables: list[tuple[int | None, list[tuple[str, ...]]]] = []
    for tagged in elements:
        if tagged.type != "Table":
            continue
        rows: list[tuple[str, ...]] = []

        def collect(element: PDFStructElement, rows: list[tuple[str, ...]] = rows) -> None:
            if element.type == "TR":
                cells = [c for c in element.children if c.type in ("TH", "TD")]
                rows.append(tuple(text_of[id(c)] for c in cells))
            else:
                for child in element.children:
                    collect(child)

        collect(tagged.element)
        if tables and rows and tables[-1][0] != tagged.page and rows[0] == tables[-1][1][0]:
            tables[-1][1].extend(rows[1:])
            tables[-1] = (tagged.page, tables[-1][1])
        else:
            tables.append((tagged.page, rows))
    return [rows for _, rows in tables]
