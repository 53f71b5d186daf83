"""Partners' notes on figures, kept in the store beside the figures they are about.

A partner's return may carry a note on any row (the workbook's Notes column), and may mark
a figure *not available* with a reason instead of guessing a value. Notes are versioned like
observations: one row per version in ``figure_notes`` (made by migration 0004), a changed or
cleared note closes the old row (``superseded_at``), so "as known at" reads see the notes a
past document saw. A not-available mark also closes the figure's current observation: the
partner has said the value they sent is not to be used, and the evaluation reports the
figure as missing, with their reason (:func:`reportgen.evaluate.engine.evaluate_store`).

The writing half runs inside :meth:`reportgen.store.Store.load`'s transaction, so a return's
figures and notes are loaded all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

import pandas as pd
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, bindparam, select
from sqlalchemy.engine import Connection, Engine

from reportgen.periods import Period
from reportgen.store import _iso

NOTE_COLUMNS = ["indicator", "area", "period", "note", "not_available"]
MAX_NOTE = 500  # characters kept of one note: a reason, not an essay

metadata = MetaData()  # the table is made by migration 0004, like the store's own

figure_notes = Table(
    "figure_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partnership", String, nullable=False),
    Column("indicator", String, nullable=False),
    Column("area", String, nullable=False),
    Column("period", String, nullable=False),
    Column("period_end", Integer, nullable=False),
    Column("partner", String, nullable=False),
    Column("note", Text, nullable=False),
    Column("not_available", Integer, nullable=False),
    Column("load_id", Integer, nullable=False),
    Column("noted_at", String, nullable=False),
    Column("superseded_at", String, nullable=True),
    Index("ix_figure_notes_key", "partnership", "indicator", "area", "period"),
    Index("ix_figure_notes_period", "partnership", "period_end"),
)


def write_notes(
    conn: Connection,
    partnership: str,
    partner: str,
    notes: pd.DataFrame,
    covered: pd.DataFrame,
    *,
    load_id: int,
    stamp: str,
) -> tuple[list[tuple[str, str, str]], int]:
    """Set the note state of every key the load covers (``covered``: indicator, area, period of
    its figures and of ``notes``) to what ``notes`` says: a changed note is a new version, a
    key the return no longer notes has its note closed. Returns the keys marked not available
    (whose current figures the store then closes) and how many of them are new marks."""
    keys = ["indicator", "area", "period"]
    wanted = notes[NOTE_COLUMNS].copy() if len(notes) else pd.DataFrame(columns=NOTE_COLUMNS)
    wanted["note"] = wanted["note"].fillna("").astype(str).str.slice(0, MAX_NOTE)
    wanted["not_available"] = wanted["not_available"].astype(bool).astype(int)
    every = pd.concat([covered[keys], wanted[keys]]).drop_duplicates()
    if every.empty:
        return [], 0
    n = figure_notes.c
    rows = conn.execute(
        select(n.id, n.indicator, n.area, n.period, n.note, n.not_available).where(
            n.partnership == partnership,
            n.superseded_at.is_(None),
            n.period.in_(bindparam("periods", expanding=True)),
        ),
        {"periods": sorted(every["period"].unique().tolist())},
    ).all()
    current = {(r.indicator, r.area, r.period): (r.id, r.note, int(r.not_available)) for r in rows}
    target = {(r.indicator, r.area, r.period): (r.note, int(r.not_available))
              for r in cast(Iterable[Any], wanted.itertuples(index=False))}
    close: list[int] = []
    add: list[dict[str, object]] = []
    for key in cast(Iterable[Any], every.itertuples(index=False, name=None)):
        have, want = current.get(key), target.get(key)
        if want is not None and not want[0] and not want[1]:
            want = None  # a blank note on an available figure is no note
        if have is not None and (want is None or (have[1], have[2]) != want):
            close.append(have[0])
        if want is not None and (have is None or (have[1], have[2]) != want):
            add.append({"partnership": partnership, "indicator": key[0], "area": key[1], "period": key[2],
                        "period_end": Period.parse(key[2]).end, "partner": partner, "note": want[0],
                        "not_available": want[1], "load_id": load_id, "noted_at": stamp})  # fmt: skip
    if close:
        conn.execute(
            figure_notes.update().where(n.id == bindparam("old")).values(superseded_at=stamp),
            [{"old": i} for i in close],
        )
    if add:
        conn.execute(figure_notes.insert(), add)
    marked = [k for k, (_, flag) in target.items() if flag]
    fresh = [k for k in marked if not (current.get(k) or (0, "", 0))[2]]
    return marked, len(fresh)


def read_notes(
    engine: Engine,
    partnership: str,
    *,
    as_at: dt.datetime | None = None,
    periods: list[str] | None = None,
    until: Period | None = None,
) -> pd.DataFrame:
    """The notes in force (at ``as_at``, by note time): indicator, area, period, partner,
    note, not_available (bool), noted_at; oldest period first."""
    n = figure_notes.c
    query = select(n.indicator, n.area, n.period, n.partner, n.note, n.not_available, n.noted_at).where(
        n.partnership == partnership
    )
    if as_at is None:
        query = query.where(n.superseded_at.is_(None))
    else:
        stamp = _iso(as_at)
        query = query.where(n.noted_at <= stamp, (n.superseded_at.is_(None)) | (n.superseded_at > stamp))
    if periods is not None:
        query = query.where(n.period.in_(periods))
    if until is not None:
        query = query.where(n.period_end <= until.end)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(n.period_end, n.indicator, n.area)).all()
    columns = ["indicator", "area", "period", "partner", "note", "not_available", "noted_at"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    frame["not_available"] = frame["not_available"].astype(bool)
    return frame
