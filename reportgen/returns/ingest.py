"""Validate and load returned files: all or nothing, archived or quarantined.

A returned workbook (or CSV) is read, every row is checked against the config (the
shared :func:`~reportgen.sources.base.validate_observations`), and the rows are loaded
in one transaction. An accepted file is archived with its SHA-256; a rejected one is
kept in quarantine with an error report listing every problem found. The file's own name
is never used as a path: it is reduced to a safe name first. A file already loaded
(same checksum) is recognised and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportgen.config.models import Config
from reportgen.errors import DataError, ReportgenError
from reportgen.fsutil import sha256_files
from reportgen.periods import Period
from reportgen.returns.notes import mark_not_available, with_notes
from reportgen.returns.notes import split as split_notes
from reportgen.returns.owed import periods_due
from reportgen.returns.paths import DATA_DIR_ENV, DEFAULT_DATA_DIR, default_data_dir  # noqa: F401 (re-exported)
from reportgen.returns.safety import printable, safe_filename
from reportgen.returns.signing import SIGNATURE_FIELD, signing_key, verify
from reportgen.returns.template import ABOUT_SHEET, RETURN_SHEET
from reportgen.sources.base import ValidationFailed, validate_observations
from reportgen.store import LoadSummary, Store

# A return is a few hundred rows; a file far bigger is a mistake and is refused after
# reading this many rows, so memory stays bounded whatever arrives.
MAX_ROWS = 10_000


@dataclass
class IngestResult:
    file: str  # the name as given, printable
    status: str  # "loaded" | "unchanged" | "rejected"
    partner: str = ""
    periods: list[str] = field(default_factory=list)
    checksum: str = ""
    summary: LoadSummary | None = None
    error: ReportgenError | None = None
    problems: list[str] = field(default_factory=list)
    kept_at: Path | None = None  # archive or quarantine copy
    previous_load: str = ""  # for "unchanged": when it was first loaded

    @property
    def ok(self) -> bool:
        return self.status != "rejected"


def ingest_file(
    config: Config,
    store: Store,
    path: Path,
    *,
    data_dir: Path | None = None,
    partner: str | None = None,
    periods: list[str] | None = None,
    max_rows: int = MAX_ROWS,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Ingest one returned file. Never raises for bad input: the result says what happened."""
    store.require(config.partnership.id)  # a programming error, not bad input: raised
    data_dir = data_dir or default_data_dir()
    now = now or dt.datetime.now(dt.UTC)
    shown = printable(path.name)
    result = IngestResult(file=shown, status="rejected")
    try:
        if not path.is_file():
            raise DataError("does not exist or is not a file", file=shown)
        result.checksum = sha256_files(path)
        frame, partner_id, return_periods = read_return(
            config, path, shown, partner=partner, periods=periods, max_rows=max_rows, data_dir=data_dir, now=now
        )
        result.partner, result.periods = partner_id, return_periods
        allowed = _allowed_periods(config, partner_id, return_periods)
        marked = mark_not_available(frame, config, _where(frame, shown))
        clean = validate_observations(marked, config.partner(partner_id), config, _where(frame, shown), periods=allowed)
        clean, notes = split_notes(clean, marked)
        archive_dir = data_dir / "archive" / safe_filename(partner_id)
        name = f"{now:%Y%m%dT%H%M%S}-{result.checksum[:12]}-{safe_filename(path.name)}"
        earlier = store.first_load_of_file(f"returns/{partner_id}", result.checksum) or ""
        if earlier:
            # Loaded, but a crash between the store's commit and the archive's rename would
            # have left it unarchived: finish the archive now, so every loaded file is kept.
            result.kept_at = _archived(archive_dir, result.checksum) or _archive(path, archive_dir, name, result)
            result.status, result.previous_load = "unchanged", earlier
            return result
        staged = _stage_copy(path, archive_dir)
        try:
            result.summary = store.load(
                clean,
                source=f"returns/{partner_id}",
                partner=partner_id,
                file=safe_filename(path.name),
                checksum=result.checksum,
                now=now,
                notes=notes,
            )
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        final = archive_dir / name
        os.replace(staged, final)
        _write_atomic(archive_dir / (name + ".sha256"), f"{result.checksum}  {name}\n")
        result.status, result.kept_at = "loaded", final
        return result
    except ReportgenError as exc:
        result.error = exc
        if isinstance(exc, ValidationFailed):
            result.problems = [f"{exc.file}: {p}" if exc.file else str(p) for p in exc.problems]
        else:
            result.problems = [str(exc)]
        if path.is_file():
            result.kept_at = _quarantine(path, data_dir, result, now)
        return result


