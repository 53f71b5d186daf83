"""The data return workbook a partner fills in.

Sheets: "Instructions" (what to do, by when), "Return" (one row per indicator, area and
period owed; only the Value and Notes cells are unlocked, and the Value cells carry data
validation by unit), and a hidden "About" sheet that tells ``returns ingest`` which
partner and periods the file is for.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from reportgen.config.models import Config, Unit
from reportgen.errors import DataError
from reportgen.periods import Period
from reportgen.returns.owed import Owed, owed
from reportgen.returns.paths import default_data_dir
from reportgen.returns.safety import escape_formula
from reportgen.returns.signing import SIGNATURE_FIELD, signature, signing_key

if TYPE_CHECKING:  # openpyxl is imported when a template is written, not when this module is
    from openpyxl.styles import Font as FontStyle
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

RETURN_SHEET = "Return"
ABOUT_SHEET = "About"
INSTRUCTIONS_SHEET = "Instructions"
HEADER = ["Indicator", "Area", "Period", "Value", "Indicator name", "Area name", "Unit", "Due by", "Notes"]
VALUE_COLUMN = "D"
NOTES_COLUMN = "I"
TEMPLATE_VERSION = "1"

# openpyxl's validation type and operator, the two formulas, and the rule in words
_Rule = tuple[Literal["whole", "decimal"], Literal["greaterThanOrEqual", "between"] | None, str | None, str | None, str]
UNIT_RULES: dict[Unit, _Rule] = {
    Unit.COUNT: ("whole", "greaterThanOrEqual", "0", None, "a whole number, 0 or more"),
    Unit.RATE_PER_1000: ("decimal", "greaterThanOrEqual", "0", None, "a number, 0 or more"),
    Unit.DAYS: ("decimal", "greaterThanOrEqual", "0", None, "a number of days, 0 or more"),
    Unit.PERCENTAGE: ("decimal", "between", "0", "100", "a percentage from 0 to 100"),
    Unit.SCORE: ("decimal", None, None, None, "a number"),
}


@dataclass(frozen=True)
class TemplateSummary:
    path: Path
    partner: str
    periods: list[str]
    rows: int
    deadline: dt.date | None


def write_template(
    config: Config,
    partner_id: str,
    periods: list[Period],
    path: Path,
    *,
    now: dt.datetime | None = None,
    data_dir: Path | None = None,
) -> TemplateSummary:
    """Write the return workbook for a partner and period(s) to ``path`` (atomically)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    partner = config.partner(partner_id)
    rows = owed(config, partner, periods)
    if not rows:
        raise DataError(
            f"{partner.name} owes no data return for {', '.join(p.key for p in periods)}",
            hint="only indicators with an Excel/CSV source, or no source, are returned by hand",
        )
    now = now or dt.datetime.now(dt.UTC)
    last_deadline = max(r.deadline for r in rows)

    wb = Workbook()
    guide = cast("Worksheet", wb.active)  # a new workbook's one sheet
    guide.title = INSTRUCTIONS_SHEET
    _instructions(guide, config, partner.name, periods, rows, last_deadline, Font)
    _fill_return_sheet(wb.create_sheet(RETURN_SHEET), config, rows)

    about = wb.create_sheet(ABOUT_SHEET)
    meta = {
        "reportgen return": TEMPLATE_VERSION,
        "partner": partner.id,
        "periods": ",".join(p.key for p in periods),
        "generated": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "config": config.checksum[:16],
    }
    # signed so that ingest can tell an edited About sheet (widened periods) from ours
    meta[SIGNATURE_FIELD] = signature(meta, signing_key(data_dir or default_data_dir()))
    for n, (key, value) in enumerate(meta.items(), start=1):
        about.cell(n, 1, key)
        about.cell(n, 2, value).data_type = "s"
    about.sheet_state = "hidden"
    about.protection.sheet = True
    guide.protection.sheet = True
    for r in guide.iter_rows():
        for c in r:
            c.alignment = Alignment(wrap_text=True, vertical="top")

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".xlsx")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return TemplateSummary(path, partner.id, [p.key for p in periods], len(rows), last_deadline)


