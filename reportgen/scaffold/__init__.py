"""``reportgen init``: start a partnership folder from the files a performance officer has in
hand (police.uk street files, the Census 2021 LSOA population file, the area's name).

:func:`init_partnership` reads them (:mod:`.inputs`), decides the neighbourhoods, populations,
indicators and baseline (:mod:`.plan`), writes commented TOML (:mod:`.write`) and loads the
result back with the ordinary config loader, so what it writes is known to be valid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.config import load_config
from reportgen.errors import ConfigError
from reportgen.scaffold.inputs import read_census, read_lookup, read_lsoa_list, read_police_folder
from reportgen.scaffold.plan import Plan, make_plan
from reportgen.scaffold.write import derived_toml, partnership_toml, police_toml, strategy_toml

__all__ = ["InitResult", "Plan", "accounting_connector", "init_partnership"]

# The connector that accounts for every row has this option (see policeuk.py); init writes for
# whichever connector this version of reportgen has, so the folder always pulls.
IGNORE_UNMATCHED_OPTION = "ignore_unmatched_lsoas"


def accounting_connector() -> bool:
    from reportgen.sources.policeuk import PoliceUkOptions

    return IGNORE_UNMATCHED_OPTION in PoliceUkOptions.model_fields


@dataclass
class InitResult:
    folder: Path
    plan: Plan
    files: list[Path] = field(default_factory=list)


def init_partnership(
    folder: Path,
    *,
    police: Path,
    population: Path,
    area: str | None = None,
    lsoas: str | None = None,
    neighbourhoods: Path | None = None,
    name: str | None = None,
    priority_count: int = 2,
    force: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> InitResult:
    """Write partnership.toml, partners/police.toml, derived.toml and strategies/starter.toml
    into ``folder`` and return what was decided (notes) and what could not be matched (warnings)."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(str(folder), None, "is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise ConfigError(
            str(folder), None, "already exists and is not empty", hint="choose a new folder, or --force to overwrite"
        )
    police_files = read_police_folder(police, progress)
    census = read_census(population)
    lookup = read_lookup(neighbourhoods) if neighbourhoods else None
    plan = make_plan(
        police_files,
        census,
        area=area,
        lsoas=read_lsoa_list(lsoas) if lsoas else None,
        lookup=lookup,
        lookup_file=str(neighbourhoods or ""),
        priority_count=priority_count,
    )
    title = name or f"{plan.area_name} Community Safety Partnership"
    texts = {
        "partnership.toml": partnership_toml(plan, title),
        "partners/police.toml": police_toml(plan, folder, accounting_connector()),
        "derived.toml": derived_toml(plan),
        "strategies/starter.toml": strategy_toml(plan),
    }
    result = InitResult(folder=folder, plan=plan)
    for rel, text in texts.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.files.append(path)
    load_config(folder)  # what init writes must load; a failure here is a bug, reported as config error
    return result
