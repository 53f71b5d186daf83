"""Options and column mapping shared by connectors that read tables (CSV, Excel, SQL)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import field_validator

from reportgen.errors import DataError
from reportgen.sources.base import SourceOptions, normal_text, period_text, rows_text

FIELDS = ("indicator", "area", "period", "value")
# optional: when the partner submitted the row (ISO date or time, or a date cell)
RECEIVED = "received"


class TableOptions(SourceOptions):
    # which column holds what; a fixed indicator/area applies to every row
    columns: dict[str, str] = {}
    indicator: str | None = None
    area: str | None = None
    indicator_map: dict[str, str] = {}  # label in the file -> indicator id (matched whatever its case and spaces)
    area_map: dict[str, str] = {}  # label in the file -> area id (matched whatever its case and spaces)
    # areas a partner's data return covers for the indicators from this source (default:
    # the borough); used by 'reportgen returns template' and 'returns status'
    areas: tuple[str, ...] = ()

    @field_validator("indicator_map", "area_map")
    @classmethod
    def _keys_distinct(cls, value: dict[str, str]) -> dict[str, str]:
        # keys match loosely (case, spaces), so two keys that differ only so are ambiguous
        seen: dict[str, str] = {}
        for key in value:
            if normal_text(key) in seen:
                raise ValueError(
                    f"{seen[normal_text(key)]!r} and {key!r} are the same once case and spaces are ignored"
                )
            seen[normal_text(key)] = key
        return value

    def column_names(self) -> dict[str, str]:
        """Field -> the column that holds it, for the fields not fixed by the config."""
        names = {f: f for f in FIELDS} | self.columns
        return {f: names[f] for f in FIELDS if f not in ("indicator", "area") or getattr(self, f) is None}

    def received_column(self) -> str:
        """The column that may hold the received date (mapped like the others)."""
        return self.columns.get(RECEIVED, RECEIVED)


def to_long(raw: pd.DataFrame, opts: TableOptions, where: str, *, match_case: bool = True) -> pd.DataFrame:
    """Map a raw table's columns onto indicator/area/period/value (keeping raw cell values).

    The caller adds ``row`` (and ``cell_<field>`` when it knows the cells). With ``match_case=False`` column
    names match whatever their case and surrounding spaces (spreadsheets typed by hand).
    """
    lookup = {str(c): c for c in raw.columns}
    if not match_case:
        lookup = {str(c).strip().lower(): c for c in raw.columns}
    _refuse_duplicate_columns(raw, opts, where, match_case=match_case)
    out = pd.DataFrame(index=raw.index)
    for field, name in opts.column_names().items():
        key = name if match_case else name.strip().lower()
        if key not in lookup:
            raise DataError(
                f"has no column {name!r} (for the {field})",
                file=where,
                hint=f"columns found: {', '.join(str(c) for c in raw.columns)}",
            )
        out[field] = raw[lookup[key]]
    for field in ("indicator", "area"):
        fixed = getattr(opts, field)
        if fixed is not None:
            out[field] = fixed
    received = opts.received_column()
    key = received if match_case else received.strip().lower()
    if key in lookup:
        out["received"] = raw[lookup[key]]
    elif RECEIVED in opts.columns:
        raise DataError(
            f"has no column {received!r} (for the received date)",
            file=where,
            hint=f"columns found: {', '.join(str(c) for c in raw.columns)}",
        )
    out = out[[*FIELDS, *(["received"] if "received" in out.columns else [])]]
    notes: list[str] = []
    if opts.indicator_map:
        out["indicator"] = map_loosely(out["indicator"], opts.indicator_map, "indicator_map", notes)
    if opts.area_map:
        out["area"] = map_loosely(out["area"], opts.area_map, "area_map", notes)
    out["period"] = out["period"].map(period_text)
    # said by the source's row account (pull prints it): what matched only once normalised
    out.attrs["notes"] = notes
    return out


def map_loosely(values: pd.Series, mapping: dict[str, str], name: str, notes: list[str]) -> pd.Series:
    """``mapping`` applied to each value, matching exactly or else after normalising case and
    spaces (a hand-typed "Dwelling Burglary " still maps); values it does not name are kept."""
    loose = {normal_text(k): k for k in mapping}
    matched: dict[str, list[Any]] = {}

    def one(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value in mapping:
            return mapping[value]
        key = loose.get(normal_text(value))
        if key is None:
            return value
        matched.setdefault(value, [key, 0])[1] += 1
        return mapping[key]

    out = values.map(one)
    for value, (key, rows) in matched.items():
        notes.append(f"{value!r} matched {name}'s {key!r} after normalising case and spaces ({rows_text(rows)})")
    return out


def _refuse_duplicate_columns(raw: pd.DataFrame, opts: TableOptions, where: str, *, match_case: bool) -> None:
    """Two columns with a name we read (two 'value' columns) would silently give one of them;
    refuse the file instead. pandas renames a CSV's second 'value' to 'value.1', so that
    spelling counts as the same name when 'value' itself is there."""
    import re

    def norm(name: object) -> str:
        text = str(name)
        return text if match_case else text.strip().lower()

    names = [norm(c) for c in raw.columns]
    present = set(names)
    base = [re.sub(r"\.\d+$", "", n) if re.sub(r"\.\d+$", "", n) in present else n for n in names]
    wanted = {norm(n) for n in (*opts.column_names().values(), opts.received_column())}
    for name in sorted(wanted):
        positions = [i for i, n in enumerate(base) if n == name]
        if len(positions) > 1:
            from openpyxl.utils import get_column_letter

            letters = " and ".join(get_column_letter(i + 1) for i in positions)
            raise DataError(
                f"has {len(positions)} columns named {name!r} (columns {letters}); which one holds the data is unclear",
                file=where,
                hint="delete or rename the extra column and send the file again",
            )
