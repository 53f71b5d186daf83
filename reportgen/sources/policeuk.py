"""police.uk street-level crime files: monthly CSVs aggregated into counts, every row accounted for.

A folder of the published files (``YYYY-MM-<force>-street.csv``, or ``.csv.gz``) becomes
counts by indicator x area x month. Rows are kept by their LSOA code, using the LSOAs the
partnership config lists for each neighbourhood (the borough is all of them plus its own
list); "Falls within" is not used, since snapping moves some points across force borders.
``crime_types`` maps police.uk crime types to the partnership's indicators (several types
may feed one indicator).

Every row read is either counted or dropped with a reason (:class:`RowAccount`), in this
order (docs/pulling.md says why):

1. duplicate: its (force, month) was already read from another file -> refused;
2. month out of range: outside the period asked for -> counted, expected;
3. location: blank LSOA code (no location) and LSOAs outside the partnership are expected;
   an LSOA that looks like the partnership's (its name has the prefix of a configured LSOA's
   name, "Hartlepool 001A" -> "Hartlepool", or its code is one slip away from a configured
   code that no file holds) but is in no area is a slip: fails unless ``ignore_unmatched_lsoas``;
4. crime type: unmapped types fail unless listed in ``ignore_crime_types``.

Crime types and LSOA codes match after normalising case and spaces, and the account says
when they did. Only five columns are read, as categories, in chunks, and counted per
distinct (month, force, LSOA, type), so memory stays bounded whatever the size of the files.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pandas as pd
from pydantic import Field, ValidationInfo, field_validator

from reportgen.config.models import Config, Partner, SourceSpec
from reportgen.errors import ConfigError, DataError
from reportgen.periods import Period
from reportgen.sources.base import (
    Drop,
    DropReason,
    Progress,
    RowAccount,
    Source,
    SourceData,
    SourceOptions,
    normal_text,
    rows_text,
)
from reportgen.sources.fieldcount import FieldCheck, open_bytes, wrong_lines_quoted

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
# read when present: they tell the force (the duplicate key) and the LSOA's name (is it ours?)
OPTIONAL = ["Reported by", "LSOA name"]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_FILE_NAME = re.compile(r"^\d{4}-\d{2}-(?P<force>.+)-street\.csv(\.gz)?$", re.IGNORECASE)
# "Hartlepool 001A" -> "Hartlepool": the local authority part of an LSOA name
_LSOA_NAME = re.compile(r"^(?P<prefix>.*\S)\s+\d{3}[A-Z]{0,2}$")
MAX_LISTED = 5


def normal_code(value: str) -> str:
    """An LSOA code as compared: no spaces, upper case ("e01011954 " -> "E01011954")."""
    return "".join(str(value).split()).upper()


class PoliceUkOptions(SourceOptions):
    path: str  # folder of monthly files, relative to the config folder
    pattern: str = "*-street.csv*"  # matches .csv and .csv.gz
    crime_types: dict[str, str]  # police.uk crime type -> indicator id
    chunksize: int = 200_000
    # by default a month counts as received when loaded; data.police.uk publishes a month some
    # weeks after it ends, so a store filled from years of files can date each month instead
    received_days_after: int | None = Field(default=None, ge=0)
    # crime types the partnership leaves out on purpose (counted, not loaded, the pull succeeds)
    ignore_crime_types: tuple[str, ...] = ()
    # rows whose LSOA looks like the partnership's but is in no neighbourhood: true = leave them
    # all out, a list = leave out those codes; otherwise they fail the pull
    ignore_unmatched_lsoas: bool | tuple[str, ...] = False

    @field_validator("crime_types")
    @classmethod
    def _types_distinct(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for name in value:
            key = normal_text(name)
            if not key:
                raise ValueError("a crime type is blank")
            if key in seen:
                raise ValueError(f"{seen[key]!r} and {name!r} are the same crime type once case and spaces are ignored")
            seen[key] = name
        return value

    @field_validator("ignore_crime_types")
    @classmethod
    def _ignored_not_mapped(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        mapped = {normal_text(t): t for t in info.data.get("crime_types", {})}
        for name in value:
            if normal_text(name) in mapped:
                raise ValueError(
                    f"{name!r} is mapped in crime_types as {mapped[normal_text(name)]!r}: map it or ignore it"
                )
        return value

    @field_validator("ignore_unmatched_lsoas")
    @classmethod
    def _codes(cls, value: bool | tuple[str, ...]) -> bool | tuple[str, ...]:
        if isinstance(value, bool):
            return value
        codes = tuple(normal_code(c) for c in value)
        if any(not c for c in codes):
            raise ValueError("an LSOA code is blank")
        return codes


class PoliceUkSource(Source[PoliceUkOptions]):
    type_name = "policeuk"
    Options = PoliceUkOptions

    def __init__(self, spec: SourceSpec, partner: Partner, config: Config, **kwargs: Any) -> None:
        super().__init__(spec, partner, config, **kwargs)
        opts = self.options
        # checked here, with the partnership at hand: ignoring a code the partnership lists is a contradiction
        if isinstance(opts.ignore_unmatched_lsoas, tuple):
            ours = {normal_code(c) for c in lsoa_areas(config, f"partners/{partner.id}.toml")}
            clash = [c for c in opts.ignore_unmatched_lsoas if c in ours]
            if clash:
                raise ConfigError(
                    f"partners/{partner.id}.toml",
                    f"sources (id={spec.id!r}).ignore_unmatched_lsoas",
                    f"{', '.join(clash)} {'is' if len(clash) == 1 else 'are'} in partnership.toml's neighbourhoods",
                    hint="list only codes that belong to no neighbourhood",
                )

    def read(self) -> SourceData:
        opts = self.options
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
        lsoa_area = {normal_code(k): v for k, v in lsoa_areas(self.config, f"partners/{self.partner.id}.toml").items()}
        tally, account = tally_files(files, chunksize=opts.chunksize, progress=self.tick)
        counted, months, gaps = classify(tally, account, lsoa_area, opts, self.period)
        indicators = sorted(set(opts.crime_types.values()))
        borough = self.config.partnership.borough.id
        frame = to_observations(counted, months, indicators, lsoa_area, borough, gaps=gaps)
        if opts.received_days_after is not None and not frame.empty:
            now = dt.datetime.now(dt.UTC)
            after = dt.timedelta(days=opts.received_days_after)
            when = {
                key: min(dt.datetime.combine(Period.parse(key).last_day + after, dt.time(), dt.UTC), now)
                for key in frame["period"].unique()
            }
            frame["received"] = frame["period"].map(when)
        description = f"{len(files)} police.uk file{'s' if len(files) != 1 else ''} in {folder}"
        for drop in account.drops:
            log.debug("police.uk: %s %s: %d rows", drop.reason, drop.detail, drop.rows)
        return SourceData(frame=frame, files=files, description=description, account=account)


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


# --- reading: rows counted per distinct (month, force, LSOA, name, type), per file ------------------
TALLY_KEYS = ["month", "force", "lsoa", "name", "crime_type"]


def tally_files(
    files: list[Path], *, chunksize: int = 200_000, progress: Progress | None = None
) -> tuple[pd.DataFrame, RowAccount]:
    """Rows of every file counted by TALLY_KEYS (column ``n``), with a duplicate (force, month)
    left out and accounted for. The key is the data's own, not the file name's: "Reported by"
    (the force that recorded the crimes and publishes the file) and "Month". "Falls within"
    would be wrong: a British Transport Police file has rows that fall within Cleveland too,
    and must not clash with Cleveland's own file. Without a "Reported by" value, the force is
    taken from the file name (YYYY-MM-<force>-street.csv)."""
    account = RowAccount()
    owner: dict[tuple[str, str], Path] = {}
    parts: list[pd.DataFrame] = []
    for n, path in enumerate(files):
        if progress:
            progress(n, len(files), path.name)
        tally = _tally_file(path, chunksize)
        account.read += int(tally["n"].sum())
        blank = tally["force"] == ""
        if blank.any():
            match = _FILE_NAME.match(path.name)
            tally["force"] = tally["force"].astype(str).where(~blank, match["force"] if match else path.name)
        keys = tally.groupby(["force", "month"], sort=True)["n"].sum()
        repeated = []
        for (force, month), rows in cast(Iterable[tuple[tuple[str, str], int]], keys.items()):
            first = owner.setdefault((force, month), path)
            if first != path:
                repeated.append((force, month))
                detail = f"{path.name} repeats {force} {month}, already read from {first.name}"
                account.drops.append(Drop(DropReason.DUPLICATE, int(rows), True, detail))
        if repeated:
            again = pd.MultiIndex.from_frame(tally[["force", "month"]]).isin(repeated)
            tally = tally[~again]
        parts.append(tally)
    if progress:
        progress(len(files), len(files), "")
    if not parts:
        return pd.DataFrame({k: pd.Series(dtype=str) for k in TALLY_KEYS} | {"n": pd.Series(dtype="int64")}), account
    tally = pd.concat(parts, ignore_index=True)
    for column in TALLY_KEYS:
        # categories: every later map and group works per distinct label, not per row
        tally[column] = tally[column].astype("category")
    return tally, account


def _tally_file(path: Path, chunksize: int) -> pd.DataFrame:
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
    present = [c for c in OPTIONAL if c in header]
    names = {
        "Month": "month",
        "Reported by": "force",
        "LSOA code": "lsoa",
        "LSOA name": "name",
        "Crime type": "crime_type",
    }
    parts = [
        part.groupby([*NEEDED, *present], observed=True).size()
        for part in _chunks(path, [*NEEDED, *present], chunksize, fields=len(header))
    ]
    if not parts:
        return pd.DataFrame({k: pd.Series(dtype=str) for k in TALLY_KEYS} | {"n": pd.Series(dtype="int64")})
    # a file is one chunk unless it is huge; only then are chunk counts added up
    counts = (
        parts[0] if len(parts) == 1 else pd.concat(parts).groupby(level=list(range(len(parts[0].index.names)))).sum()
    )
    frame = counts.rename("n").reset_index().rename(columns=names)
    for column in TALLY_KEYS:
        # on categories, so per distinct value; a label that strips to another one's is simply a
        # second tally row for the same key, which every later step sums
        frame[column] = frame[column].map(str.strip) if column in frame.columns else ""
    return frame[[*TALLY_KEYS, "n"]]


def _chunks(path: Path, usecols: list[str], chunksize: int, fields: int | None = None) -> Iterator[pd.DataFrame]:
    """The file's ``usecols`` in chunks, refused at the first row whose number of fields is not
    the header's ``fields`` (read from the file when not given) or whose month is not one."""
    where = str(path)
    offset = 0
    try:
        if fields is None:
            fields = len(pd.read_csv(path, nrows=0).columns)
        with open_bytes(path) as raw:
            # pandas reading some columns lets a row with extra fields through (a shifted unquoted
            # comma) and pads a short one; FieldCheck counts each line's fields as the bytes pass
            check = FieldCheck(raw, fields)
            reader = pd.read_csv(
                check,  # type: ignore[call-overload]
                usecols=usecols,
                dtype="category",
                keep_default_na=False,
                chunksize=chunksize,
                engine="c",
            )
            with reader:
                for chunk in reader:
                    if check.first:
                        check.drain()  # the whole file's count for the message
                        raise _wrong_fields(where, fields, check.first, check.wrong)
                    month = chunk["Month"]
                    ok = month.cat.categories.map(lambda m: bool(_MONTH.match(str(m))))
                    if not ok.all():
                        if check.quoted:  # a shifted row is the likelier cause: say so if it is one
                            first, wrong = wrong_lines_quoted(path, fields)
                            if first:
                                raise _wrong_fields(where, fields, first, wrong)
                        bad = set(month.cat.categories[~ok.to_numpy()])
                        first_bad = int(month.isin(bad).to_numpy().nonzero()[0][0])
                        raise DataError(
                            f"line {offset + first_bad + 2}, column 'Month': {str(month.iloc[first_bad])!r} "
                            "is not a month (police.uk files use YYYY-MM)",
                            file=where,
                        )
                    offset += len(chunk)
                    yield chunk
            first, wrong = wrong_lines_quoted(path, fields) if check.quoted else (check.first, check.wrong)
            if first:
                raise _wrong_fields(where, fields, first, wrong)
    except pd.errors.ParserError as exc:
        # pandas counts lines over the whole file ("Expected 12 fields in line 57, saw 13"): name
        # that line, not where the chunk began (a file is one chunk unless it is huge)
        # ("EOF inside string starting at row 299" counts from 0, so that is line 300)
        found = re.search(r"\b(line|row) (\d+)", str(exc))
        detail = str(exc).split("C error: ")[-1].strip()
        if found:
            line = int(found.group(2)) + (found.group(1) == "row")
            raise DataError(f"line {line}: is not a well-formed police.uk row ({detail})", file=where) from None
        raise DataError(f"is not a well-formed police.uk CSV after line {offset + 1} ({detail})", file=where) from None
    except (UnicodeDecodeError, EOFError, OSError) as exc:
        raise DataError(
            f"is not a well-formed police.uk CSV after line {offset + 1} ({exc.__class__.__name__}: {exc})",
            file=where,
        ) from None


