"""Large print: every character in the PDF at least 16pt, nothing italic, tables reflowed to fit."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pypdf


def test_every_character_is_at_least_16pt(rendered_large: dict[str, Path]) -> None:
    sizes: set[float] = set()
    with pdfplumber.open(rendered_large["pdf"]) as pdf:
        for page in pdf.pages:
            sizes.update(round(char["size"], 1) for char in page.chars if char["text"].strip())
    assert sizes, "no text found"
    assert min(sizes) >= 16, sorted(sizes)
    # Body text is 18pt: the ideal, not just the minimum.
    assert 18.0 in sizes


def test_page_numbers_and_running_header_are_large(rendered_large: dict[str, Path]) -> None:
    with pdfplumber.open(rendered_large["pdf"]) as pdf:
        page = pdf.pages[1]
        footer = [c for c in page.chars if c["top"] > page.height - 60 and c["text"].strip()]
        header = [c for c in page.chars if c["top"] < 60 and c["text"].strip()]
    assert "".join(c["text"] for c in footer).startswith("Page2of")
    assert footer and min(c["size"] for c in footer) >= 17.9
    assert header and min(c["size"] for c in header) >= 17.9


def test_no_italic_fonts(rendered_large: dict[str, Path]) -> None:
    with pdfplumber.open(rendered_large["pdf"]) as pdf:
        fonts = {char["fontname"] for page in pdf.pages for char in page.chars}
    assert fonts
    assert not [f for f in fonts if "italic" in f.lower() or "oblique" in f.lower()]


def test_nothing_runs_off_the_page(rendered_large: dict[str, Path]) -> None:
    """Reflowed, not scaled: wide tables wrap inside the margins instead of overflowing."""
    with pdfplumber.open(rendered_large["pdf"]) as pdf:
        for page in pdf.pages:
            right_margin = page.width - 14 * 72 / 25.4
            overflow = [c["text"] for c in page.chars if c["x1"] > right_margin + 1]
            assert not overflow, (page.page_number, "".join(overflow))


def test_large_print_is_longer_than_standard(
    rendered: dict[str, Path], rendered_large: dict[str, Path]
) -> None:
    standard = len(pypdf.PdfReader(rendered["pdf"]).pages)
    large = len(pypdf.PdfReader(rendered_large["pdf"]).pages)
    assert large > standard
