"""CSV data returns in long format: one row per indicator, area and period."""

from __future__ import annotations

import pandas as pd

from reportgen.errors import DataError
from reportgen.sources.base import Source, SourceData, SourceOptions


class CsvOptions(SourceOptions):
    path: str
    encoding: str = "utf-8"
    delimiter: str = ","
    # which column holds what; a fixed indicator/area applies to every row
    columns: dict[str, str] = {}
    indicator: str | None = None
    area: str | None = None
    indicator_map: dict[str, str] = {}
    area_map: dict[str, str] = {}


class CsvSource(Source):
    type_name = "csv"
    Options = CsvOptions

    def read(self) -> SourceData:
        opts: CsvOptions = self.options  # type: ignore[assignment]
        path = self.path(opts.path)
        if not path.exists():
            raise DataError(
                "does not exist", file=str(path), hint="check the source's 'path' in the partner file"
            )
        try:
            raw = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding=opts.encoding, sep=opts.delimiter
            )
        except UnicodeDecodeError as exc:
            raise DataError(
                f"is not valid {opts.encoding} text (byte {exc.start})",
                file=str(path),
                hint="save the file as CSV UTF-8, or set encoding in the source config",
            ) from None
        except pd.errors.EmptyDataError:
            raise DataError("is empty", file=str(path)) from None
        except pd.errors.ParserError as exc:
            raise DataError(f"is not a well-formed CSV ({exc})", file=str(path)) from None
        return SourceData(frame=to_long(raw, opts, str(path)), files=[path], description=str(path))


def to_long(raw: pd.DataFrame, opts: CsvOptions, where: str) -> pd.DataFrame:
    """Map a raw table's columns onto indicator/area/period/value."""
    names = {"indicator": "indicator", "area": "area", "period": "period", "value": "value"} | opts.columns
    out = pd.DataFrame(index=raw.index)
    for field in ("indicator", "area", "period", "value"):
        fixed = getattr(opts, field, None) if field in ("indicator", "area") else None
        if fixed is not None:
            out[field] = fixed
        elif names[field] in raw.columns:
            out[field] = raw[names[field]]
        else:
            raise DataError(
                f"has no column {names[field]!r} (for the {field})",
                file=where,
                hint=f"columns found: {', '.join(map(str, raw.columns))}",
            )
    if opts.indicator_map:
        out["indicator"] = out["indicator"].map(lambda v: opts.indicator_map.get(v, v))
    if opts.area_map:
        out["area"] = out["area"].map(lambda v: opts.area_map.get(v, v))
    out["row"] = [f"line {n + 2}" for n in range(len(out))]  # line 1 is the header
    return out
