"""Decide what a new partnership folder holds: its LSOAs, neighbourhoods and populations, an
indicator for every crime type in the police files, priority neighbourhoods and a baseline
that the history can support. Every choice is written down in ``Plan.notes`` and every
LSOA code that could not be matched in ``Plan.warnings``: nothing is left out silently."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reportgen.errors import ConfigError
from reportgen.periods import Period, financial_year_start
from reportgen.scaffold.inputs import Census, PoliceFiles, split_lsoa_name

if TYPE_CHECKING:
    import pandas as pd

ASB = "anti-social behaviour"

# The crime types data.police.uk publishes, with the short ids, titles and polarity the
# Hartlepool example uses. A type not listed here (a new or renamed one) still gets an
# indicator, with an id made from its name.
KNOWN_TYPES: dict[str, tuple[str, str, str]] = {
    "anti-social behaviour": ("asb", "Anti-social behaviour incidents", "lower_is_better"),
    "violence and sexual offences": ("violence", "Violence and sexual offences", "lower_is_better"),
    "criminal damage and arson": ("criminal_damage", "Criminal damage and arson", "lower_is_better"),
    "public order": ("public_order", "Public order offences", "lower_is_better"),
    "shoplifting": ("shoplifting", "Shoplifting", "lower_is_better"),
    "other theft": ("other_theft", "Other theft", "lower_is_better"),
    "theft from the person": ("theft_from_person", "Theft from the person", "lower_is_better"),
    "bicycle theft": ("bicycle_theft", "Bicycle theft", "lower_is_better"),
    "burglary": ("burglary", "Burglary", "lower_is_better"),
    "vehicle crime": ("vehicle_crime", "Vehicle crime", "lower_is_better"),
    # more recorded can mean more proactive policing, so neither direction is "better"
    "drugs": ("drugs", "Drug offences", "contextual"),
    "possession of weapons": ("weapons", "Possession of weapons", "contextual"),
    "robbery": ("robbery", "Robbery", "lower_is_better"),
    "other crime": ("other_crime", "Other crime", "lower_is_better"),
}


def normalise(text: str) -> str:
    """Case and spacing do not make a different crime type ("Violence and Sexual Offences")."""
    return " ".join(text.lower().split())


def slug(text: str, sep: str = "-") -> str:
    return re.sub(r"[^a-z0-9]+", sep, text.lower()).strip(sep) or "area"


@dataclass
class Neighbourhood:
    id: str
    name: str
    lsoas: list[str]
    population: int
    priority: bool = False
    rate: float | None = None  # crime (excluding ASB) per 1,000 residents, the last 12 months
    from_census: list[str] = field(default_factory=list)  # 2021-only codes placed here by their siblings


@dataclass
class CrimeIndicator:
    id: str
    title: str
    polarity: str
    spellings: list[str]  # every spelling of the type in the files (normally one)
    rows: int


@dataclass
class Plan:
    area_name: str
    police: PoliceFiles
    census: Census
    neighbourhoods: list[Neighbourhood]
    unplaced: list[Neighbourhood]  # no population found: written commented out
    borough_lsoas: list[str]  # in the partnership but in no neighbourhood
    borough_population: int
    indicators: list[CrimeIndicator]
    baseline: Period
    target: Period
    report_period: Period
    rows_in_area: int
    rows_outside: dict[str, int]  # local authority (from the LSOA name) -> rows
    lookup_file: str = ""
    # LSOAs in the files named like the partnership's ("Hartlepool 0xx") that it leaves out (--lsoas
    # picked some of them): the source declares them, so a pull does not take them for a slip
    look_alike: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def crime_types(self) -> dict[str, str]:
        return {s: ind.id for ind in self.indicators for s in ind.spellings}

    @property
    def has_asb(self) -> bool:
        return any(ind.id == "asb" for ind in self.indicators)

    @property
    def all_lsoas(self) -> set[str]:
        return {c for n in (*self.neighbourhoods, *self.unplaced) for c in n.lsoas} | set(self.borough_lsoas)


def make_plan(
    police: PoliceFiles,
    census: Census,
    *,
    area: str | None = None,
    lsoas: list[str] | None = None,
    lookup: dict[str, str] | None = None,
    lookup_file: str = "",
    priority_count: int = 2,
) -> Plan:
    if not (area or lsoas or lookup):
        raise ConfigError(
            "init",
            None,
            "needs the partnership's area",
            hint="give --area NAME, --lsoas CODES or --neighbourhoods FILE",
        )
    police_names = police.lsoa_names
    notes: list[str] = []
    warnings: list[str] = []
    chosen = _choose_lsoas(police, census, area, lsoas, lookup, warnings)
    groups = _group_lsoas(chosen, police_names, census, lookup, lookup_file, warnings)
    neighbourhoods, unplaced = _neighbourhoods(groups, census, warnings)
    borough_population = sum(census.population.get(c, 0) for c in chosen.police | chosen.census)
    if borough_population <= 0:
        raise ConfigError(
            census.file or "--population",
            None,
            f"holds none of the {len(chosen.police | chosen.census)} LSOA codes of {chosen.area_name}",
            hint="use the Census 2021 LSOA population file for England and Wales (TS001)",
        )
    if unmatched := _unmatched_warning(chosen, police_names, census, groups.placed_by_census):
        warnings.append(unmatched)

    # --- rows inside and outside the partnership ---------------------------------------------
    ours = chosen.police | chosen.census | set(groups.borough_only)
    counts = police.counts
    inside = counts["LSOA code"].isin(ours)
    rows_in_area = int(counts.loc[inside, "rows"].sum())
    if rows_in_area == 0:
        raise ConfigError(
            "init",
            None,
            f"none of the rows in the police files is in {chosen.area_name}",
            hint="check --area (the local authority name the LSOA names start with) or --lsoas",
        )
    look_alike = _look_alike(ours, police_names, census, chosen.area_name, notes)
    indicators = _indicators(police, inside)
    _choose_priorities(neighbourhoods, police, inside, priority_count, notes)
    baseline, target, report_period = _periods(police.months, notes)
    notes.insert(
        0,
        f"{len(police.files)} police.uk file{'s' if len(police.files) != 1 else ''}, "
        f"{police.months[0]} to {police.months[-1]} ({len(police.months)} months): "
        f"{rows_in_area:,} rows in {chosen.area_name}.",
    )
    return Plan(
        area_name=chosen.area_name,
        police=police,
        census=census,
        neighbourhoods=neighbourhoods,
        unplaced=unplaced,
        borough_lsoas=sorted(set(groups.borough_only) | {c for h in unplaced for c in h.lsoas}),
        borough_population=borough_population,
        indicators=indicators,
        baseline=baseline,
        target=target,
        report_period=report_period,
        rows_in_area=rows_in_area,
        rows_outside=_rows_outside(counts[~inside & (counts["LSOA code"] != "")]),
        lookup_file=lookup_file,
        look_alike=look_alike,
        notes=notes,
        warnings=warnings,
    )


@dataclass
class _Chosen:
    """The partnership's LSOAs: those in the police files, those in the census (2021 codes), the
    codes given that are in neither, and the area's name."""

    police: set[str]
    census: set[str]
    missing_given: list[str]
    area_name: str


