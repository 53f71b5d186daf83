"""Helpers for the source, returns and Hartlepool tests: small real config folders and
data files written into tmp_path. Plain functions (not fixtures) so any test module can
import them without touching the shared conftest."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import sqlite3
from pathlib import Path

from reportgen.sources.policeuk import COLUMNS as POLICEUK_COLUMNS

REPO = Path(__file__).resolve().parents[1]
# <repo>/../shared (a git worktree may sit one level deeper)
SHARED = next(
    (p / "shared" for p in (REPO.parent, REPO.parent.parent) if (p / "shared").is_dir()),
    REPO.parent / "shared",
)

# Neighbourhood -> LSOA codes of the test partnership (made-up codes, real format).
LSOAS = {"north": ["E01000101", "E01000102"], "south": ["E01000201"]}
OUTSIDE_LSOA = "E01999999"  # a snapped point over the border: same force, other district

# The canonical observations every connector must produce: indicator, area, period, value.
# Borough values are the sums of the neighbourhoods, so police.uk rows can produce them too.
_NEIGHBOURHOOD_VALUES = {
    ("burglary", "north", "2022-03"): 3,
    ("burglary", "south", "2022-03"): 2,
    ("burglary", "north", "2022-04"): 0,
    ("burglary", "south", "2022-04"): 4,
    ("asb", "north", "2022-03"): 5,
    ("asb", "south", "2022-03"): 1,
    ("asb", "north", "2022-04"): 2,
    ("asb", "south", "2022-04"): 0,
}


def canonical_rows() -> list[tuple[str, str, str, int]]:
    rows = [(i, a, p, v) for (i, a, p), v in _NEIGHBOURHOOD_VALUES.items()]
    totals: dict[tuple[str, str], int] = {}
    for (i, _a, p), v in _NEIGHBOURHOOD_VALUES.items():
        totals[(i, p)] = totals.get((i, p), 0) + v
    rows += [(i, "borough", p, v) for (i, p), v in totals.items()]
    return sorted(rows)


PARTNERSHIP_TOML = """
name = "Testborough Community Safety Partnership"
short_name = "Testborough CSP"

[contact]
name = "Partnership Support Team"

[borough]
id = "borough"
name = "Testborough"
population = 100000

[[neighbourhoods]]
id = "north"
name = "North"
population = 60000
lsoas = {north}

[[neighbourhoods]]
id = "south"
name = "South"
population = 40000
priority = true
lsoas = {south}
"""

POLICE_TOML = """
id = "police"
name = "Testshire Police"
return_deadline_days = 10

{source}

[[indicators]]
id = "burglary"
title = "Burglary"
unit = "count"
polarity = "lower_is_better"
{source_ref}

[[indicators]]
id = "asb"
title = "Anti-social behaviour incidents"
unit = "count"
polarity = "lower_is_better"
{source_ref}
"""

COUNCIL_TOML = """
id = "council"
name = "Testborough Council"
return_deadline_days = 15

[[sources]]
id = "returns"
type = "excel"
path = "returns/council.xlsx"
sheet = "Return"
areas = ["borough", "north", "south"]

[[indicators]]
id = "graffiti"
title = "Graffiti reports"
unit = "count"
polarity = "lower_is_better"
source = "returns"

[[indicators]]
id = "cleanliness"
title = "Streets meeting the cleanliness standard"
unit = "percentage"
polarity = "higher_is_better"
frequency = "quarterly"
source = "returns"

[[indicators]]
id = "wellbeing"
title = "Resident wellbeing score"
unit = "score"
polarity = "higher_is_better"
frequency = "quarterly"
source = "returns"
"""


def write_config(root: Path, source_toml: str = "", *, council: bool = True) -> Path:
    """A config folder: the test partnership, a police partner with ``source_toml`` as its
    one source (id "main"), and (optionally) a council partner that sends Excel returns."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "partners").mkdir(exist_ok=True)
    (root / "partnership.toml").write_text(
        PARTNERSHIP_TOML.format(north=_toml_list(LSOAS["north"]), south=_toml_list(LSOAS["south"]))
    )
    ref = 'source = "main"' if source_toml else ""
    (root / "partners" / "police.toml").write_text(POLICE_TOML.format(source=source_toml, source_ref=ref))
    if council:
        (root / "partners" / "council.toml").write_text(COUNCIL_TOML)
    return root


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


# --- writers: the canonical rows in each connector's format -------------------------------
def write_csv(path: Path, rows: list[tuple]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["indicator", "area", "period", "value"])
        w.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[tuple], *, sheet: str = "Return", title: bool = True) -> Path:
    """A hand-made-looking return: a merged title row, header cells merged over two rows,
    month periods as real Excel dates, a blank row in the middle of the data."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    start = 1
    if title:
        ws["A1"] = "Monthly return to the partnership"
        ws.merge_cells("A1:D1")
        start = 2
    # header over two rows: "Indicator" and "Value" merged down, "Area"/"Period" under a banner
    ws.cell(start, 1, "Indicator")
    ws.merge_cells(start_row=start, start_column=1, end_row=start + 1, end_column=1)
    ws.cell(start, 2, "Where and when")
    ws.merge_cells(start_row=start, start_column=2, end_row=start, end_column=3)
    ws.cell(start + 1, 2, "Area")
    ws.cell(start + 1, 3, "Period")
    ws.cell(start, 4, "Value")
    ws.merge_cells(start_row=start, start_column=4, end_row=start + 1, end_column=4)
    r = start + 2
    for n, (ind, area, period, value) in enumerate(rows):
        if n == len(rows) // 2:
            r += 1  # a blank row
        ws.cell(r, 1, ind)
        ws.cell(r, 2, area)
        if isinstance(period, str) and len(period) == 7 and period[4] == "-":
            cell = ws.cell(r, 3, dt.datetime(int(period[:4]), int(period[5:]), 1))
            cell.number_format = "mmm yyyy"
        else:
            ws.cell(r, 3, period)
        ws.cell(r, 4, value)
        r += 1
    wb.save(path)
    return path


def xlsx_value_cell(rows: list[tuple], index: int, *, title: bool = True) -> str:
    """The cell (e.g. "D6") where write_xlsx puts the value of rows[index]."""
    r = (2 if title else 1) + 2 + index + (1 if index >= len(rows) // 2 else 0)
    return f"D{r}"


def write_sqlite(path: Path, rows: list[tuple]) -> Path:
    """A partner database: month periods stored as DATE text, other column names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE kpi (code TEXT, ward TEXT, month_start TEXT, n)")
    con.executemany(
        "INSERT INTO kpi VALUES (?, ?, ?, ?)",
        [(i, a, f"{p}-01" if len(p) == 7 else p, v) for i, a, p, v in rows],
    )
    con.commit()
    con.close()
    return path


