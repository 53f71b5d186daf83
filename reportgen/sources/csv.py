"""CSV data returns in long format: one row per indicator, area and period."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reportgen.errors import DataError
from reportgen.sources.base import Source, SourceData
from reportgen.sources.tabular import TableOptions
from reportgen.sources.tabular import to_long as _to_long


class CsvOptions(TableOptions):
    path: str
    encoding: str = "utf-8"
    delimiter: str = ","
    # a return of more rows than this is refused before it is read whole (bounded memory)
    max_rows: int = 1_000_000


class CsvSource(Source[CsvOptions]):
    type_name = "csv"
    Options = CsvOptions

    def read(self) -> SourceData:
        opts = self.options
        path = self.path(opts.path)
        return SourceData(frame=read_csv_return(path, opts), files=[path], description=str(path))


def read_csv_return(path: Path, opts: CsvOptions, where: str | None = None) -> pd.DataFrame:
    """Read a CSV return into the long frame with ``row`` ("line 14") labels."""
    where = where or str(path)
    if not path.exists():
        raise DataError("does not exist", file=where, hint="check the source's 'path' in the partner file")
    if path.stat().st_size == 0:
        raise DataError("is empty (0 bytes)", file=where, hint="was the file saved before it was sent?")
    try:
        # Read in chunks so that a runaway file (millions of rows) is refused with bounded
        # memory instead of being read whole first.
        chunks = []
        n = 0
        with pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            encoding=opts.encoding,
            sep=opts.delimiter,
            chunksize=50_000,
            # blank lines kept (as rows of "") so that every row's line number is its real one
            skip_blank_lines=False,
        ) as reader:
            for chunk in reader:
                n += len(chunk)
                if n > opts.max_rows:
                    raise DataError(
                        f"has more than {opts.max_rows:,} rows; refused without reading further",
                        file=where,
                        hint="send one return per period, or raise max_rows in the source config",
                    )
                chunks.append(chunk)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"is not valid {opts.encoding} text (found byte 0x{exc.object[exc.start]:02x})",
            file=where,
            hint="save the file as 'CSV UTF-8', or set encoding in the source config",
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError("is empty", file=where) from None
    except pd.errors.ParserError as exc:
        raise DataError(f"is not a well-formed CSV ({exc})", file=where) from None
    raw = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    lines = pd.Series(range(2, len(raw) + 2))  # line 1 is the header
    blank = (raw.astype(str).apply(lambda c: c.str.strip()) == "").all(axis=1) if len(raw) else pd.Series(dtype=bool)
    if blank.any():
        raw, lines = raw[~blank].reset_index(drop=True), lines[~blank.to_numpy()].reset_index(drop=True)
    if raw.empty:
        raise DataError("holds a header but no rows", file=where, hint="is this the right file?")
    out = _to_long(raw, opts, where)
    out["row"] = [f"line {n}" for n in lines]
    if blank.any():
        skipped = int(blank.sum())
        out.attrs["notes"] = [
            *out.attrs.get("notes", []),
            f"{skipped:,} blank line{'s' if skipped != 1 else ''} skipped",
        ]
    return out


def to_long(raw: pd.DataFrame, opts: CsvOptions, where: str) -> pd.DataFrame:
    """Map a raw table's columns onto indicator/area/period/value, with line labels."""
    out = _to_long(raw, opts, where)
    out["row"] = [f"line {n + 2}" for n in range(len(out))]
    return out