def _choose_lsoas(
    police: PoliceFiles,
    census: Census,
    area: str | None,
    lsoas: list[str] | None,
    lookup: dict[str, str] | None,
    warnings: list[str],
) -> _Chosen:
    """Which LSOAs are the partnership's: the codes given, else the area's, plus the lookup's."""
    police_names = police.lsoa_names
    if lsoas:
        wanted = set(lsoas)
        chosen_police = {c for c in police_names if c in wanted}
        chosen_census = {c for c in census.population if c in wanted}
        missing = [c for c in lsoas if c not in chosen_police and c not in chosen_census]
        if missing:
            warnings.append(
                f"{len(missing)} of the LSOA codes you gave are in neither the police files nor the population "
                f"file: {', '.join(missing)}. They are listed under borough.lsoas (rows with them will count) "
                "but add no population; check them for typing slips."
            )
        area_name = area or _commonest_la([police_names.get(c) or census.names.get(c, "") for c in lsoas])
    elif area:
        chosen_police, chosen_census = _match_area(area, police_names, census)
        # the local authority as the files spell it ("hartlepool" -> "Hartlepool"), else as given
        found = _commonest_la([police_names[c] for c in chosen_police])
        area_name = found if normalise(found) == normalise(area) else area
    else:
        chosen_police, chosen_census = set(), set()
        area_name = _commonest_la([police_names.get(c) or census.names.get(c, "") for c in lookup or {}])
    missing_given = [c for c in (lsoas or []) if c not in police_names and c not in census.population]
    if lookup:
        extra = set(lookup) - chosen_police - chosen_census - set(missing_given)
        chosen_police |= {c for c in extra if c in police_names}
        chosen_census |= {c for c in extra if c in census.population}
        missing_given += sorted(c for c in extra if c not in police_names and c not in census.population)
    return _Chosen(chosen_police, chosen_census, missing_given, area_name or "Partnership")


