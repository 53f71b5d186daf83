"""Rebuild this example's data from the acceptance-data copies of the public files.

    python examples/hartlepool/make_data.py [SHARED_DIR]

SHARED_DIR defaults to ``<repo>/../shared``. Writes ``data/police-uk/*.csv.gz`` (the
Hartlepool rows of each monthly Cleveland street file, byte for byte, every column kept)
and ``data/lsoa-neighbourhoods.csv`` (each LSOA, its neighbourhood and its Census 2021
population), and prints the neighbourhood blocks for ``partnership.toml``.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PREFIX = "Hartlepool "
# 2011 LSOAs the police files use that the 2021 census merged into one new LSOA
MERGED_2021 = {"E01011973": "E01035188", "E01011976": "E01035188"}


def main(shared: Path) -> None:
    police = shared / "acceptance-data" / "police-uk" / "cleveland-street"
    census = shared / "acceptance-data" / "ons" / "census2021-ts001-lsoa.csv"
    out = HERE / "data" / "police-uk"
    out.mkdir(parents=True, exist_ok=True)
    lsoa_names: dict[str, str] = {}
    for path in sorted(police.glob("*-cleveland-street.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            lines = fh.read().splitlines(keepends=True)
        kept = [lines[0]]
        for line in lines[1:]:
            row = next(csv.reader([line]))
            if row[8].startswith(PREFIX):
                kept.append(line)
                lsoa_names[row[7]] = row[8]
        target = out / (path.name + ".gz")
        # mtime=0 and no file name inside: the same input gives the same bytes
        with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write("".join(kept).encode("utf-8"))
        sys.stdout.write(f"{target.name}: {len(kept) - 1} rows\n")

    population: dict[str, int] = {}
    with census.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["geography"].startswith(PREFIX):
                population[row["geography code"]] = int(row["Residence type: Total; measures: Value"])

    rows = []
    for code, name in sorted(lsoa_names.items(), key=lambda kv: kv[1]):
        msoa = name[len(PREFIX) : len(PREFIX) + 3]
        rows.append({"lsoa_code": code, "lsoa_name": name, "neighbourhood": f"hartlepool-{msoa}",
                     "census2021_code": MERGED_2021.get(code, code)})  # fmt: skip
    with (HERE / "data" / "lsoa-neighbourhoods.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=[*rows[0], "census2021_population"])
        w.writeheader()
        for r in rows:
            w.writerow(r | {"census2021_population": population[r["census2021_code"]]})

    groups: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        groups.setdefault(r["neighbourhood"], []).append(r)
    total = sum(population.values())
    sys.stdout.write(f"\nborough population {total}, {len(lsoa_names)} LSOAs\n\n")
    for nid, members in groups.items():
        codes = {m["census2021_code"] for m in members}
        pop = sum(population[c] for c in codes)
        msoa = nid.removeprefix("hartlepool-")
        lsoas = ", ".join(f'"{m["lsoa_code"]}"' for m in members)
        sys.stdout.write(
            f'[[neighbourhoods]]\nid = "{nid}"\nname = "Hartlepool {msoa}"\n'
            f"population = {pop}\nlsoas = [{lsoas}]\n\n"
        )


if __name__ == "__main__":
    # <repo>/../shared; from a git worktree one level deeper, <repo>/../../shared
    default = next((p / "shared" for p in HERE.parents[2:4] if (p / "shared").is_dir()), Path("shared"))
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