def _fill_return_sheet(ws: Worksheet, config: Config, rows: list[Owed]) -> None:
    """One row per value owed: labels locked, the Value and Notes cells unlocked and shaded,
    each Value cell checked by Excel against its unit."""
    from openpyxl.styles import Font, PatternFill, Protection

    indicators = config.indicators
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: the cells to fill in
    for col, name in enumerate(HEADER, start=1):
        ws.cell(1, col, name).font = bold
    validations: dict[Unit, DataValidation] = {}
    for n, row in enumerate(rows, start=2):
        ind = indicators[row.indicator]
        cells = [row.indicator, row.area, row.period, None, ind.title,
                 config.partnership.area_name(row.area), ind.unit.value, row.deadline, None]  # fmt: skip
        for col, value in enumerate(cells, start=1):
            cell = ws.cell(n, col, escape_formula(value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even if it looks like a number or a date
        ws.cell(n, 8).number_format = "dd mmm yyyy"
        for letter in (VALUE_COLUMN, NOTES_COLUMN):
            ws[f"{letter}{n}"].protection = Protection(locked=False)
            ws[f"{letter}{n}"].fill = fill
        if ind.unit not in validations:
            validations[ind.unit] = _unit_validation(ind.unit)
            ws.add_data_validation(validations[ind.unit])
        validations[ind.unit].add(f"{VALUE_COLUMN}{n}")
    for letter, width in zip("ABCDEFGHI", (18, 14, 10, 12, 44, 24, 14, 13, 40), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.protection.sheet = True  # labels locked; Value and Notes cells are unlocked
    ws.protection.formatColumns = False  # people may widen columns


def _unit_validation(unit: Unit) -> DataValidation:
    """Excel's own check of a Value cell for ``unit`` (a whole number for a count...), with a prompt."""
    from openpyxl.worksheet.datavalidation import DataValidation

    kind, op, low, high, what = UNIT_RULES[unit]
    dv = DataValidation(type=kind, operator=op, formula1=low, formula2=high, allow_blank=True)
    dv.error = f"Enter {what}."
    dv.errorTitle = "Not a valid value"
    dv.prompt = f"{unit.value}: {what}"
    dv.showErrorMessage = dv.showInputMessage = True
    return dv


def _instructions(
    ws: Worksheet, config: Config, partner_name: str, periods: list[Period], rows: list[Owed], last_deadline: dt.date,
    Font: type[FontStyle],  # openpyxl's class, imported late by the caller
) -> None:
    labels = ", ".join(p.label for p in periods)
    lines = [
        (f"{config.partnership.name}: data return", True),
        (f"From: {partner_name}", False),
        (f"For: {labels}", False),
        (f"Please return by: {last_deadline:%A %d %B %Y}", True),
        ("", False),
        ("How to fill in this return", True),
        (f"1. Go to the '{RETURN_SHEET}' sheet. There is one row for each indicator, area and period "
         "we need from you.", False),
        ("2. Type the figure in the yellow Value cell of every row. Use numbers only: no words, no "
         "units, no blanks.", False),
        ("3. Counts are whole numbers, 0 or more. Percentages are from 0 to 100. If a figure is "
         "nil, enter 0.", False),
        ("4. If a figure is not available, do not guess: leave its Value cell blank (or type n/a) and "
         "say why in the Notes column. Any other note is kept with its figure; start it with "
         "'For the board:' to have it printed in the board pack.", False),
        ("5. Do not add, delete, move or rename rows, columns or sheets: the labels are locked.", False),
        ("6. Save as an Excel Workbook (.xlsx) and send it back. A corrected file can be sent again "
         "later; it replaces the figures it changes.", False),
        ("", False),
        (f"Rows to complete: {len(rows)}", False),
    ]  # fmt: skip
    ws.column_dimensions["A"].width = 100
    for n, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(n, 1, escape_formula(text))
        cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)