def _wrong_fields(where: str, fields: int, first: tuple[int, int], wrong: int) -> DataError:
    line, found = first
    more = f"; {wrong - 1:,} more line{'s are' if wrong > 2 else ' is'} wrong too" if wrong > 1 else ""
    return DataError(
        f"line {line}: wrong number of fields ({found} where the header has {fields}), so its values would land "
        f"in the wrong columns{more}",
        file=where,
        hint="a value holding a comma must be in double quotes" if found > fields else "was the file cut short?",
    )


# --- accounting: each distinct row kind counted or dropped with its reason --------------------------
def classify(
    tally: pd.DataFrame,
    account: RowAccount,
    lsoa_area: dict[str, str],
    opts: PoliceUkOptions,
    period: Period | None,
) -> tuple[pd.DataFrame, set[str], set[tuple[str, str]]]:
    """Decide for every tallied row whether it is counted, and why not; fill in ``account``.

    Returns the counted rows (month, lsoa, indicator, n; codes normalised), the months to
    report (every month the files hold, within ``period`` when one is asked for) and the
    (indicator, month) pairs left without a figure because every crime type feeding the
    indicator vanished from that month."""
    df = tally.copy()
    df["code"] = df["lsoa"].map(normal_code)
    df["type_key"] = df["crime_type"].map(normal_text)
    gaps = _vanished(df, account, opts)
    months = set(df["month"])
    # a declared exception that matches nothing is stale (or itself mistyped): said, not fatal
    stale = [t for t in opts.ignore_crime_types if normal_text(t) not in set(df["type_key"])]
    if isinstance(opts.ignore_unmatched_lsoas, tuple):
        stale += [c for c in opts.ignore_unmatched_lsoas if c not in set(df["code"])]
    if stale:
        account.notes.append(f"the config ignores {', '.join(map(repr, stale))}, which no file holds")

    if period is not None:
        inside = {m: period.contains(Period.parse(m)) for m in months}
        out = ~df["month"].map(inside).astype(bool)
        for month, rows in df[out].groupby("month")["n"].sum().items():
            account.drops.append(
                Drop(DropReason.MONTH_OUT_OF_RANGE, int(rows), False, f"{month} (not in {period.key})")
            )
        df = df[~out]
        months = {m for m, keep in inside.items() if keep}

    df = _classify_location(df, account, lsoa_area, opts)
    counted = _classify_type(df, account, opts)
    account.loaded = int(counted["n"].sum())
    if account.loaded == 0 and any(d.reason == DropReason.OUTSIDE for d in account.drops):
        # not one row of the partnership's: the wrong force's folder, or LSOA codes of another
        # vintage in partnership.toml. Loading would record 0 for everything, so it fails.
        account.drops = [
            replace(d, fails=True) if d.reason in (DropReason.OUTSIDE, DropReason.NO_LOCATION) else d
            for d in account.drops
        ]
    return counted, months, gaps