def read_return(
    config: Config,
    path: Path,
    shown: str,
    *,
    partner: str | None = None,
    periods: list[str] | None = None,
    max_rows: int = MAX_ROWS,
    data_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> tuple[pd.DataFrame, str, list[str]]:
    """Read a returned .xlsx (partner and periods from its About sheet) or .csv (partner
    and periods given). Returns the unvalidated long frame, the partner and the periods.
    An About sheet must carry a valid signature (see :mod:`reportgen.returns.signing`), or,
    on a workbook made by hand without one, name periods that have ended and that the
    partnership's strategies cover."""
    from reportgen.sources.csv import CsvOptions, read_csv_return
    from reportgen.sources.excel import ExcelOptions, read_workbook

    suffix = path.suffix.lower()
    named_by = ""  # the partner the About sheet names, when --partner does not
    if path.stat().st_size == 0:
        raise DataError("is empty (0 bytes)", file=shown, hint="was the file saved before it was sent?")
    if suffix == ".xlsx":
        meta = _about(path, shown)
        _check_about(config, meta, shown, data_dir or default_data_dir(), now or dt.datetime.now(dt.UTC))
        named_by = "" if partner else meta.get("partner", "")
        partner = partner or meta.get("partner")
        if not periods and meta.get("periods"):
            periods = [p.strip() for p in meta["periods"].split(",") if p.strip()]
        opts = ExcelOptions(path=str(path), sheet=RETURN_SHEET, max_rows=max_rows)
        frame = with_notes(read_workbook(path, opts, where=shown), path, shown, RETURN_SHEET)
    elif suffix == ".csv":
        frame = read_csv_return(path, CsvOptions(path=str(path), max_rows=max_rows), where=shown)
    else:
        raise DataError(
            f"is not a data return: expected .xlsx or .csv, not {suffix or 'no extension'!r}",
            file=shown,
        )
    if not partner:
        raise DataError(
            "does not say which partner it is from",
            file=shown,
            hint="use the workbook from 'reportgen returns template', or pass --partner",
        )
    known = [p.id for p in config.partners]
    if partner not in known:
        # Whether the About sheet or --partner named it, the sender is told which file it was.
        about = partner == named_by
        raise DataError(
            f"names partner {partner!r}, which this partnership does not have" if about
            else f"was sent as from partner {partner!r} (--partner), which this partnership does not have",
            file=shown,
            sheet=ABOUT_SHEET if about else None,
            hint=f"known partners: {', '.join(known)}",
        )
    return frame, partner, list(periods or [])


def _about(path: Path, shown: str) -> dict[str, str]:
    """The hidden About sheet of a template: partner and periods. Missing is allowed (a
    hand-made workbook), but a template's own About sheet must be readable."""
    from reportgen.sources.excel import BROKEN_XLSX, open_workbook

    with open_workbook(path, shown) as wb:
        if ABOUT_SHEET not in wb.sheetnames:
            return {}
        out: dict[str, str] = {}
        try:
            for row in wb[ABOUT_SHEET].iter_rows(max_row=20, max_col=2, values_only=True):
                if row and row[0] is not None and len(row) > 1 and row[1] is not None:
                    out[str(row[0]).strip()] = str(row[1]).strip()
        except BROKEN_XLSX as exc:
            raise DataError(f"sheet {ABOUT_SHEET!r} cannot be read ({exc})", file=shown) from None
        return out


def _check_about(config: Config, meta: dict[str, str], shown: str, data_dir: Path, now: dt.datetime) -> None:
    """Refuse an About sheet that was edited (bad signature), or, unsigned, one whose periods
    are not periods or could not be owed: not yet ended, or before every strategy's baseline."""
    if not meta:
        return
    if SIGNATURE_FIELD in meta:
        if not verify(meta, signing_key(data_dir)):
            raise DataError(
                "was changed after the template was made (its signature does not match), so its partner "
                "and periods cannot be trusted",
                file=shown,
                sheet=ABOUT_SHEET,
                hint="download a fresh template with 'reportgen returns template' and copy the values into it",
            )
        return
    keys = [p.strip() for p in meta.get("periods", "").split(",") if p.strip()]
    earliest = min((s.baseline.start for s in config.strategies), default=None)
    for n, key in enumerate(keys, start=1):
        try:
            period = Period.parse(key)
        except ReportgenError:
            raise DataError(
                f"names {key!r}, which is not a period (use 2005-03, 2005-Q1 or 2004/05)",
                file=shown,
                sheet=ABOUT_SHEET,
                hint="download a fresh template with 'reportgen returns template'",
            ) from None
        if period.last_day >= now.date() or (earliest is not None and period.start < earliest):
            raise DataError(
                f"names period {key!r} (entry {n}), which no partner can owe: it has not ended yet or comes "
                "before every strategy's baseline",
                file=shown,
                sheet=ABOUT_SHEET,
                hint="download a fresh template with 'reportgen returns template'",
            )


def _allowed_periods(config: Config, partner_id: str, periods: list[str]) -> list[str] | None:
    """Period keys a return for ``periods`` may hold: each period asked for and the
    quarters and years that end in it (None: any period, for a return without periods)."""
    if not periods:
        return None
    kinds = {i.frequency.period_kind for i in config.partner(partner_id).indicators}
    allowed: list[str] = []
    for key in periods:
        period = Period.parse(key)
        allowed.append(period.key)
        for kind in kinds:
            allowed += [p.key for p in periods_due(kind, period)]
    return sorted(set(allowed))


def _where(frame: pd.DataFrame, shown: str) -> str:
    return frame.attrs.get("where", shown)


def _archived(archive_dir: Path, checksum: str) -> Path | None:
    """The archived copy of a file with this checksum, if there is one."""
    for sidecar in sorted(archive_dir.glob(f"*-{checksum[:12]}-*.sha256")):
        kept = sidecar.with_suffix("")
        if kept.is_file() and sidecar.read_text(encoding="utf-8").startswith(checksum):
            return kept
    return None


def _archive(path: Path, archive_dir: Path, name: str, result: IngestResult) -> Path:
    staged = _stage_copy(path, archive_dir)
    final = archive_dir / name
    os.replace(staged, final)
    _write_atomic(archive_dir / (name + ".sha256"), f"{result.checksum}  {name}\n")
    return final


def _stage_copy(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    os.close(fd)
    shutil.copyfile(path, tmp)
    return Path(tmp)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _quarantine(path: Path, data_dir: Path, result: IngestResult, now: dt.datetime) -> Path:
    """Keep a rejected file, and beside it the report of why, for the sender to fix."""
    folder = data_dir / "quarantine"
    digest = (result.checksum or "nochecksum")[:12]
    name = f"{now:%Y%m%dT%H%M%S}-{digest}-{safe_filename(path.name)}"
    staged = _stage_copy(path, folder)
    os.replace(staged, folder / name)
    report = [
        f"File: {result.file}",
        f"Received: {now.astimezone(dt.UTC).isoformat(timespec='seconds')}",
        f"SHA-256: {result.checksum}",
        f"Partner: {result.partner or '(unknown)'}",
        "Status: rejected; nothing from this file was loaded.",
        "",
        f"Problems ({len(result.problems)}):",
        *(f"- {p}" for p in result.problems),
    ]
    if result.error is not None and result.error.hint:
        report += ["", f"Hint: {result.error.hint}"]
    _write_atomic(folder / (name + ".errors.txt"), "\n".join(report) + "\n")
    payload = {
        "file": result.file,
        "received": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "sha256": result.checksum,
        "partner": result.partner,
        "problems": result.problems,
    }
    _write_atomic(folder / (name + ".errors.json"), json.dumps(payload, indent=2) + "\n")
    return folder / name