@dataclass
class _Groups:
    """LSOA codes by neighbourhood name; codes in the borough only; 2021-only codes placed by
    their siblings (by neighbourhood name)."""

    codes: dict[str, list[str]]
    borough_only: list[str]
    placed_by_census: dict[str, list[str]]


def _group_lsoas(
    chosen: _Chosen,
    police_names: dict[str, str],
    census: Census,
    lookup: dict[str, str] | None,
    lookup_file: str,
    warnings: list[str],
) -> _Groups:
    """Neighbourhoods: the MSOA in each police LSOA name, or the user's lookup; a code with
    neither is warned about and counts in the borough only."""
    groups = _Groups({}, list(chosen.missing_given), {})
    for code in sorted(chosen.police):
        name = _group_of(code, police_names.get(code, ""), lookup)
        if name is None:
            groups.borough_only.append(code)
            warnings.append(
                f"LSOA {code} ({police_names.get(code) or 'no name'}) is in no neighbourhood"
                + (f" of {lookup_file}" if lookup else " (its name has no MSOA number)")
                + ": it counts in the borough only. Add it to a neighbourhood's lsoas to count it there too."
            )
            continue
        groups.codes.setdefault(name, []).append(code)
    for code in sorted(chosen.census - chosen.police):
        home = _group_of(code, "", lookup) if lookup else _sibling_home(code, census, police_names, chosen.police)
        if home is None:
            groups.borough_only.append(code)
            warnings.append(
                f"LSOA {code} ({census.names.get(code, 'no name')}, population {census.population[code]:,}) is a "
                "Census 2021 code with no neighbourhood: its residents count in the borough population only."
            )
            continue
        groups.codes.setdefault(home, []).append(code)
        if not lookup:
            groups.placed_by_census.setdefault(home, []).append(code)
    return groups


def _neighbourhoods(
    groups: _Groups, census: Census, warnings: list[str]
) -> tuple[list[Neighbourhood], list[Neighbourhood]]:
    """The neighbourhoods with a population, and those without (warned about: written commented out)."""
    neighbourhoods: list[Neighbourhood] = []
    unplaced: list[Neighbourhood] = []
    used_ids = {"borough"}
    for name in sorted(groups.codes):
        codes = sorted(groups.codes[name])
        hood_id = slug(name)
        while hood_id in used_ids:
            hood_id += "-2"
        used_ids.add(hood_id)
        pop = sum(census.population.get(c, 0) for c in codes)
        hood = Neighbourhood(hood_id, name, codes, pop, from_census=groups.placed_by_census.get(name, []))
        (neighbourhoods if pop > 0 else unplaced).append(hood)
    for hood in unplaced:
        warnings.append(
            f"Neighbourhood {hood.name!r} has no population: none of its LSOA codes ({', '.join(hood.lsoas)}) is in "
            f"the population file. It is written commented out in partnership.toml and its LSOAs are listed under "
            "borough.lsoas, so its crimes still count in the borough. Give its population by hand and uncomment it."
        )
    return neighbourhoods, unplaced


