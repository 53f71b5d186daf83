"""SPC for staff documents: Making Data Count icons for the scorecard and the sentence that
says a chart's limits need rebasing. Public documents never use these (no SPC wording there)."""

from __future__ import annotations

import pandas as pd

from reportgen.charts.mdc_icons import ASSURANCE_ICONS, VARIATION_ICONS, icon_chart, variation_icon_key
from reportgen.charts.spc_chart import REBASE_SENTENCE
from reportgen.document import Cell, Chart, Paragraph
from reportgen.reports.base import ReportContext, is_missing

COLUMN = "Variation; assurance"
NOTE = (
    "Variation; assurance (Making Data Count): the lead measure's latest month against its SPC limits "
    "(common cause is normal variation; special cause, improving or concern, with H or L for high or "
    "low), then whether those limits lie wholly on the passing side of where the trajectory says we "
    "should be (passing: consistently passing the target), wholly on the failing side (failing: "
    "consistently failing it) or either side of it (hit and miss)."
)


def needs_rebase(row: pd.Series) -> bool:
    value = row.get("spc_needs_rebase")
    return not is_missing(value) and bool(value)


def spc_cell(ctx: ReportContext, row: pd.Series) -> Cell:
    """The measure's variation and assurance as icons and words ('Common cause; hit and miss')."""
    words: list[str] = []
    icons: list[Chart] = []
    key = variation_icon_key(str(row.get("spc_variation")), str(row.get("spc_direction", "")), needs_rebase(row))
    if key is None:
        words.append("too few points" if str(row.get("spc_variation")) == "insufficient_data" else "no SPC")
    else:
        icons.append(icon_chart(ctx.charts, VARIATION_ICONS[key], "variation"))
        words.append(VARIATION_ICONS[key].words)
    assurance = None if needs_rebase(row) else ASSURANCE_ICONS.get(str(row.get("spc_assurance")))
    if assurance is not None:  # limits that describe no process cannot give assurance
        icons.append(icon_chart(ctx.charts, assurance, "assurance"))
        words.append(assurance.words.lower())
    elif key is not None:
        words.append("no assurance" if needs_rebase(row) else "no target to assure")
    text = "; ".join(words)
    return Cell(text[0].upper() + text[1:], icons=tuple(icons))


def rebase_note(row: pd.Series) -> Paragraph | None:
    """The sentence beside a measure's SPC chart when its limits need rebasing."""
    if not needs_rebase(row):
        return None
    return Paragraph(f"**Limits need rebasing.** For {row['title']}, {REBASE_SENTENCE}")