def _prefix(name: str) -> str:
    match = _LSOA_NAME.match(name)
    return match["prefix"] if match else ""


def _classify_location(
    df: pd.DataFrame, account: RowAccount, lsoa_area: dict[str, str], opts: PoliceUkOptions
) -> pd.DataFrame:
    """Keep the rows in a configured LSOA; account for the others (see the module docstring)."""
    ours = df["code"].isin(list(lsoa_area))
    loose = df[ours & (df["lsoa"] != df["code"])]
    for code, rows in loose.groupby("lsoa")["n"].sum().items():
        account.notes.append(
            f"LSOA code {code!r} in the files matched {normal_code(str(code))} after normalising case and spaces "
            f"({rows_text(int(rows))})"
        )
    blank = df["code"] == ""
    if blank.any():
        account.drops.append(Drop(DropReason.NO_LOCATION, int(df.loc[blank, "n"].sum()), False))
    others = df[~ours & ~blank]
    # the partnership's own LSOA-name prefixes, learnt from the names the files give its codes
    prefixes = {_prefix(n) for n in df.loc[ours, "name"].unique()} - {""}
    seen_codes = set(df["code"])
    absent = sorted(set(lsoa_area) - seen_codes)
    if absent:
        # an LSOA with no crime all year is rare; more often its code is mistyped in the config
        listed = ", ".join(absent[:MAX_LISTED])
        if len(absent) > MAX_LISTED:
            listed += f" and {len(absent) - MAX_LISTED} more"
        one = len(absent) == 1
        account.warnings.append(
            f"{len(absent)} LSOA code{'' if one else 's'} in partnership.toml appear{'s' if one else ''} "
            f"in no file: {listed}"
        )
    ignored = opts.ignore_unmatched_lsoas
    outside: dict[str, int] = {}
    counted = others.groupby(["code", "name"], sort=True)["n"].sum()
    by_code = cast(Iterable[tuple[tuple[str, str], int]], counted.items())  # text columns
    for (code, name), rows in by_code:
        prefix = _prefix(name)
        ours_by_name = bool(prefix) and prefix in prefixes
        # a code one slip from a configured code that no file holds; not asked of a row whose name
        # says it is another district's (neighbouring districts have neighbouring codes)
        named_elsewhere = bool(prefix) and bool(prefixes) and not ours_by_name
        near = [] if named_elsewhere else [c for c in absent if _one_slip(code, c)]
        if not near and not ours_by_name:
            outside[prefix or name or code] = outside.get(prefix or name or code, 0) + int(rows)
            continue
        why = f"{code}" + (f" ({name})" if name else "") + " is in no neighbourhood"
        if near:
            why += f"; partnership.toml lists {near[0]}, which no file holds (mistyped?)"
        else:
            why += f", though named like the partnership's LSOAs ({prefix} ...)"
        if ignored is True or (isinstance(ignored, tuple) and code in ignored):
            account.drops.append(Drop(DropReason.IGNORED_LSOA, int(rows), False, why))
        else:
            account.drops.append(Drop(DropReason.UNMATCHED_LSOA, int(rows), True, why))
    if outside:
        ranked = sorted(outside.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{k} {v:,}" for k, v in ranked[:MAX_LISTED])
        more = f" and {len(ranked) - MAX_LISTED} more" if len(ranked) > MAX_LISTED else ""
        account.drops.append(Drop(DropReason.OUTSIDE, sum(outside.values()), False, f"{shown}{more}"))
    return df[ours]


def _classify_type(df: pd.DataFrame, account: RowAccount, opts: PoliceUkOptions) -> pd.DataFrame:
    """Map crime types to indicators after normalising; account for ignored and unknown types."""
    mapped = {normal_text(t): (t, ind) for t, ind in opts.crime_types.items()}
    ignored = {normal_text(t) for t in opts.ignore_crime_types}
    loose = df[df["type_key"].isin(list(mapped)) & ~df["crime_type"].isin(list(opts.crime_types))]
    for raw, rows in loose.groupby("crime_type")["n"].sum().items():
        account.notes.append(
            f"crime type {raw!r} in the files matched {mapped[normal_text(str(raw))][0]!r} after normalising case and "
            f"spaces ({rows_text(int(rows))})"
        )
    present = set(df["type_key"])
    unused = [t for k, (t, _) in mapped.items() if k not in present]
    for raw, rows in df[df["type_key"].isin(list(ignored))].groupby("crime_type")["n"].sum().items():
        account.drops.append(Drop(DropReason.IGNORED_CRIME_TYPE, int(rows), False, repr(raw)))
    unknown = df[~df["type_key"].isin(list(mapped)) & ~df["type_key"].isin(list(ignored))]
    for raw, rows in unknown.groupby("crime_type")["n"].sum().sort_values(ascending=False).items():
        close = difflib.get_close_matches(
            normal_text(str(raw)), [normal_text(t) for t in unused] or list(mapped), n=1, cutoff=0.5
        )
        guess = f" (did you mean {mapped[close[0]][0]!r}?)" if close else ""
        account.drops.append(Drop(DropReason.UNKNOWN_CRIME_TYPE, int(rows), True, f"{raw!r}{guess}"))
    kept = df[df["type_key"].isin(list(mapped))].copy()
    kept["indicator"] = kept["type_key"].map({k: ind for k, (_, ind) in mapped.items()})
    return kept[["month", "code", "indicator", "n"]].rename(columns={"code": "lsoa"})


def _vanished(df: pd.DataFrame, account: RowAccount, opts: PoliceUkOptions) -> set[tuple[str, str]]:
    """Crime types with rows in earlier months of the source and none in a later month: renamed
    by police.uk (the new name then shows up as an unknown type) or withdrawn. Each is a warning.
    Judged over every row of the files, whatever its area, so a rare type in a small area does
    not cry wolf. An indicator all of whose types vanished from a month gets no figure for it
    (a 0 there would be a fall to nothing that never happened); the pairs are returned."""
    present = df[df["n"] > 0].groupby("month")["type_key"].agg(set)
    names = df.drop_duplicates("type_key").set_index("type_key")["crime_type"].to_dict()
    feeds: dict[str, set[str]] = {}
    for crime_type, indicator in opts.crime_types.items():
        feeds.setdefault(indicator, set()).add(normal_text(crime_type))
    earlier: set[str] = set()
    missing: dict[str, list[str]] = {}
    gaps: set[tuple[str, str]] = set()
    for month in sorted(present.index):
        for key in sorted(earlier - present[month]):
            missing.setdefault(key, []).append(month)
        for indicator, keys in feeds.items():
            if keys & earlier and not keys & present[month]:
                gaps.add((indicator, month))
        earlier |= present[month]
    for key, gone in missing.items():
        account.warnings.append(
            f"crime type {names[key]!r} has no rows in {', '.join(gone)}, though earlier months have some: "
            "renamed or withdrawn by police.uk?"
        )
    for indicator, month in sorted(gaps):
        account.warnings.append(
            f"{indicator} has no figure for {month}: none of its crime types has a row that month "
            "(left out rather than recorded as 0)"
        )
    return gaps


def _one_slip(a: str, b: str) -> bool:
    """One character wrong, missing, extra, or two neighbours swapped (a typed code's slips)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def to_observations(
    counted: pd.DataFrame,
    months: set[str],
    indicators: list[str],
    lsoa_area: dict[str, str],
    borough: str,
    *,
    gaps: AbstractSet[tuple[str, str]] = frozenset(),
) -> pd.DataFrame:
    """Counts per indicator x area x month, with zeros where nothing was recorded, except the
    (indicator, month) ``gaps``, which get no figure at all."""
    areas = [borough, *sorted({a for a in lsoa_area.values() if a})]
    grid = pd.MultiIndex.from_product([indicators, areas, sorted(months)], names=["indicator", "area", "period"])
    if len(counted):
        df = counted.rename(columns={"month": "period", "n": "value"})
        df["area"] = df["lsoa"].map(lsoa_area)
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
    if gaps:
        pairs = pd.MultiIndex.from_frame(out[["indicator", "period"]])
        out = out[~pairs.isin(list(gaps))].reset_index(drop=True)
    out["value"] = out["value"].astype("int64")
    out["row"] = out["indicator"] + " / " + out["area"] + " / " + out["period"]
    return out