def _unmatched_warning(
    chosen: _Chosen, police_names: dict[str, str], census: Census, placed_by_census: dict[str, list[str]]
) -> str | None:
    """A warning about 2011 codes in the police files that the 2021 census does not have (None: no such code)."""
    unmatched = sorted(c for c in chosen.police if c not in census.population)
    if not unmatched:
        return None
    listed = ", ".join(f"{c} ({police_names[c]})" for c in unmatched)
    moved = [
        f"{c} ({census.names.get(c, '?')}, {census.population[c]:,}) -> {h}"
        for h, codes in placed_by_census.items()
        for c in codes
    ]
    return (
        f"{len(unmatched)} LSOA code{'s' if len(unmatched) != 1 else ''} in the police files "
        f"{'are' if len(unmatched) != 1 else 'is'} not in the population file: {listed}. police.uk uses 2011 "
        "LSOA codes for older data and the Census 2021 file uses 2021 codes; most codes are unchanged, but "
        "these were merged or split in 2021. Their crimes are still counted (the codes stay in their "
        "neighbourhood's lsoas); "
        + (
            f"their residents are counted through the 2021 codes placed by their Census 2021 middle layer "
            f"area: {'; '.join(moved)}."
            if moved
            else "no 2021 code of this area replacing them was found, so their residents are in no "
            "neighbourhood's population."
        )
        + " Check the populations in partnership.toml, edit them by hand if needed, or give a lookup "
        "with --neighbourhoods FILE."
    )


def _rows_outside(outside: pd.DataFrame) -> dict[str, int]:
    """Rows of the police files outside the partnership, by local authority, most first."""
    rows_outside: dict[str, int] = Counter()
    for lsoa_name, n in outside.groupby("LSOA name")["rows"].sum().items():
        la = (split_lsoa_name(str(lsoa_name)) or (str(lsoa_name) or "(no name)", ""))[0]
        rows_outside[la] += int(n)
    return dict(sorted(rows_outside.items(), key=lambda kv: -kv[1]))


def _look_alike(
    ours: set[str], police_names: dict[str, str], census: Census, area_name: str, notes: list[str]
) -> list[str]:
    """LSOAs in the files named like the partnership's own but not given (noted: left out on purpose)."""
    our_las = {_la_of(police_names.get(c) or census.names.get(c, "")) for c in ours} - {""}
    look_alike = sorted(c for c, n in police_names.items() if c not in ours and _la_of(n) in our_las)
    if look_alike:
        notes.append(
            f"{len(look_alike)} LSOA{'s' if len(look_alike) != 1 else ''} in the files named like {area_name}'s "
            f"but not given: {', '.join(look_alike[:10])}{' ...' if len(look_alike) > 10 else ''}. Their rows "
            "are not counted; partners/police.toml lists them as left out on purpose."
        )
    return look_alike


def _la_of(name: str) -> str:
    parts = split_lsoa_name(name)
    return parts[0] if parts else ""


def _commonest_la(names: list[str]) -> str:
    las = Counter(la for la in map(_la_of, names) if la)
    return las.most_common(1)[0][0] if las else ""


def _match_area(area: str, police_names: dict[str, str], census: Census) -> tuple[set[str], set[str]]:
    """LSOAs whose name is in local authority ``area`` ("Hartlepool 001A"), or failing that whose
    name starts with ``area`` (an LSOA-name prefix)."""
    want = normalise(area)
    for test in (lambda n: normalise(_la_of(n)) == want, lambda n: normalise(n).startswith(want)):
        police = {c for c, n in police_names.items() if test(n)}
        if police:
            return police, {c for c, n in census.names.items() if test(n)}
    seen = Counter(_la_of(n) for n in police_names.values() if _la_of(n))
    raise ConfigError(
        "--area",
        None,
        f"no LSOA in the police files is named after {area!r}",
        hint="local authorities in the files: " + ", ".join(la for la, _ in seen.most_common(12)),
    )


def _group_of(code: str, name: str, lookup: dict[str, str] | None) -> str | None:
    if lookup is not None:
        return lookup.get(code)
    parts = split_lsoa_name(name)
    return parts[1] if parts else None


def _sibling_home(code: str, census: Census, police_names: dict[str, str], chosen: set[str]) -> str | None:
    """A 2021-only code (two 2011 LSOAs merged, or one split) joins a police neighbourhood among
    those of the LSOAs sharing its Census 2021 middle layer area: the one whose 2011 codes
    vanished from the census (the codes it replaced), else the one most of them are in."""
    parts = split_lsoa_name(census.names.get(code, ""))
    if not parts:
        return None
    siblings = [c for c, n in census.names.items() if c in chosen and (split_lsoa_name(n) or ("", ""))[1] == parts[1]]
    homes = Counter(h for c in siblings if (h := _group_of(c, police_names.get(c, ""), None)))
    if not homes:
        return None
    vanished = Counter(
        h for c in chosen if c not in census.population and (h := _group_of(c, police_names.get(c, ""), None))
    )
    return max(homes, key=lambda h: (vanished[h], homes[h], h))


