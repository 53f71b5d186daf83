"""The evaluation as rich tables for the terminal: one per strategy, big targets with their
measures beneath, then the indicators no strategy targets. Status is always a word, never
colour alone."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.table import Table

from reportgen.evaluate.engine import STATUS_WORDS

if TYPE_CHECKING:
    from reportgen.evaluate.engine import Evaluation

STYLE = {
    "green": "green",
    "met": "green",
    "on_track": "green",
    "amber": "yellow",
    "at_risk": "yellow",
    "red": "red",
    "not_met": "red",
    "grey": "dim",
    "no_data": "dim",
}


def _num(value: Any, decimals: Any = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{float(value):,.{int(decimals)}f}"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return "-"
    return str(value).replace("_", " ")


def _status(code: str) -> str:
    word = STATUS_WORDS.get(code, code)
    return f"[{STYLE.get(code, '')}]{word}[/]" if STYLE.get(code) else word


def evaluation_tables(result: Evaluation, indicators: pd.DataFrame, targets: pd.DataFrame) -> list[Table]:
    """Tables for the rows given (already filtered by strategy or area)."""
    tables = []
    strategies = {s.id: s for s in result.config.strategies}
    for strategy_id, group in targets.groupby("strategy", sort=False):
        s = strategies[str(strategy_id)]
        table = Table(
            title=f"{s.title}: {result.period.label} "
            f"(baseline {s.baseline_period}, target {s.target_period})",
            title_justify="left",
        )
        for col in ("#", "target / measure", "area", "period", "value", "baseline", "change",
                    "trajectory", "status", "direction", "SPC"):  # fmt: skip
            table.add_column(col, justify="right" if col in ("value", "baseline", "trajectory") else "left")
        rows = indicators[indicators["strategy"] == strategy_id]
        for _, t in group.iterrows():
            cells = [str(t["number"]), f"[bold]{t['title']}[/]", *[""] * 6, _status(t["status"]), "", ""]
            table.add_row(*cells)
            for _, m in rows[rows["target"] == t["id"]].iterrows():
                dec = m["decimals"]
                table.add_row(
                    "",
                    f"  {m['title']}",
                    m["area_name"],
                    m["period"] + (" (12 mo)" if m["compare_basis"] == "rolling_12" else ""),
                    _num(m["compare_value"], dec),
                    _num(m["baseline_value"], dec),
                    _text(m["change_label"]),
                    _num(m["trajectory_value"], dec),
                    _status(m["status"]),
                    _text(m["direction_text"] or m["direction"]),
                    _text(m["spc_variation"]),
                )
        tables.append(table)
    monitored = indicators[indicators["strategy"] == ""]
    if len(monitored):
        table = Table(title=f"Monitored indicators: {result.period.label}", title_justify="left")
        for col in ("indicator", "area", "period", "value", "last year", "change", "direction", "SPC"):
            table.add_column(col, justify="right" if col in ("value", "last year") else "left")
        for _, m in monitored.iterrows():
            dec = m["decimals"]
            table.add_row(
                m["title"],
                m["area_name"],
                m["period"] + (" (12 mo)" if m["compare_basis"] == "rolling_12" else ""),
                _num(m["compare_value"], dec),
                _num(m["previous_value"], dec),
                _text(m["yoy_change_label"]),
                _text(m["direction_text"] or m["direction"]),
                _text(m["spc_variation"]),
            )
        tables.append(table)
    return tables
