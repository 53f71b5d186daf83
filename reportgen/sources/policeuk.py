"""police.uk street-level crime files: monthly CSVs aggregated into counts.

A folder of the published files (``YYYY-MM-<force>-street.csv``, or ``.csv.gz``) becomes
counts by indicator x area x month. Rows are kept by their LSOA code, using the LSOAs the
partnership config lists for each neighbourhood (the borough is all of them plus its own
list); "Falls within" is not used, since snapping moves some points across force borders.
``crime_types`` maps police.uk crime types to the partnership's indicators (several types
may feed one indicator); unmapped types are left out, and said so at DEBUG.

Only three columns are read, as categories, in chunks, so memory stays bounded whatever
the size of the files.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pandas as pd
from pydantic import Field

from reportgen.config.models import Config
from reportgen.errors import ConfigError, DataError
from reportgen.periods import Period
from reportgen.sources.base import Source, SourceData, SourceOptions

log = logging.getLogger(__name__)

COLUMNS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
NEEDED = ["Month", "LSOA code", "Crime type"]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PoliceUkOptions(SourceOptions):
    path: str  # folder of monthly files, relative to the config folder
    pattern: str = "*-street.csv*"  # matches .csv and .csv.gz
    crime_types: dict[str, str]  # police.uk crime type -> indicator id
    chunksize: int = 200_000
    # by default a month counts as received when loaded; data.police.uk publishes a month some
    # weeks after it ends, so a store filled from years of files can date each month instead
    received_days_after: int | None = Field(default=None, ge=0)


class PoliceUkSource(Source):
    type_name = "policeuk"
    Options = PoliceUkOptions

    def read(self) -> SourceData:
        opts: PoliceUkOptions = self.options  # type: ignore[assignment]
        folder = self.path(opts.path)
        if not folder.is_dir():
            raise DataError("is not a folder", file=str(folder), hint="'path' names the folder of police.uk files")
        files = sorted(p for p in folder.glob(opts.pattern) if p.is_file())
        if not files:
            raise DataError(
                f"holds no files matching {opts.pattern!r}",
                file=str(folder),
                hint="download the street-level files from data.police.uk into it",
            )
        lsoa_area = lsoa_areas(self.config, f"partners/{self.partner.id}.toml")
        counts, months = aggregate_files(
            files, set(lsoa_area), opts.crime_types, chunksize=opts.chunksize, progress=self.tick
        )
        if self.period is not None:
            months = {m for m in months if self.period.contains(Period.parse(m))}
        frame = to_observations(counts, months, lsoa_area, opts.crime_types, self.config.partnership.borough.id)
        if opts.received_days_after is not None and not frame.empty:
            now = dt.datetime.now(dt.UTC)
            after = dt.timedelta(days=opts.received_days_after)
            when = {
                key: min(dt.datetime.combine(Period.parse(key).last_day + after, dt.time(), dt.UTC), now)
                for key in frame["period"].unique()
            }
            frame["received"] = frame["period"].map(when)
        description = f"{len(files)} police.uk file{'s' if len(files) != 1 else ''} in {folder}"
        return SourceData(frame=frame, files=files, description=description)


def lsoa_areas(config: Config, where: str) -> dict[str, str]:
    """LSOA code -> neighbourhood id ("" for an LSOA in the borough but no neighbourhood)."""
    out: dict[str, str] = {}
    for area in config.partnership.neighbourhoods:
        for code in area.lsoas:
            if code in out and out[code]:
                raise ConfigError(
                    "partnership.toml",
                    f"neighbourhoods (id={area.id!r}).lsoas",
                    f"{code} is already in neighbourhood {out[code]!r}",
                )
            out[code] = area.id
    for code in config.partnership.borough.lsoas:
        out.setdefault(code, "")
    if not out:
        raise ConfigError(
            "partnership.toml",
            "borough.lsoas",
            f"no LSOA codes are configured, so police.uk rows cannot be kept by area (for {where})",
            hint="list the partnership's LSOA codes under borough.lsoas or each neighbourhood's lsoas",
        )
    return out


def aggregate_files(
    files: list[Path],
    lsoas: set[str],
    crime_types: dict[str, str],
    *,
    chunksize: int = 200_000,
    progress=None,  # type: ignore[no-untyped-def]
) -> tuple[pd.Series, set[str]]:
    """Count rows by (Month, LSOA code, Crime type) for the LSOAs given; also every month seen."""
    parts: list[pd.Series] = []
    months: set[str] = set()
    unmapped: dict[str, int] = {}
    for n, path in enumerate(files):
        if progress:
            progress(n, len(files), path.name)
        for part, seen, skipped in _read_file(path, lsoas, crime_types, chunksize):
            parts.append(part)
            months |= seen
            for k, v in skipped.items():
                unmapped[k] = unmapped.get(k, 0) + v
    if progress:
        progress(len(files), len(files), "")
    for crime_type, count in sorted(unmapped.items()):
        log.debug("police.uk crime type %r is not mapped to an indicator: %d rows left out", crime_type, count)
    if not parts:
        return pd.Series(dtype="int64"), months
    counts = pd.concat(parts).groupby(level=[0, 1, 2], observed=True).sum()
    return counts, months


def _read_file(path: Path, lsoas: set[str], crime_types: dict[str, str], chunksize: int):  # type: ignore[no-untyped-def]
    where = str(path)
    try:
        header = pd.read_csv(path, nrows=0).columns.tolist()
    except (pd.errors.EmptyDataError, UnicodeDecodeError, OSError, EOFError) as exc:
        raise DataError(f"is not a readable police.uk CSV ({exc.__class__.__name__}: {exc})", file=where) from None
    missing = [c for c in NEEDED if c not in header]
    if missing:
        raise DataError(
            f"lacks the police.uk column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}",
            file=where,
            hint=f"a street-level file has the header: {', '.join(COLUMNS)}",
        )
    offset = 0
    try:
        reader = pd.read_csv(
            path,
            usecols=NEEDED,
            dtype="category",
            keep_default_na=False,
            chunksize=chunksize,
            engine="c",
        )
        with reader:
            for chunk in reader:
                month = chunk["Month"]
                ok = month.cat.categories.map(lambda m: bool(_MONTH.match(str(m))))
                if not ok.all():
                    bad = set(month.cat.categories[~ok])
                    first = int(month.isin(bad).to_numpy().nonzero()[0][0])
                    raise DataError(
                        f"line {offset + first + 2}, column 'Month': {str(month.iloc[first])!r} "
                        "is not a month (police.uk files use YYYY-MM)",
                        file=where,
                    )
                seen = {str(m) for m in month.unique()}
                kept = chunk[chunk["LSOA code"].isin(lsoas)]
                types = kept["Crime type"].astype(str)
                mapped = types.isin(list(crime_types))
                skipped = types[~mapped].value_counts().to_dict()
                kept = kept[mapped.to_numpy()]
                part = kept.groupby(["Month", "LSOA code", "Crime type"], observed=True).size()
                offset += len(chunk)
                yield part, seen, skipped
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise DataError(
            f"is not a well-formed police.uk CSV after line {offset + 1} ({exc.__class__.__name__}: {exc})",
            file=where,
        ) from None


def to_observations(
    counts: pd.Series,
    months: set[str],
    lsoa_area: dict[str, str],
    crime_types: dict[str, str],
    borough: str,
) -> pd.DataFrame:
    """Counts per indicator x area x month, with zeros where nothing was recorded."""
    indicators = sorted(set(crime_types.values()))
    areas = [borough, *sorted({a for a in lsoa_area.values() if a})]
    grid = pd.MultiIndex.from_product([indicators, areas, sorted(months)], names=["indicator", "area", "period"])
    if len(counts):
        df = counts.rename("value").reset_index()
        df.columns = ["period", "lsoa", "crime_type", "value"]
        df["period"] = df["period"].astype(str)
        df["indicator"] = df["crime_type"].astype(str).map(crime_types)
        df["area"] = df["lsoa"].astype(str).map(lsoa_area)
        by_area = df[df["area"] != ""].groupby(["indicator", "area", "period"])["value"].sum()
        whole = df.groupby(["indicator", "period"])["value"].sum()
        whole.index = pd.MultiIndex.from_arrays(
            [whole.index.get_level_values(0), [borough] * len(whole), whole.index.get_level_values(1)],
            names=["indicator", "area", "period"],
        )
        values = pd.concat([whole, by_area])
    else:
        values = pd.Series(dtype="int64")
    out = values.reindex(grid, fill_value=0).rename("value").reset_index()
    out["value"] = out["value"].astype("int64")
    out["row"] = out["indicator"] + " / " + out["area"] + " / " + out["period"]
    return out
