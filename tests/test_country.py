"""The synthetic country (reportgen.country): real local authorities' sizes from Census 2021,
the same bytes from the same seed, and partnership folders the config loader accepts."""

from __future__ import annotations

import tomllib
from pathlib import Path

from reportgen.config import load_config
from reportgen.country import authorities, write_country


def test_the_packaged_census_table_has_every_lsoa_and_msoa_of_england_and_wales() -> None:
    table = authorities()
    # ONS Census 2021 TS001: 35,672 LSOAs in England and Wales (the acceptance-data README), in
    # 7,264 MSOAs of 331 local authorities (2021 boundaries), 59,597,542 usual residents
    # published (the table sums the LSOA figures, which ONS rounds independently)
    assert sum(a.lsoas for a in table) == 35_672
    assert sum(a.msoas for a in table) == 7_264 and len(table) == 331
    assert abs(sum(a.population for a in table) - 59_597_542) < 1_000
    wigan = next(a for a in table if a.name == "Wigan")
    assert wigan.lsoas == 200  # "200 named Wigan ..." in the acceptance-data README


def test_same_seed_same_country_and_every_folder_loads(tmp_path: Path) -> None:
    first = write_country(tmp_path / "a", 4, seed=3, max_neighbourhoods=6)
    write_country(tmp_path / "b", 4, seed=3, max_neighbourhoods=6)

    def files(root: Path) -> dict[Path, bytes]:
        return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert files(tmp_path / "a") == files(tmp_path / "b")
    write_country(tmp_path / "c", 4, seed=4, max_neighbourhoods=6)
    assert files(tmp_path / "c") != files(tmp_path / "a")
    by_name = {a.name: a for a in authorities()}
    for folder in first:
        config = load_config(folder)
        p = config.partnership
        authority = by_name[p.borough.name]
        assert len(p.neighbourhoods) == max(2, min(authority.msoas, 6))
        assert sum(n.population for n in p.neighbourhoods) == p.borough.population
        assert 0 < sum(n.priority for n in p.neighbourhoods) < len(p.neighbourhoods)
        # neighbourhoods are MSOA-sized: the census's MSOAs hold 2,053 to 18,476 residents
        assert all(1_000 < n.population < 25_000 for n in p.neighbourhoods)
        raw = tomllib.loads((folder / "partnership.toml").read_text(encoding="utf-8"))
        assert raw["id"] == folder.name and raw["name"] == f"{authority.name} Community Safety Partnership"
        police = (folder / "data" / "police_crime.csv").read_text(encoding="utf-8")
        assert all(f",{n.id},2005-03," in police for n in p.neighbourhoods)
    assert len({f.name for f in first}) == 4
