"""Excel (.xlsx) data returns: a sheet in long format, one row per indicator, area and period.

Read with openpyxl in read-only mode, so memory stays bounded whatever the file's size,
and with ``data_only`` so that a formula cell gives the value Excel last calculated,
never the formula. The header row is found by its column names (title rows above it and
header cells merged across two rows are allowed); blank rows are skipped. Dates in the
period column become their month; numbers are taken as Excel stores them.
"""

from __future__ import annotations

import contextlib
import logging
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from reportgen.errors import DataError
from reportgen.sources.base import Source, SourceData
from reportgen.sources.tabular import TableOptions, to_long

log = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 30
# What openpyxl (and the zip and XML readers under it) raise for a damaged, truncated or
# non-xlsx file. Found by corrupting returns at random (tests/test_returns_property.py).
BROKEN_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    NotImplementedError,
    ParseError,
    EOFError,
    OSError,
)


class ExcelOptions(TableOptions):
    path: str  # a workbook, or a glob of workbooks relative to the config folder
    sheet: str | None = None  # default: the first sheet
    max_rows: int = 1_000_000


class ExcelSource(Source[ExcelOptions]):
    type_name = "excel"
    Options = ExcelOptions

    def read(self) -> SourceData:
        opts = self.options
        pattern = opts.path
        if any(ch in pattern for ch in "*?["):
            files = sorted(self.root.glob(pattern)) if not Path(pattern).is_absolute() else []
            if not files:
                raise DataError(f"no workbook matches {pattern!r}", file=str(self.root))
        else:
            files = [self.path(pattern)]
        frames = []
        for n, path in enumerate(files, start=1):
            self.tick(n - 1, len(files), path.name)
            frames.append(read_workbook(path, opts))
        self.tick(len(files), len(files), "")
        frame = pd.concat(frames, ignore_index=True)
        frame.attrs["notes"] = [note for f in frames for note in f.attrs.get("notes", [])]
        if len(files) > 1:
            # with several workbooks, a place names its file too
            names = [path.name for path, f in zip(files, frames, strict=True) for _ in range(len(f))]
            for col in [c for c in frame.columns if c == "row" or c.startswith("cell_")]:
                frame[col] = [f"{name} {place}" for name, place in zip(names, frame[col], strict=True)]
        description = (
            frames[0].attrs.get("where", str(files[0]))
            if len(files) == 1
            else f"{len(files)} workbooks matching {pattern}"
        )
        return SourceData(frame=frame, files=files, description=description)


# An .xlsx is a zip. openpyxl reads the shared strings whole, so a "zip bomb" (a few KB that
# unpack to gigabytes) would take that memory and minutes. Real workbooks compress text about
# 5-20 times; the limits below are far above any real return or data file.
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed, for any member over 1 MiB unpacked


def check_unpacked_size(fh: Any, where: str, limit: int = MAX_UNPACKED_BYTES) -> None:
    """Refuse a workbook whose members would unpack past ``limit`` bytes in all, or any
    member that unpacks over ``MAX_RATIO`` times its packed size. Reads only the zip's
    directory (the declared sizes, which also bound what zipfile will unpack)."""
    try:
        with zipfile.ZipFile(fh) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        fh.seek(0)
        return  # not a zip at all: openpyxl's own error says so below
    fh.seek(0)
    total = sum(m.file_size for m in members)
    if total > limit:
        raise DataError(
            f"would unpack to {total / 2**20:,.0f} MiB, over the {limit / 2**20:,.0f} MiB allowed; refused unread",
            file=where,
            hint="a data return is a few hundred rows: send the workbook the template made",
        )
    for m in members:
        if m.file_size > 2**20 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise DataError(
                f"member {m.filename!r} unpacks {m.file_size // max(m.compress_size, 1):,} times its packed size "
                f"({m.file_size / 2**20:,.0f} MiB): refused unread as a likely zip bomb",
                file=where,
            )


@contextlib.contextmanager
def open_workbook(path: Path, where: str) -> Iterator[Any]:
    """An openpyxl workbook (values, not formulas), read-only, closed afterwards; a file that
    is not a readable .xlsx becomes a :class:`DataError` naming it."""
    import openpyxl

    # Opened by handle, not by name: openpyxl judges a file by its extension otherwise,
    # and a return's name is whatever the sender gave it.
    with path.open("rb") as fh:
        check_unpacked_size(fh, where)
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except BROKEN_XLSX as exc:
            raise DataError(
                f"is not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})",
                file=where,
                hint="open it in Excel and save it again as 'Excel Workbook (.xlsx)'",
            ) from None
        try:
            yield wb
        finally:
            wb.close()


