"""An exception's owner's commentary: cause, action, recovery date and the decision asked.

Partners write one Markdown file per exception measure beside the month's data:
``<config>/commentary/<yyyy-mm>/<indicator>.md`` (``dog_fouling.md`` or ``dog-fouling.md``),
in either of two forms, whichever is easier for the writer:

Four headings (an optional ``# title`` first)::

    ## Cause
    Fewer wardens on patrol since January.
    ## Action
    Two wardens return from 1 April; evening patrols in Hindley.
    ## Recovery date
    September 2005
    ## Decision asked
    Agree to fund a third warden until March 2006 (cost 24,000 pounds).

or front matter (each value on one line, or continued on indented lines)::

    ---
    cause: Fewer wardens on patrol since January.
    action: Two wardens return from 1 April.
    recovery: 2005-09
    decision: Agree to fund a third warden until March 2006.
    ---

All four parts are required; a recovery date is a month (``2005-09``, ``September 2005``) or
a day (``2005-09-30``); "none" for the decision says the owner asks for nothing. Anything else
stops the run with one line naming the file and line. Text goes through the narrative parser
(commentary.parse), so its link checks apply. Files named after no measure of the strategy are
left to commentary.py as narrative sections of the pack, as before.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import DataError
from reportgen.periods import Period
from reportgen.reports import commentary

PARTS = {
    "cause": "Cause",
    "action": "Action",
    "recovery": "Recovery date",
    "decision": "Decision asked",
}
# heading words a writer may use for each part (lower case)
_HEADING_WORDS = {
    "cause": "cause",
    "why": "cause",
    "action": "action",
    "actions": "action",
    "what we are doing": "action",
    "recovery": "recovery",
    "recovery date": "recovery",
    "back on track by": "recovery",
    "decision": "decision",
    "decision asked": "decision",
    "decision asked of the board": "decision",
}
_KEY = re.compile(r"^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$")
_H2 = re.compile(r"^##\s+(.*?)\s*#*\s*$")
_H1 = re.compile(r"^#\s+")
_MONTHS = {name.lower(): i for i, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)}  # fmt: skip


@dataclass(frozen=True)
class OwnerNote:
    """One exception's commentary, each part as plain text (Markdown bold kept)."""

    measure: str
    cause: str
    action: str
    recovery: str  # "September 2005" / "30 September 2005"
    decision: str  # "" when the owner asks for no decision
    path: Path


def _slug(stem: str) -> str:
    return stem.strip().lower().replace("-", "_")


def recovery_words(text: str, *, path: Path, line: int) -> str:
    """'2005-09' / 'September 2005' / '2005-09-30' -> 'September 2005' / '30 September 2005'."""
    value = text.strip().rstrip(".")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = dt.date.fromisoformat(value)
            return f"{day.day} {day:%B %Y}"
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return Period.parse(value).label
        words = value.split()
        if len(words) == 2 and words[0].lower() in _MONTHS and words[1].isdigit():
            return f"{words[0].capitalize()} {words[1]}"
    except (ValueError, Exception):  # noqa: BLE001 - any failure to read it is the same message
        pass
    raise DataError(
        f"recovery date {text.strip()!r} is not a month or a date",
        file=str(path),
        row=line,
        hint="Write a month such as 2005-09 or 'September 2005', or a day such as 2005-09-30.",
    )


def _parts_from_front_matter(lines: list[str], path: Path) -> tuple[dict[str, tuple[str, int]], int]:
    parts: dict[str, tuple[str, int]] = {}
    key = None
    for number, raw in enumerate(lines[1:], start=2):
        if raw.strip() == "---":
            return parts, number
        if key and raw.startswith((" ", "\t")) and raw.strip():
            text, line = parts[key]
            parts[key] = (f"{text} {raw.strip()}", line)
            continue
        if not raw.strip():
            continue
        match = _KEY.match(raw)
        name = match.group(1).strip().lower() if match else ""
        if not match or _HEADING_WORDS.get(name) is None:
            raise DataError(
                f"{raw.strip()!r} is not one of cause:, action:, recovery:, decision:",
                file=str(path),
                row=number,
                hint="Front matter holds four lines: cause, action, recovery (e.g. 2005-09) and decision.",
            )
        key = _HEADING_WORDS[name]
        if key in parts:
            raise DataError(f"{key!r} is given twice", file=str(path), row=number)
        parts[key] = (match.group(2).strip(), number)
    raise DataError(
        "front matter opened with '---' is never closed",
        file=str(path),
        row=1,
        hint="End the front matter with a line holding only '---'.",
    )