def _indicators(police: PoliceFiles, inside: pd.Series) -> list[CrimeIndicator]:
    """One indicator per crime type (spellings that differ only in case or spaces share one).
    Every type anywhere in the files is mapped, so no row is dropped for its type."""
    rows = police.counts.loc[inside].groupby("Crime type")["rows"].sum()
    by_key: dict[str, CrimeIndicator] = {}
    # the commonest spelling first; on a tie, police.uk's own sentence case ("Violence and sexual offences")
    spellings = sorted(police.crime_types.items(), key=lambda kv: (-kv[1], sum(c.isupper() for c in kv[0]), kv[0]))
    for spelling, _ in spellings:
        key = normalise(spelling)
        if key in by_key:
            by_key[key].spellings.append(spelling)
            by_key[key].rows += int(rows.get(spelling, 0))
            continue
        ind_id, title, polarity = KNOWN_TYPES.get(key, (slug(key, "_"), spelling.strip(), "lower_is_better"))
        by_key[key] = CrimeIndicator(ind_id, title, polarity, [spelling], int(rows.get(spelling, 0)))
    order = list(KNOWN_TYPES)
    return sorted(
        by_key.values(),
        key=lambda i: (
            order.index(normalise(i.spellings[0])) if normalise(i.spellings[0]) in order else len(order),
            i.id,
        ),
    )


def _choose_priorities(
    hoods: list[Neighbourhood],
    police: PoliceFiles,
    inside: pd.Series,
    count: int,
    notes: list[str],
) -> None:
    """Priority neighbourhoods: the ``count`` highest crime rates per 1,000 residents (all crime
    excluding ASB, the last 12 months in the files). A starting point, to be changed."""
    if count <= 0:
        notes.append("No priority neighbourhoods (--priority 0), so no priority-neighbourhood gap.")
        return
    if len(hoods) < 2:
        notes.append("No priority neighbourhoods: a gap needs at least two neighbourhoods with a population.")
        return
    count = min(count, len(hoods) - 1)
    months = police.months[-12:]
    c = police.counts
    crime = c[inside & c["Month"].isin(months) & (c["Crime type"].map(normalise) != ASB)]
    by_code = crime.groupby("LSOA code")["rows"].sum()
    for h in hoods:
        h.rate = float(sum(int(by_code.get(code, 0)) for code in h.lsoas)) * 1000 / h.population
    ranked = sorted(hoods, key=lambda h: (-(h.rate or 0), h.name))
    for h in ranked[:count]:
        h.priority = True
    notes.append(
        f"Priority neighbourhoods (the {count} highest crime rates per 1,000 residents, excluding anti-social "
        f"behaviour, {months[0]} to {months[-1]}): "
        + ", ".join(f"{h.name} ({h.rate:.1f})" for h in ranked[:count])
        + ". Change 'priority' in partnership.toml to your partnership's own."
    )


def _periods(months: list[str], notes: list[str]) -> tuple[Period, Period, Period]:
    """Baseline: the earliest complete financial year in the files; target three years on. The
    report period is the latest month."""
    have = {Period.parse(m).start for m in months}
    last = Period.parse(months[-1])
    first = Period.parse(months[0])
    years = range(financial_year_start(first.start), financial_year_start(last.start) + 1)
    complete = [fy for fy in map(Period.financial_year, years) if all(i in have for i in fy.months)]
    if complete:
        baseline = complete[0]
        notes.append(f"Baseline {baseline.key}: the earliest complete financial year in the files.")
    else:
        baseline = last.financial_year_of_end()
        notes.append(
            f"Baseline {baseline.key}: the files hold no complete financial year (April to March), so changes "
            f"against the baseline cannot be worked out until {baseline.last_day:%B %Y} is loaded."
        )
    n = len(months)
    if n < 24:
        notes.append(
            f"With {n} months, comparisons of a rolling 12 months with the 12 months before need 24 months "
            f"({24 - n} more); until then 'same period last year' is only possible for single months "
            f"{'from ' + first.shift(12).key if n > 12 else 'after 12 months'}."
        )
    target = Period.financial_year(baseline.start // 12 + 3)
    return baseline, target, last
