"""What every report builder gets (``ReportContext``) and the wording they share.

Builders turn an :class:`~reportgen.evaluate.engine.Evaluation` into documents. The words
for statuses, directions and SPC signals live here so the board pack, the leaflet, the
annual review and the web page describe the same result the same way, and RAG is always a
word plus a glyph, never a colour alone.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from reportgen.config.models import Config, Unit
from reportgen.document import Cell, Status
from reportgen.evaluate.engine import STATUS_WORDS  # the words a reader sees for each engine code
from reportgen.evaluate.labels import DIRECTION_WORDS as _EVAL_DIRECTION_WORDS
from reportgen.numfmt import as_float, fmt_number, is_missing, round_half_up
from reportgen.periods import Kind, Period

if TYPE_CHECKING:
    from reportgen.charts import ChartBook
    from reportgen.evaluate.engine import Evaluation
    from reportgen.reports.statements import StatementBook


@dataclass
class ReportContext:
    """Everything a builder needs; built once per run by :mod:`reportgen.pipeline`."""

    config: Config
    evaluation: Evaluation  # evaluated at the report's period
    period: Period
    charts: ChartBook  # draws each chart once per run, memoised by key
    options: dict[str, Any] = field(default_factory=dict)  # variant: large_print, area, poster, lang...
    returns_status: pd.DataFrame | None = None  # returns owed (reportgen.returns.status), if installed
    data_as_at: dt.datetime | None = None  # when the newest data used was received

    @cached_property
    def statements(self) -> StatementBook:
        """Every figure's statement, worded once for this run's evaluation."""
        from reportgen.reports.statements import StatementBook

        return StatementBook(self.evaluation)

    @property
    def borough(self) -> str:
        return self.config.partnership.borough.id

    @property
    def partnership_name(self) -> str:
        return self.config.partnership.name

    @property
    def notice(self) -> str | None:
        return self.config.partnership.notice or None

    @property
    def document_date(self) -> dt.date:
        """The date printed on (and stamped into) the documents: taken from the data, not the
        clock, so the same data and period always give the same files."""
        if self.data_as_at is not None:
            return self.data_as_at.date()
        return self.period.last_day

    def indicator_rows(self, *, area: str | None = None, strategy: str | None = None) -> pd.DataFrame:
        """Rows of ``evaluation.indicators`` for one area (default: the borough)."""
        rows = self.evaluation.indicators
        rows = rows[rows["area"] == (area or self.borough)]
        if strategy is not None:
            rows = rows[rows["strategy"] == strategy]
        return rows


# --- words -------------------------------------------------------------------------------------

# The direction words are the evaluation's (one place: reportgen.evaluate.labels), including
# "similar" for a change not beyond chance, which is neutral: never red, never "worse".
DIRECTION_WORDS: dict[str, str] = _EVAL_DIRECTION_WORDS

SPC_WORDS: dict[str, str] = {
    "improvement": "Special cause: improving",
    "concern": "Special cause: concern",
    "neutral": "Special cause",
    "common_cause": "Common cause",
    "insufficient_data": "Too little data",
}


def _code(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no_data"
    return str(value).strip().lower().replace(" ", "_").replace("-", "_")


def status_word(value: object) -> str:
    return STATUS_WORDS.get(_code(value), str(value))


# In table cells the amber word is kept short so the status never forces a table wider than
# the page; the definitions explain "At risk" as "close to the trajectory".
_CELL_WORDS = {**STATUS_WORDS, "amber": "At risk"}


def status_cell(value: object, text: str | None = None) -> Cell:
    """A table cell with the status glyph and word ('■ Off track', '▲ At risk')."""
    code = _code(value)
    return Cell(text if text is not None else _CELL_WORDS.get(code, str(value)), Status.from_value(code))


def direction_word(value: object, text: object = None) -> str:
    """The direction in words: the evaluation's ``direction_text`` when given (it says which
    test found a change "similar": "No significant change" for a survey), else the code's word."""
    if isinstance(text, str) and text:
        return text
    return DIRECTION_WORDS.get(_code(value), str(value))


def spc_word(value: object) -> str:
    return SPC_WORDS.get(_code(value), str(value))


# --- numbers -------------------------------------------------------------------------------------
def fmt_value(value: object, unit: Unit | str, decimals: int = 0, *, missing: str = "No data") -> str:
    """A value with its unit as a reader expects: '2,916', '28%', '12.3 per 1,000', '41 days'."""
    if is_missing(value):
        return missing
    unit = Unit(unit)
    text = fmt_number(value, decimals)
    if unit is Unit.PERCENTAGE:
        return f"{text}%"
    if unit is Unit.RATE_PER_1000:
        return f"{text} per 1,000"
    if unit is Unit.DAYS:
        return f"{text} days"
    return text