def read_workbook(path: Path, opts: ExcelOptions, where: str | None = None) -> pd.DataFrame:
    """Read one sheet of a workbook into the long frame, with ``row`` and ``cell_<field>``
    labels ("C14"). Raises :class:`DataError` for a missing, empty, corrupt or wrong file."""
    from openpyxl.utils import get_column_letter

    where = where or str(path)
    if not path.exists():
        raise DataError("does not exist", file=where, hint="check the source's 'path' in the partner file")
    if path.stat().st_size == 0:
        raise DataError("is empty (0 bytes)", file=where, hint="was the file saved before it was sent?")
    with open_workbook(path, where) as wb:
        sheet = opts.sheet or wb.sheetnames[0]
        if sheet not in wb.sheetnames:
            raise DataError(
                f"has no sheet {sheet!r}",
                file=where,
                hint=f"sheets found: {', '.join(repr(s) for s in wb.sheetnames)}",
            )
        ws = wb[sheet]
        # Some writers record a wrong size; read every row the file really holds.
        ws.reset_dimensions()
        try:
            header_row, header, rows, numbers = _read_rows(ws, opts, where, sheet)
        except DataError:
            raise
        except BROKEN_XLSX as exc:
            raise DataError(
                f"sheet {sheet!r} cannot be read ({exc.__class__.__name__}: {exc})",
                file=where,
                hint="the file may be truncated or damaged; save it again from Excel",
            ) from None
    located = f"{where}, sheet {sheet!r}"
    if not rows:
        raise DataError(
            f"has a header on row {header_row} but no rows of data below it",
            file=where,
            sheet=sheet,
            hint="is this the right file?",
        )
    width = len(header)
    raw = pd.DataFrame([r[:width] + (None,) * (width - len(r)) for r in rows], columns=range(width), dtype=object)
    raw.columns = [h if h else f"(column {get_column_letter(i + 1)})" for i, h in enumerate(header)]
    out = to_long(raw, opts, located, match_case=False)
    lookup = {str(h).strip().lower(): i for i, h in enumerate(header) if h}
    for field, name in opts.column_names().items():
        letter = get_column_letter(lookup[name.strip().lower()] + 1)
        out[f"cell_{field}"] = [f"{letter}{n}" for n in numbers]
    received = opts.received_column().strip().lower()
    if "received" in out.columns and received in lookup:
        letter = get_column_letter(lookup[received] + 1)
        out["cell_received"] = [f"{letter}{n}" for n in numbers]
    out["row"] = [f"row {n}" for n in numbers]
    out.attrs["where"] = located
    return out


def _read_rows(
    ws: Any, opts: ExcelOptions, where: str, sheet: str
) -> tuple[int, list[str | None], list[tuple[Any, ...]], list[int]]:
    """Find the header row, then collect the non-blank rows below it with their numbers."""
    wanted = {name.strip().lower() for name in opts.column_names().values()}
    previous: tuple[Any, ...] = ()
    header: list[str | None] | None = None
    header_row = 0
    rows: list[tuple[Any, ...]] = []
    numbers: list[int] = []
    for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if header is None:
            if n > HEADER_SEARCH_ROWS:
                break
            # a header cell merged down from the row above holds its text only in that row
            width = max(len(values), len(previous))
            cells = tuple(values) + (None,) * (width - len(values))
            above = tuple(previous) + (None,) * (width - len(previous))
            merged = [_label(v) or _label(u) for v, u in zip(cells, above, strict=True)]
            if wanted <= {m.lower() for m in merged if m}:
                header, header_row = merged, n
            previous = values
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue  # blank rows between blocks of data are common in hand-made returns
        if len(rows) >= opts.max_rows:
            raise DataError(
                f"has more than {opts.max_rows:,} rows of data; refused without reading further",
                file=where,
                sheet=sheet,
                hint="send one return per period, or raise max_rows in the source config",
            )
        rows.append(tuple(values))
        numbers.append(n)
    if header is None:
        raise DataError(
            f"has no header row naming {', '.join(sorted(wanted))} in its first {HEADER_SEARCH_ROWS} rows",
            file=where,
            sheet=sheet,
            hint="use the template from 'reportgen returns template', or set 'columns' in the source config",
        )
    return header_row, header, rows, numbers


def _label(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
