"""Who has sent what: per partner and indicator, received / late / partial / missing, and
whether figures were revised since the last report. Feeds the data quality annex."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

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
    received_by: dt.datetime | None = None,
) -> pd.DataFrame:
    """One row per partner, indicator and period owed for ``period``.

    ``status``: "received" (every area, on time), "late" (every area, some after the
    deadline), "partial" (some areas), "missing" (none; ``overdue`` once past the
    deadline). On time or late is judged by when the partner submitted the first version
    (its ``received_at``: the return's own date, else when it was loaded), so loading years
    of history at once does not make it all late. ``revised``: a value was replaced by a
    new one loaded after ``since`` (the last report; without it, at any time).
    ``received_by`` replays the day: only versions received by then count.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    due: list[Owed] = []
    for each in config.partners:
        due += owed(config, each, [period], feeds=feeds)
    if not due:
        return pd.DataFrame(columns=COLUMNS)
    receipts = store.receipts(
        sorted({d.indicator for d in due}), sorted({d.period for d in due}), received_by=received_by
    )
    indicators = config.indicators
    groups: dict[tuple[str, str, str], list[Owed]] = {}
    for d in due:
        groups.setdefault((d.partner, d.indicator, d.period), []).append(d)
    since_text = since.astimezone(dt.UTC).isoformat() if since else ""
    rows: list[dict[str, Any]] = []
    for (partner, indicator, key), items in groups.items():
        deadline = items[0].deadline
        got = [receipts[(indicator, d.area, key)] for d in items if (indicator, d.area, key) in receipts]
        first = min((g.first for g in got), default=None)
        last = max((g.last for g in got), default=None)
        late = any(g.first[:10] > deadline.isoformat() for g in got)
        if not got:
            status = "missing"
        elif len(got) < len(items):
            status = "partial"
        else:
            status = "late" if late else "received"
        revised = any(g.versions > 1 and g.last_loaded > since_text for g in got)
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


def summary_line(frame: pd.DataFrame) -> str:
    counts = frame["status"].value_counts() if len(frame) else pd.Series(dtype=int)
    parts = [f"{int(counts.get(s, 0))} {s}" for s in STATUSES]
    overdue = int(frame["overdue"].sum()) if len(frame) else 0
    revised = int(frame["revised"].sum()) if len(frame) else 0
    return f"{len(frame)} owed: {', '.join(parts)}; {overdue} overdue; {revised} revised"
