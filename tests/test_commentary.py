"""Staff narrative in Markdown becomes document blocks, merged in its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.document import BulletList, Paragraph, Section
from reportgen.errors import DataError
from reportgen.periods import Period
from reportgen.reports import commentary

TEXT = """# A year of progress

Crime fell again this year,
the fourth year running.

- Burglary down by a quarter
- Vehicle crime down by a third,
  the best in Greater Manchester

## What next

We will focus on **anti-social behaviour**.
"""


def test_parse_paragraphs_bullets_and_subheadings() -> None:
    title, blocks = commentary.parse(TEXT, level=1)
    assert title == "A year of progress"
    assert blocks[0] == Paragraph("Crime fell again this year, the fourth year running.")
    assert blocks[1] == BulletList(
        ("Burglary down by a quarter", "Vehicle crime down by a third, the best in Greater Manchester")
    )
    sub = blocks[2]
    assert isinstance(sub, Section) and sub.title == "What next" and sub.level == 2
    assert sub.blocks == (Paragraph("We will focus on **anti-social behaviour**."),)


def test_deeper_headings_are_refused_with_file_and_line() -> None:
    with pytest.raises(DataError, match=r"notes\.md, row 3.*heading"):
        commentary.parse("Text\n\n### Too deep\n", path=Path("notes.md"))


def _write(root: Path, folder: str, name: str, text: str) -> None:
    (root / "commentary" / folder).mkdir(parents=True, exist_ok=True)
    (root / "commentary" / folder / name).write_text(text, encoding="utf-8")


def test_load_finds_the_financial_year_folder_and_orders_by_name(tmp_path: Path) -> None:
    _write(tmp_path, "2004_05", "20-looking-ahead.md", "# Looking ahead\n\nMore to do.\n")
    _write(tmp_path, "2004_05", "10-drugs.md", "Treatment numbers nearly trebled.\n")
    narratives = commentary.load(tmp_path, Period.parse("2004/05"))
    assert [n.slot for n in narratives] == ["drugs", "looking-ahead"]
    assert narratives[0].title == "Drugs" and narratives[1].title == "Looking ahead"


def test_missing_folder_means_no_narrative(tmp_path: Path) -> None:
    assert commentary.load(tmp_path, Period.parse("2004/05")) == []


def test_merge_opens_the_matching_section_and_adds_the_rest(tmp_path: Path) -> None:
    _write(tmp_path, "2004_05", "drugs.md", "Treatment numbers nearly trebled.\n")
    _write(tmp_path, "2004_05", "thanks.md", "# Thank you\n\nTo every partner.\n")
    sections = [
        Section("Drugs performance", (Paragraph("Chart here"),), id="drugs"),
        Section("Definitions", (), id="definitions"),
    ]
    merged = commentary.merge(
        sections, commentary.load(tmp_path, Period.parse("2004/05")), before="definitions"
    )
    assert [s.title for s in merged] == ["Drugs performance", "Thank you", "Definitions"]
    assert merged[0].blocks == (Paragraph("Treatment numbers nearly trebled."), Paragraph("Chart here"))
    assert merged[1].blocks == (Paragraph("To every partner."),)