def _parts_from_headings(lines: list[str], path: Path) -> dict[str, tuple[str, int]]:
    parts: dict[str, tuple[str, int]] = {}
    key = None
    for number, raw in enumerate(lines, start=1):
        heading = _H2.match(raw)
        if heading:
            name = heading.group(1).strip().rstrip(":").lower()
            key = _HEADING_WORDS.get(name)
            if key is None:
                raise DataError(
                    f"heading {raw.strip()!r} is not one of: " + ", ".join(f"'## {v}'" for v in PARTS.values()),
                    file=str(path),
                    row=number,
                    hint="An exception's commentary has four parts: Cause, Action, Recovery date, Decision asked.",
                )
            if key in parts:
                raise DataError(f"heading {raw.strip()!r} is given twice", file=str(path), row=number)
            parts[key] = ("", number)
        elif _H1.match(raw) and key is None:
            continue
        elif raw.strip():
            if key is None:
                raise DataError(
                    "text before the first '## Cause' heading",
                    file=str(path),
                    row=number,
                    hint="Start with '## Cause' (an optional '# title' line may come first).",
                )
            text, line = parts[key]
            # errors in a part point at its first line of text, not its heading
            parts[key] = (f"{text} {raw.strip()}".strip(), line if text else number)
    return parts


def parse_note(measure: str, text: str, path: Path) -> OwnerNote:
    """One file's text -> its four parts, or a DataError naming the file and line."""
    commentary.parse(text, path=path)  # its link and heading checks, with their line numbers
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].strip() == "---":
        parts, _end = _parts_from_front_matter(lines[first:], path)
        # line numbers from the front matter's own first line
        parts = {k: (v, n + first) for k, (v, n) in parts.items()}
    else:
        parts = _parts_from_headings(lines, path)
    missing = [PARTS[k] for k in PARTS if k not in parts]
    if missing:
        raise DataError(
            f"commentary has no {', '.join(missing)}",
            file=str(path),
            row=len(lines) or 1,
            hint="Each exception's commentary gives Cause, Action, Recovery date and Decision asked.",
        )
    empty = [(PARTS[k], n) for k, (v, n) in parts.items() if not v.strip()]
    if empty:
        name, line = empty[0]
        raise DataError(f"{name} is empty", file=str(path), row=line)
    recovery_text, recovery_line = parts["recovery"]
    decision = parts["decision"][0].strip()
    return OwnerNote(
        measure=measure,
        cause=parts["cause"][0].strip(),
        action=parts["action"][0].strip(),
        recovery=recovery_words(recovery_text, path=path, line=recovery_line),
        decision="" if decision.lower().rstrip(".") in ("none", "no decision", "no decision asked") else decision,
        path=path,
    )


def load_notes(config_root: str | Path, period: Period, measures: set[str]) -> dict[str, OwnerNote]:
    """The owner's commentary for each measure (indicator id) that has a file for ``period``."""
    folder = commentary.commentary_dir(config_root, period)
    if folder is None:
        return {}
    wanted = {_slug(m): m for m in measures}
    notes = {}
    for path in sorted(folder.glob("*.md")):
        measure = wanted.get(_slug(path.stem))
        if measure is None:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"cannot read commentary ({exc})", file=str(path)) from None
        notes[measure] = parse_note(measure, text, path)
    return notes


def is_note_file(stem: str, measures: set[str]) -> bool:
    """Whether a commentary file is an exception's commentary (not a narrative section)."""
    return _slug(stem) in {_slug(m) for m in measures}
