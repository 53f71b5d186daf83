"""Read what a user has in hand to start a partnership: police.uk street files, a Census
2021 LSOA population file, a list of LSOA codes, and optionally an LSOA -> neighbourhood
lookup. Everything read here is summarised, never changed."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportgen.errors import ConfigError, DataError

LSOA_CODE = re.compile(r"^[EW]0\d{7}$")
# "Hartlepool 001A": the local authority, the middle layer area (MSOA) number and a letter
LSOA_NAME = re.compile(r"^(?P<la>.+) (?P<msoa>\d{3})(?P<letter>[A-Z])$")
STREET_FILE = re.compile(r"^\d{4}-\d{2}-(?P<force>.+)-street\.csv(\.gz)?$")
POLICE_COLUMNS = ["Month", "LSOA code", "LSOA name", "Crime type"]


@dataclass
class PoliceFiles:
    """What a folder of police.uk street files holds, counted by month, LSOA and crime type."""

    folder: Path
    files: list[Path]
    pattern: str  # glob for the policeuk source, relative to ``folder``
    counts: pd.DataFrame  # columns Month, LSOA code, LSOA name, Crime type, rows
    no_lsoa_rows: int = 0  # rows police.uk could not place (no location, so no LSOA code)

    @property
    def months(self) -> list[str]:
        return sorted(self.counts["Month"].unique())

    @property
    def lsoa_names(self) -> dict[str, str]:
        """LSOA code -> its name in the files (the newest file's spelling wins)."""
        named = self.counts[self.counts["LSOA code"] != ""].sort_values("Month")
        return dict(zip(named["LSOA code"], named["LSOA name"], strict=True))

    @property
    def crime_types(self) -> dict[str, int]:
        """Every crime type spelling found -> its rows, most common first."""
        by_type = self.counts.groupby("Crime type")["rows"].sum().sort_values(ascending=False)
        return {str(k): int(v) for k, v in by_type.items()}


def read_police_folder(folder: Path, progress: Callable[[int, int, str], None] | None = None) -> PoliceFiles:
    """Count every street file under ``folder`` (``.csv`` or ``.csv.gz``, in it or one level of
    month folders below, as data.police.uk's downloads come)."""
    if not folder.is_dir():
        raise DataError("is not a folder", file=str(folder), hint="--police names the folder of police.uk files")
    files = sorted(p for p in folder.rglob("*-street.csv*") if p.is_file() and STREET_FILE.match(p.name))
    if not files:
        raise DataError(
            "holds no police.uk street files (YYYY-MM-<force>-street.csv or .csv.gz)",
            file=str(folder),
            hint="download the street-level crime files from data.police.uk into it",
        )
    forces = {m["force"] for p in files if (m := STREET_FILE.match(p.name))}  # every one matches (above)
    nested = any(p.parent != folder for p in files)
    stem = f"*-{forces.pop()}-street.csv*" if len(forces) == 1 else "*-street.csv*"
    pattern = f"**/{stem}" if nested else stem
    parts: list[pd.DataFrame] = []
    no_lsoa = 0
    for n, path in enumerate(files):
        if progress:
            progress(n, len(files), path.name)
        try:
            df = pd.read_csv(path, usecols=POLICE_COLUMNS, dtype=str, keep_default_na=False)
        except ValueError as exc:  # a missing column
            raise DataError(f"is not a police.uk street file ({exc})", file=str(path)) from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, EOFError) as exc:
            raise DataError(
                f"cannot be read as a police.uk CSV ({exc.__class__.__name__}: {exc})", file=str(path)
            ) from None
        bad = df[~df["Month"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")]
        if len(bad):
            raise DataError(
                f"line {bad.index[0] + 2}, column 'Month': {bad['Month'].iloc[0]!r} is not a month (YYYY-MM)",
                file=str(path),
            )
        no_lsoa += int((df["LSOA code"] == "").sum())
        parts.append(df.groupby(POLICE_COLUMNS, observed=True).size().rename("rows").reset_index())
    if progress:
        progress(len(files), len(files), "")
    counts = pd.concat(parts).groupby(POLICE_COLUMNS).sum().reset_index()
    return PoliceFiles(folder=folder, files=files, pattern=pattern, counts=counts, no_lsoa_rows=no_lsoa)


@dataclass
class Census:
    """Census 2021 usual residents by 2021 LSOA code, with each LSOA's 2021 name."""

    population: dict[str, int]
    names: dict[str, str] = field(default_factory=dict)
    file: str = ""


def read_census(path: Path) -> Census:
    """An ONS LSOA population file: a code column ("geography code") and a total column.

    Works for the ONS TS001 download (date, geography, geography code, "... Total ...") and for a
    plain two-column ``lsoa,population`` file."""
    where = str(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot be read as a CSV ({exc.__class__.__name__}: {exc})", file=where) from None
    code_col = _code_column(df)
    if code_col is None:
        raise DataError(
            "has no column of LSOA codes (E01... or W01...)",
            file=where,
            hint="use the ONS Census 2021 TS001 LSOA file: date, geography, geography code, total ...",
        )
    numeric = [c for c in df.columns if c != code_col and df[c].str.fullmatch(r"\d+").all() and c.lower() != "date"]
    total = next((c for c in numeric if "total" in c.lower() or "population" in c.lower()), None) or next(
        iter(numeric), None
    )
    if total is None:
        raise DataError("has no column of whole-number populations", file=where)
    name_col = next((c for c in df.columns if c.lower() in ("geography", "lsoa name", "name", "lsoa21nm")), None)
    codes = df[code_col].str.strip()
    population = dict(zip(codes, df[total].astype(int), strict=True))
    names = dict(zip(codes, df[name_col].str.strip(), strict=True)) if name_col else {}
    return Census(population=population, names=names, file=where)


def _code_column(df: pd.DataFrame) -> str | None:
    preferred = [c for c in df.columns if c.lower() in ("geography code", "lsoa code", "lsoa21cd", "lsoa", "code")]
    for col in [*preferred, *df.columns]:
        values = df[col].str.strip()
        if len(values) and values.str.match(r"^[EW]0\d{7}$").mean() > 0.9:
            return str(col)
    return None


def read_lsoa_list(text: str) -> list[str]:
    """``--lsoas``: a file of codes (any layout: every E01/W01 code in it is taken) or a
    comma- or space-separated list on the command line."""
    path = Path(text)
    if path.is_file():
        codes = re.findall(r"\b[EW]0\d{7}\b", path.read_text(encoding="utf-8-sig"))
        if not codes:
            raise DataError("holds no LSOA codes (E01... or W01...)", file=str(path))
        return list(dict.fromkeys(codes))
    items = [t for t in re.split(r"[\s,;]+", text) if t]
    bad = [t for t in items if not LSOA_CODE.match(t)]
    if bad or not items:
        raise ConfigError(
            "--lsoas",
            None,
            f"{bad[0]!r} is not an LSOA code" if bad else "is empty",
            hint="give codes like E01011954,E01011969 or the path of a file listing them",
        )
    return list(dict.fromkeys(items))


def read_lookup(path: Path) -> dict[str, str]:
    """``--neighbourhoods``: a CSV of LSOA code -> neighbourhood name (the first column of codes,
    and a column whose header says neighbourhood, ward, area or name)."""
    where = str(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror})", file=where) from None
    if not rows:
        raise DataError("has no rows", file=where)
    df = pd.DataFrame(rows, dtype=str).fillna("")
    code_col = _code_column(df)
    others = [c for c in df.columns if c != code_col]
    name_col = next(
        (c for w in ("neighbourhood", "neighborhood", "ward", "area", "name") for c in others if w in c.lower()), None
    )
    if code_col is None or name_col is None:
        raise DataError(
            "needs a column of LSOA codes and a neighbourhood column",
            file=where,
            hint="a header like: lsoa,neighbourhood",
        )
    out: dict[str, str] = {}
    for n, (_, row) in enumerate(df.iterrows()):  # n: the row's place, as the file counts it less 2
        code, name = row[code_col].strip(), row[name_col].strip()
        if not name:
            raise DataError(f"LSOA {code} has no neighbourhood name", file=where, row=n + 2)
        if code in out and out[code] != name:
            raise DataError(f"LSOA {code} is in both {out[code]!r} and {name!r}", file=where, row=n + 2)
        out[code] = name
    return out


def split_lsoa_name(name: str) -> tuple[str, str] | None:
    """ "Hartlepool 001A" -> ("Hartlepool", "Hartlepool 001"); None for a name of another shape."""
    m = LSOA_NAME.match(name.strip())
    return (m["la"], f"{m['la']} {m['msoa']}") if m else None