def fmt_pct_change(change_pct: object) -> str:
    """-25.4 -> 'Down 25%', 169.0 -> 'Up 169%', 0.2 -> 'No change' (rounded half up)."""
    if is_missing(change_pct):
        return "No data"
    rounded = round_half_up(as_float(change_pct))
    if rounded == 0:
        return "No change"
    return f"{'Up' if rounded > 0 else 'Down'} {abs(rounded):,.0f}%"


def fmt_share(numerator: object, denominator: object, decimals: int = 0) -> str:
    """'28% (150 of 536)': every percentage with its denominator."""
    if is_missing(numerator) or is_missing(denominator) or not as_float(denominator):
        return "No data"
    share = 100.0 * as_float(numerator) / as_float(denominator)
    return f"{fmt_number(share, decimals)}% ({fmt_number(numerator)} of {fmt_number(denominator)})"


def basis_label(row: pd.Series | dict[str, Any]) -> str:
    """What a figure covers, in words: 'rolling 12 months to March 2005' or 'March 2005'."""
    period_key = row.get("period")
    if not period_key or is_missing(period_key):
        return ""
    period = Period.parse(str(period_key))
    if row.get("compare_basis") == "rolling_12":
        return f"rolling 12 months to {Period(period.end, period.end, Kind.MONTH).label}"
    label = row.get("period_label")
    return str(label) if label and not is_missing(label) else period.label


def running_title(title: str) -> str:
    """A title as running text prints it, without shouting: 'RECORDED CRIME - Reduce by 22%' ->
    'Recorded crime: reduce by 22%'; titles not in capitals are unchanged."""
    head, sep, rest = title.partition(" - ")
    if not head.isupper():
        return title
    head = head.capitalize()
    if not sep:
        return head
    rest = rest.strip()
    if rest[:1].isupper() and rest[1:2].islower():
        rest = rest[:1].lower() + rest[1:]
    return f"{head}: {rest}"


def slug(text: str) -> str:
    """A chart or anchor id from free text: letters, digits and hyphens, starting with a letter."""
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    out = "-".join(part for part in out.split("-") if part)
    return out if out[:1].isalpha() else f"x-{out}"


# --- run summary ---------------------------------------------------------------------------------
def missing_words(row: pd.Series, period_label: str) -> str:
    """Why a row has no figure: the engine's reason ("not enough months yet (10 of 12)"), or
    "no data for <period>" when it gave none."""
    reason = row.get("missing_reason")
    if isinstance(reason, str) and reason:
        return reason
    return f"no data for {row.get('period_label') or period_label}"


def exception_lines(ctx: ReportContext) -> list[str]:
    """One plain line per targeted borough indicator that is off track, shows a special-cause
    concern, or has no data for the period (each indicator once, in scorecard order)."""
    rows = ctx.indicator_rows()
    rows = rows[rows["strategy"].astype(str) != ""]
    lines: list[str] = []
    seen: set[str] = set()
    for _, row in rows.iterrows():
        if row["id"] in seen:
            continue
        title = str(row["title"])
        reasons = []
        if bool(row.get("missing")) or _code(row.get("status")) == "no_data":
            reasons.append(missing_words(row, ctx.period.label))
        else:
            if _code(row.get("status")) == "red":
                reasons.append("off track against its trajectory")
            if _code(row.get("spc_variation")) == "concern":
                reasons.append("a special-cause concern on the SPC chart")
        if reasons:
            seen.add(str(row["id"]))
            if reasons[0].startswith("no data"):
                lines.append(f"{title}: {' and '.join(reasons)}.")
                continue
            # The figure as every document words it, then why it is an exception.
            from reportgen.reports.statements import Comparison

            said = ctx.statements.say(ctx.statements.about(row, Comparison.BASELINE))
            lines.append(f"{said}; {' and '.join(reasons)}.")
    return lines


def headline_lines(ctx: ReportContext) -> list[str]:
    """'Target 1, Reduce recorded crime: On track' for every big target."""
    targets = ctx.evaluation.targets.sort_values(["strategy", "number"])
    return [
        f"Target {int(row['number'])}, {running_title(str(row['title']))}: {status_word(row['status'])}"
        for _, row in targets.iterrows()
    ]


def default_summary(ctx: ReportContext) -> tuple[list[str], list[str]]:
    """The run summary (for logs and the delivery email) when a builder has no ``summarise``."""
    return headline_lines(ctx), exception_lines(ctx)


__all__ = [
    "DIRECTION_WORDS",
    "SPC_WORDS",
    "STATUS_WORDS",
    "ReportContext",
    "basis_label",
    "default_summary",
    "exception_lines",
    "headline_lines",
    "direction_word",
    "fmt_number",
    "fmt_pct_change",
    "fmt_share",
    "fmt_value",
    "is_missing",
    "round_half_up",
    "running_title",
    "slug",
    "spc_word",
    "status_cell",
    "status_word",
]
