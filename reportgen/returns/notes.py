"""Notes and "not available" marks in a partner's return.

The return workbook has a Notes column beside each Value. A note on a row with a value is
kept with that figure. A row whose Value is blank (or says ``n/a`` / ``not available``) and
whose note says why is a figure the partner could not supply: it is loaded as *not
available* with that reason, never as a guess and never as zero. A marker without a reason
is refused like any other bad cell, and a blank Value with no note is still "blank".

Not-available rows are checked exactly like the others (known indicator the partner owns,
known area, a period this return covers): they are validated with a stand-in value that
passes every value rule, then split off before loading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from reportgen.config.models import Config
from reportgen.returns.safety import printable
from reportgen.sources.base import Problem, ValidationFailed

NOTE = "note"
NOT_AVAILABLE = "not_available"
MARKERS = frozenset({"n/a", "na", "not available", "not-available"})
NOTES_HEADER = "notes"
MAX_NOTE = 500


def _clean(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return printable(str(value)).strip()[:MAX_NOTE]


def with_notes(frame: pd.DataFrame, path: Path, shown: str, sheet: str) -> pd.DataFrame:
    """``frame`` (from ``read_workbook``, rows labelled "row N") with a ``note`` column read
    from the sheet's Notes column; unchanged when the sheet has no Notes column."""
    from reportgen.sources.excel import open_workbook

    with open_workbook(path, shown) as wb:
        ws = wb[sheet]
        column = None
        notes: dict[int, str] = {}
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if column is None:
                heads = [str(c).strip().lower() if c is not None else "" for c in row]
                if NOTES_HEADER in heads and "value" in heads:
                    column = heads.index(NOTES_HEADER)
                elif number > 20:
                    break
                continue
            if column < len(row) and _clean(row[column]):
                notes[number] = _clean(row[column])
    if column is None:
        return frame
    out = frame.copy()
    numbers = out["row"].str.removeprefix("row ").astype(int)
    out[NOTE] = numbers.map(lambda n: notes.get(n, ""))
    return out


def mark_not_available(frame: pd.DataFrame, config: Config, where: str) -> pd.DataFrame:
    """Flag the rows the partner marked not available (``not_available``) and give their
    value a stand-in that passes the value checks. A marker without a reason is a problem."""
    out = frame.copy()
    if NOTE not in out.columns:
        out[NOT_AVAILABLE] = False
        return out
    value = out["value"].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip())
    marked = value.str.lower().isin(MARKERS)
    noted = out[NOTE].astype(str).str.len() > 0
    problems = [
        Problem(str(out.at[i, "cell_value"]) if "cell_value" in out.columns else str(out.at[i, "row"]), "value",
                out.at[i, "value"], "marks the figure not available: say why in the Notes column", int(i))
        for i in out.index[marked & ~noted]
    ]  # fmt: skip
    if problems:
        raise ValidationFailed(where, problems, hint="a figure that is not available needs a reason in Notes")
    flag = (marked | (value == "")) & noted
    out[NOT_AVAILABLE] = flag
    if flag.any():
        ranges = {i: getattr(d, "plausible_range", None) for i, d in config.indicators.items()}
        stand_in = out["indicator"].map(lambda i: max(0.0, float((ranges.get(str(i)) or (0, 0))[0])))
        out["value"] = out["value"].astype(object).where(~flag, stand_in)
    return out


def split(clean: pd.DataFrame, marked: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The validated frame's figures to load (not-available rows removed) and its notes
    (indicator, area, period, note, not_available), or None when the file has no Notes column."""
    if NOTE not in marked.columns:
        return clean, None
    by_row = marked.set_index("row")
    flag = clean["row"].map(by_row[NOT_AVAILABLE]).fillna(False).astype(bool)
    note = clean["row"].map(by_row[NOTE]).fillna("").astype(str)
    notes = clean.loc[flag | (note != ""), ["indicator", "area", "period"]].copy()
    notes[NOTE] = note[notes.index]
    notes[NOT_AVAILABLE] = flag[notes.index]
    return clean.loc[~flag].reset_index(drop=True), notes.reset_index(drop=True)
