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
