"""What the console's pages do, on top of the same library entry points as the CLI:
prefilled return workbooks, page previews, reminders, the month at a glance.

Blocking work (openpyxl, pdftoppm, the store) runs in Starlette's thread pool.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, cast

import pandas as pd

from reportgen.config.models import Config
from reportgen.errors import DataError, DeliveryError, RenderError
from reportgen.periods import Period
from reportgen.returns.owed import owed
from reportgen.returns.safety import escape_formula
from reportgen.returns.status import return_status
from reportgen.returns.template import NOTES_COLUMN, RETURN_SHEET, VALUE_COLUMN, TemplateSummary, write_template
from reportgen.schedule.config import Schedules
from reportgen.store import Store


def prefilled_template(
    config: Config, store: Store, partner_id: str, period: Period, path: Path, *, data_dir: Path
) -> tuple[TemplateSummary, int]:
    """The partner's return workbook (``write_template``), with the figures already held for
    each row filled in, so a resubmission changes only what is wrong. Returns how many were filled."""
    summary = write_template(config, partner_id, [period], path, data_dir=data_dir)
    rows = owed(config, config.partner(partner_id), [period])
    held = store.frame(indicators=sorted({r.indicator for r in rows}))
    noted = store.notes(periods=sorted({r.period for r in rows}))
    if held.empty and noted.empty:
        return summary, 0
    values = {(r.indicator, r.area, r.period): r.value for r in cast(Iterable[Any], held.itertuples(index=False))}
    # notes and not-available reasons come back too, so a resubmission does not drop them
    notes = {(r.indicator, r.area, r.period): r.note for r in cast(Iterable[Any], noted.itertuples(index=False))}
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[RETURN_SHEET]
    filled = 0
    for n in range(2, ws.max_row + 1):
        key = (ws[f"A{n}"].value, ws[f"B{n}"].value, ws[f"C{n}"].value)
        if key in values and pd.notna(values[key]):
            value = float(values[key])
            ws[f"{VALUE_COLUMN}{n}"] = int(value) if value.is_integer() else value
            filled += 1
        if notes.get(key):
            ws[f"{NOTES_COLUMN}{n}"] = escape_formula(notes[key])
            ws[f"{NOTES_COLUMN}{n}"].data_type = "s"
    if filled or notes:
        tmp = path.with_name(f".{path.name}.tmp")
        wb.save(tmp)
        os.replace(tmp, path)
    return summary, filled


def previews(pdf: Path, *, resolution: int = 40) -> list[Path]:
    """PNG thumbnails of every page of ``pdf``, made once by pdftoppm and cached beside it
    (``.previews/<pdf stem>/page-N.png``)."""
    folder = pdf.parent / ".previews" / pdf.stem
    done = folder / ".complete"
    if not done.is_file():
        tool = shutil.which("pdftoppm")
        if tool is None:
            raise RenderError("pdftoppm is not installed (Debian package poppler-utils)")
        staging = pdf.parent / ".previews" / f".{pdf.stem}.{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            subprocess.run(
                [tool, "-png", "-r", str(resolution), str(pdf), str(staging / "page")],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise RenderError(f"cannot make previews of {pdf.name}: {exc}") from None
        (staging / ".complete").touch()
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rpartition("-")[2]))


@dataclass(frozen=True)
class PartnerMonth:
    partner: str
    name: str
    owed: int
    received: int
    late: int
    partial: int
    missing: int
    revised: int
    overdue: int
    deadline: str


def month_at_a_glance(config: Config, store: Store, period: Period, today: dt.date | None = None) -> list[PartnerMonth]:
    """Returns status per partner for ``period`` (``return_status``, counted)."""
    frame = return_status(config, store, period, feeds=False, today=today)
    out = []
    for partner in config.partners:
        rows = frame[frame["partner"] == partner.id]
        if rows.empty:
            continue
        counts = rows["status"].value_counts()
        out.append(
            PartnerMonth(
                partner=partner.id,
                name=partner.name,
                owed=len(rows),
                received=int(counts.get("received", 0)),
                late=int(counts.get("late", 0)),
                partial=int(counts.get("partial", 0)),
                missing=int(counts.get("missing", 0)),
                revised=int(rows["revised"].sum()),
                overdue=int(rows["overdue"].sum()),
                deadline=str(rows["deadline"].max()),
            )
        )
    return out


def send_reminder(
    settings: Schedules, config: Config, store: Store, partner_id: str, period: Period, *, console_url: str = ""
) -> tuple[list[str], str]:
    """Email the partner's contacts what they still owe for ``period`` (through the outbox,
    sent at once when SMTP is configured). Returns (recipients, status)."""
    partner = config.partner(partner_id)
    # the data leads (returns_to), else the contacts with an email address
    to = list(partner.returns_to) or [c.email for c in partner.contacts if c.email]
    if not to:
        raise DataError(f"{partner.name} has no contact with an email address",
                        hint=f"set returns_to in partners/{partner.id}.toml")  # fmt: skip
    frame = return_status(config, store, period, feeds=False)
    rows = frame[(frame["partner"] == partner_id) & frame["status"].isin(["missing", "partial"])]
    lines = [f"Dear {partner.name} data lead,", "",
             f"This is a reminder about your data return for {period.label} to {config.partnership.name}."]  # fmt: skip
    if rows.empty:
        lines.append("Our records show nothing outstanding: thank you. Please ignore this message.")
    else:
        lines += ["", "Still to come:"]
        for r in rows.itertuples(index=False):
            lines.append(f"  - {r.title} ({r.period}): {r.status}, due by {r.deadline}")
    lines += ["", "You can download your return and upload it in the partnership console"
              + (f": {console_url}" if console_url else "."), "", "Partnership support"]  # fmt: skip
    msg = EmailMessage()
    msg["Subject"] = f"Data return reminder: {partner.name}, {period.label}"
    msg["From"] = settings.smtp.sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid()
    msg.set_content("\n".join(lines))
    return to, deliver_email(settings, msg, stem=f"reminder-{partner.id}")


def deliver_email(settings: Schedules, msg: EmailMessage, *, stem: str) -> str:
    """Put ``msg`` in the outbox and, when SMTP is configured, send it at once: "sent" or
    "queued in the outbox" (where `reportgen outbox send` or the service sends it later)."""
    from reportgen.deliver.outbox import Outbox

    outbox = Outbox(settings.outbox.path)
    path = outbox.put(msg, stem=stem)
    if settings.smtp.configured:
        try:
            if outbox.send(settings.smtp, only=[path]).sent:
                return "sent"
        except (DeliveryError, OSError):
            pass  # it waits in the outbox; `reportgen outbox send` or the service retries
    return "queued in the outbox"


@dataclass(frozen=True)
class Note:
    partner: str
    partner_name: str
    indicator: str
    title: str
    area: str
    period: str
    note: str
    not_available: bool
    noted_at: str


def period_notes(config: Config, store: Store, period: Period, partner: str | None = None) -> list[Note]:
    """Partners' notes and not-available marks in force on figures for ``period`` (and the
    quarters and years that end with it), of one partner or all."""
    frame = store.notes(until=period)
    names = {p.id: p.name for p in config.partners}
    indicators = config.indicators
    out = []
    for r in cast(Iterable[Any], frame.itertuples(index=False)):  # a frame's rows: columns as attributes
        if Period.parse(r.period).end != period.end or (partner and r.partner != partner):
            continue
        title = indicators[r.indicator].title if r.indicator in indicators else r.indicator
        out.append(Note(r.partner, names.get(r.partner, r.partner), r.indicator, title,
                        config.partnership.area_name(r.area), r.period, r.note, bool(r.not_available),
                        r.noted_at))  # fmt: skip
    return sorted(out, key=lambda n: (n.partner_name, not n.not_available, n.title, n.area))


@dataclass(frozen=True)
class Change:
    indicator: str
    title: str
    area: str
    period: str
    before: float | None
    now: float


def what_changed(config: Config, store: Store, before: dt.datetime, after: dt.datetime, until: Period,
                 limit: int = 500) -> list[Change]:  # fmt: skip
    """Values as known when one version was made (``before``) against when the next was
    (``after``), up to ``until``: every figure that is new or different, oldest period first."""
    old = store.frame(as_at=before, until=until)
    new = store.frame(as_at=after, until=until)
    keys = ["indicator", "area", "period"]
    merged = new[[*keys, "value"]].merge(old[[*keys, "value"]], on=keys, how="left", suffixes=("", "_before"))
    differ = merged[merged["value_before"].isna() | (merged["value"] != merged["value_before"])]
    differ = differ.sort_values(["period", "indicator", "area"]).head(limit)
    indicators = config.indicators
    return [
        Change(
            indicator=r.indicator,
            title=indicators[r.indicator].title if r.indicator in indicators else r.indicator,
            area=config.partnership.area_name(r.area),
            period=r.period,
            before=None if pd.isna(r.value_before) else float(r.value_before),
            now=float(r.value),
        )
        for r in cast(Iterable[Any], differ.itertuples(index=False))  # a frame's rows: columns as attributes
    ]
