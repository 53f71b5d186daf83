"""Owner's commentary on an exception: both written forms read into the same four parts, and
every mistake stopped with one line naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import DataError
from reportgen.periods import Period
from reportgen.reports.owner_notes import is_note_file, load_notes

HEADINGS = """# Dog fouling

## Cause
Two wardens' posts were vacant
over the winter.

## Action
Both posts filled on 1 March.

## Recovery date
2005-09

## Decision asked
Agree 40 extra bins.
"""

FRONT = """---
cause: Two wardens' posts were vacant
  over the winter.
action: Both posts filled on 1 March.
recovery: September 2005
decision: none
---
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "commentary" / "2005-03"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(tmp_path: Path) -> dict:
    return load_notes(tmp_path, Period.parse("2005-03"), {"dog_fouling", "yot_custody"})


def test_headings_and_front_matter_give_the_same_parts(tmp_path: Path) -> None:
    _write(tmp_path, "dog-fouling.md", HEADINGS)
    _write(tmp_path, "yot_custody.md", FRONT)
    _write(tmp_path, "introduction.md", "# Introduction\n\nNot an exception's commentary.\n")
    notes = _load(tmp_path)
    assert set(notes) == {"dog_fouling", "yot_custody"}
    dog, yot = notes["dog_fouling"], notes["yot_custody"]
    assert dog.cause == yot.cause == "Two wardens' posts were vacant over the winter."
    assert dog.action == yot.action == "Both posts filled on 1 March."
    assert dog.recovery == yot.recovery == "September 2005"
    assert dog.decision == "Agree 40 extra bins."
    assert yot.decision == ""  # "none": the owner asks for no decision
    assert not is_note_file("introduction", {"dog_fouling"}) and is_note_file("dog-fouling", {"dog_fouling"})


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (HEADINGS.replace("## Action", "## Actions taken"), 7, "heading '## Actions taken' is not one of"),
        (HEADINGS.replace("2005-09", "soon"), 11, "recovery date 'soon' is not a month or a date"),
        (HEADINGS.replace("## Decision asked\nAgree 40 extra bins.\n", ""), 12, "commentary has no Decision asked"),
        (FRONT.replace("action:", "actoin:"), 4, "'actoin: Both posts filled on 1 March.' is not one of"),
        (FRONT.replace("recovery: September 2005", "recovery: 2005-13"), 5, "recovery date '2005-13'"),
        (HEADINGS.replace("Both posts", "See [this](javascript:alert(1)). Both posts"), 8, "link"),
        (HEADINGS.replace("# Dog fouling\n", "Some words first.\n"), 1, "text before the first '## Cause' heading"),
    ],
)
def test_a_mistake_names_the_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = _write(tmp_path, "dog_fouling.md", text)
    with pytest.raises(DataError) as caught:
        _load(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}, row {line}: "), message
    assert words in message, message
    assert "\n" not in message


def test_the_demo_commentary_for_march_2005_is_valid() -> None:
    demo = Path(__file__).resolve().parents[1] / "data_sources"
    notes = load_notes(demo, Period.parse("2005-03"), {"dog_fouling", "yot_secure_remands", "yot_custody"})
    assert set(notes) == {"dog_fouling", "yot_secure_remands", "yot_custody"}
    assert all(n.cause and n.action and n.recovery for n in notes.values())


@pytest.mark.slow
def test_the_board_pack_asks_for_decisions_first_and_shows_missing_commentary(tmp_path: Path) -> None:
    """The demo's March 2005 pack, one owner's file taken away: the summary page opens with the
    decisions asked, and the exception without a file says so in the PDF a board member reads."""
    import shutil

    from demo_reports import DEMO, demo_store, plain
    from pdf_reading import squash, tagged_elements

    from reportgen.pipeline import Session, generate

    config = tmp_path / "config"
    shutil.copytree(DEMO, config)
    (config / "commentary" / "2005-03" / "yot_custody.md").unlink()
    session = Session(config, demo_store(tmp_path))
    try:
        run = generate("board-pack", "2005-03", out_dir=tmp_path / "out", session=session, formats=("pdf",))
    finally:
        session.close()
    (pdf,) = [p for p in run.files if str(p).endswith(".pdf")]
    elements = tagged_elements(pdf)
    headings = [(e.type, plain(e.text)) for e in elements if e.type in ("H2", "H3")]
    summary = headings.index(("H2", "Summary"))
    assert headings[summary + 1] == ("H3", "Decisions for the board")
    page2 = " ".join(plain(e.text) for e in elements if e.page == 2 and e.type == "LBody")
    # the decision the Council asks for (from its file) is on the summary page
    assert squash("Agree that the Partnership funds 40 extra dog bins") in squash(page2)
    text = " ".join(plain(e.text) for e in elements)
    assert squash("No commentary received from YOT") in squash(text)
    assert squash("Support the YOT's bid") not in squash(text)  # its file is gone, so its words are too
    assert ("H3", "Dog fouling complaints (Council)") in headings
