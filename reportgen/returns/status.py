"""Who has sent what: per partner and indicator, received / late / partial / missing, and
whether figures were revised since the last report. Feeds the data quality annex."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import text

from reportgen.config.models import Config
from reportgen.periods import Period
from reportgen.returns.owed import Owed, owed
from reportgen.store import Store

STATUSES = ("received", "late", "partial", "missing")
COLUMNS = [
    "partner", "indicator", "title", "period", "deadline", "status", "overdue", "areas_expected",
    "areas_received", "first_received", "last_received", "revised",
]  # fmt: skip


def return_status(
    config: Config,
    store: Store,
    period: Period,
    *,
    since: dt.datetime | None = None,
    today: dt.date | None = None,
    feeds: bool = True,
) -> pd.DataFrame:
    """One row per partner, indicator and period owed for ``period``.

    ``status``: "received" (every area, on time), "late" (every area, some after the
    deadline), "partial" (some areas), "missing" (none; ``overdue`` once past the
    deadline). ``revised``: a value was replaced by a new one after ``since`` (the last
    report; without it, at any time).
    """
    today = today or dt.datetime.now(dt.UTC).date()
    due: list[Owed] = []
    for partner in config.partners:
        due += owed(config, partner, [period], feeds=feeds)
    if not due:
        return pd.DataFrame(columns=COLUMNS)
    receipts = _receipts(store, sorted({d.indicator for d in due}), sorted({d.period for d in due}))
    indicators = config.indicators
    groups: dict[tuple[str, str, str], list[Owed]] = {}
    for d in due:
        groups.setdefault((d.partner, d.indicator, d.period), []).append(d)
    since_text = since.astimezone(dt.UTC).isoformat() if since else ""
    rows: list[dict[str, Any]] = []
    for (partner, indicator, key), items in groups.items():
        deadline = items[0].deadline
        got = [receipts[(indicator, d.area, key)] for d in items if (indicator, d.area, key) in receipts]
        first = min((g["first"] for g in got), default=None)
        last = max((g["last"] for g in got), default=None)
        late = any(g["first"][:10] > deadline.isoformat() for g in got)
        if not got:
            status = "missing"
        elif len(got) < len(items):
            status = "partial"
        else:
            status = "late" if late else "received"
        revised = any(g["versions"] > 1 and g["last"] > since_text for g in got)
        rows.append(
            {
                "partner": partner,
                "indicator": indicator,
                "title": indicators[indicator].title,
                "period": key,
                "deadline": deadline.isoformat(),
                "status": status,
                "overdue": status in ("missing", "partial") and today > deadline,
                "areas_expected": len(items),
                "areas_received": len(got),
                "first_received": first,
                "last_received": last,
                "revised": revised,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _receipts(store: Store, indicators: list[str], periods: list[str]) -> dict[tuple[str, str, str], dict]:
    """First and last load time and number of versions of each observation asked for."""
    names = {f"i{n}": v for n, v in enumerate(indicators)} | {f"p{n}": v for n, v in enumerate(periods)}
    i_list = ", ".join(f":i{n}" for n in range(len(indicators)))
    p_list = ", ".join(f":p{n}" for n in range(len(periods)))
    sql = text(
        "SELECT indicator, area, period, MIN(loaded_at) AS first, MAX(loaded_at) AS last, "
        "COUNT(*) AS versions FROM observations "
        f"WHERE indicator IN ({i_list}) AND period IN ({p_list}) GROUP BY indicator, area, period"
    )
    with store.engine.connect() as conn:
        result = conn.execute(sql, names).mappings().all()
    return {(r["indicator"], r["area"], r["period"]): dict(r) for r in result}


def summary_line(frame: pd.DataFrame) -> str:
    counts = frame["status"].value_counts() if len(frame) else pd.Series(dtype=int)
    parts = [f"{int(counts.get(s, 0))} {s}" for s in STATUSES]
    overdue = int(frame["overdue"].sum()) if len(frame) else 0
    revised = int(frame["revised"].sum()) if len(frame) else 0
    return f"{len(frame)} owed: {', '.join(parts)}; {overdue} overdue; {revised} revised"