SQL_SOURCE = """
[[sources]]
id = "main"
type = "sql"
url = "sqlite:///db/police.sqlite"
query = "SELECT code, ward, month_start, n FROM kpi WHERE month_start BETWEEN :first_day AND :last_day"
columns = {{ indicator = "code", area = "ward", period = "month_start", value = "n" }}
"""

CRIME_TYPES = {"Burglary": "burglary", "Anti-social behaviour": "asb"}
POLICEUK_SOURCE = """
[[sources]]
id = "main"
type = "policeuk"
path = "policeuk"
crime_types = {{ "Burglary" = "burglary", "Anti-social behaviour" = "asb" }}
ignore_crime_types = ["Drugs"]  # police_rows() adds Drugs rows the partnership does not count
"""
# The published police.uk street-level header, as the connector knows it.
POLICE_HEADER = list(POLICEUK_COLUMNS)
_TYPE_OF = {v: k for k, v in CRIME_TYPES.items()}


def police_rows(rows: list[tuple]) -> list[list[str]]:
    """Street-level rows that count up to the canonical neighbourhood values, plus rows the
    connector must leave out: an unmapped crime type and a point snapped over the border."""
    out = []
    for ind, area, period, value in rows:
        if area == "borough":
            continue
        for k in range(int(value)):
            lsoa = LSOAS[area][k % len(LSOAS[area])]
            crime_id = "" if ind == "asb" else hashlib.sha256(f"{ind}{area}{period}{k}".encode()).hexdigest()
            row = _police_row(crime_id, period, lsoa, _TYPE_OF[ind])
            if k % 2:
                row[3] = "Durham Constabulary"  # snapped over the border: still ours by its LSOA
            out.append(row)
    for period in sorted({r[2] for r in rows}):
        out.append(_police_row("x1", period, LSOAS["north"][0], "Drugs"))
        out.append(_police_row("x2", period, OUTSIDE_LSOA, "Burglary"))
    return out


def _police_row(crime_id: str, month: str, lsoa: str, crime_type: str) -> list[str]:
    outcome = "" if crime_type == "Anti-social behaviour" else "Under investigation"
    name = "Elsewhere 001A" if lsoa == OUTSIDE_LSOA else f"Testborough {lsoa[-3:]}A"
    return [crime_id, month, "Testshire Police", "Testshire Police", "-1.2", "54.6",
            "On or near High Street", lsoa, name, crime_type, outcome, ""]  # fmt: skip


def write_police_files(folder: Path, rows: list[tuple], *, gzip_last: bool = True) -> list[Path]:
    """One file per month, as data.police.uk publishes them; the last one gzipped."""
    folder.mkdir(parents=True, exist_ok=True)
    by_month: dict[str, list[list[str]]] = {}
    for r in police_rows(rows):
        by_month.setdefault(r[1], []).append(r)
    paths = []
    months = sorted(by_month)
    for month in months:
        name = f"{month}-testshire-street.csv"
        compress = gzip_last and month == months[-1]
        path = folder / (name + ".gz" if compress else name)
        opener = gzip.open if compress else open
        with opener(path, "wt", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(POLICE_HEADER)
            w.writerows(by_month[month])
        paths.append(path)
    return paths


def file_digest(path: Path) -> str:
    """sha256 of a file and of its SQLite WAL companion, if any: the store's bytes."""
    digest = hashlib.sha256()
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            digest.update(p.read_bytes())
    return digest.hexdigest()


# --- data returns ----------------------------------------------------------------------------
def value_for(indicator: str, area: str, period: str, *, bump: int = 0) -> float:
    """A plausible, deterministic figure for a template row (percentages stay in 0-100)."""
    base = sum(map(ord, f"{indicator}{area}{period}")) % 90 + 1 + bump
    return float(min(base, 100)) if indicator == "cleanliness" else float(base)


def fill_template(path: Path, out: Path | None = None, *, bump: int = 0, values: dict | None = None) -> Path:
    """Fill the Value cells of a template the way a partner would; ``values`` maps a cell
    ("D3") to what to type there instead."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["Return"]
    for r in range(2, ws.max_row + 1):
        ind, area, period = (ws.cell(r, c).value for c in (1, 2, 3))
        if ind:
            ws.cell(r, 4, value_for(ind, area, period, bump=bump))
    for cell, value in (values or {}).items():
        ws[cell] = value
    target = out or path
    wb.save(target)
    return target


def template_rows(path: Path) -> list[tuple[str, str, str]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [tuple(r[:3]) for r in wb["Return"].iter_rows(min_row=2, values_only=True) if r[0]]
    wb.close()
    return rows
