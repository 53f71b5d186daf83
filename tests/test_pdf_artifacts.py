"""Contents leaders and decorative rules are drawn, not read: in the tagged PDF they sit
outside the structure tree (WeasyPrint marks borders as Artifacts), so a screen reader
reads each contents entry as its title and page number, with no run of dots."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
from pdf_reading import squash, tagged_elements

from reportgen.render import get_renderer
from reportgen.render.sample import sample_document


def test_contents_entries_are_read_as_title_and_page_with_the_leader_drawn(tmp_path: Path) -> None:
    doc = sample_document(repeat=2)
    pdf_path = tmp_path / "pack.pdf"
    pdf_path.write_bytes(get_renderer("pdf").to_bytes(doc))
    tags = tagged_elements(pdf_path)
    entries = [t.text for t in tags if t.type == "LI" and t.page == 1]
    titles = [s.title for s in doc.sections]
    assert len(entries) == len(titles)
    for entry, title in zip(entries, titles, strict=True):
        assert re.fullmatch(re.escape(squash(title)) + r"\d+", squash(entry)), entry
    # nowhere in the tagged text is there a run of leader dots
    assert [t.text for t in tags if "..." in t.text] == []
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[0]
        # ...yet the leaders are on the page: a dotted rule drawn under each entry, untagged
        assert "..." not in (page.extract_text() or "")
        drawn = page.lines + page.rects + page.curves
        for word in page.extract_words():
            if word["text"] == titles[1].split()[0]:
                row = [d for d in drawn if d["x0"] >= word["x1"] - 2 and abs(d["bottom"] - word["bottom"]) < 6]
                assert row, "no leader drawn beside the contents entry"
        assert all(c.get("mcid") is None for c in page.chars if c["text"] == "." and c["top"] > 250)
