"""Write a :class:`Plan` as a partnership folder: TOML with a comment on every key, so the
person who ran ``reportgen init`` can see what each line does and what to change."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from reportgen.scaffold.plan import Plan

HEADER = "# Written by `reportgen init`. Every key is explained here; all keys: reportgen's docs/config-reference.md.\n"


def q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def qlist(items: list[str], indent: str = "  ", per_line: int = 6) -> str:
    if len(items) <= per_line:
        return "[" + ", ".join(map(q, items)) + "]"
    lines = [indent + ", ".join(map(q, items[i : i + per_line])) + "," for i in range(0, len(items), per_line)]
    return "[\n" + "\n".join(lines) + "\n]"


def partnership_toml(plan: Plan, name: str) -> str:
    area = plan.area_name
    out = [
        HEADER,
        f"# {name}: crime from data.police.uk street files, population from the Census 2021 ({plan.census.file}).\n",
        "# Contains public sector information licensed under the Open Government Licence v3.0.\n\n",
        f"name = {q(name)}  # the partnership's name, on every document\n",
        f"short_name = {q(area)}  # used where space is short\n",
        'strapline = "Community safety performance"  # a line under the name on covers\n',
        "# printed on every document; remove it once the targets are your partnership's own\n",
        'notice = "Starter targets written by reportgen init: not adopted by the partnership."\n\n',
        "# Who readers contact. Documents print these; fill in phone, email and web before publishing.\n",
        "[contact]\n",
        f"name = {q(name)}  # who answers\n",
        'role = "Partnership support team"  # their role\n',
        '# phone = "01234 567890"\n',
        '# email = "community.safety@example.gov.uk"\n',
        '# web = "https://www.example.gov.uk/community-safety"\n\n',
        "# The whole area. Its crime is every police.uk row in the LSOAs below (the neighbourhoods'\n",
        "# lsoas plus borough.lsoas); its population is the Census 2021 total of its LSOAs.\n",
        "[borough]\n",
        'id = "borough"  # the area id used in the store and on the command line (--area)\n',
        f"name = {q(area)}  # its name in documents\n",
        f"population = {plan.borough_population}  # Census 2021 usual residents\n",
    ]
    if plan.borough_lsoas:
        out.append(
            "# LSOAs in the borough but in no neighbourhood (their rows count in the borough only)\n"
            f"lsoas = {qlist(plan.borough_lsoas)}\n"
        )
    grouping = (
        f"from {plan.lookup_file}"
        if plan.lookup_file
        else 'the middle layer areas (MSOAs) in the police files\' LSOA names: "X 001A" is in "X 001"'
    )
    out.append(
        f"\n# Neighbourhoods: {grouping}.\n"
        "# population: Census 2021, summed over the neighbourhood's LSOAs that the census file has.\n"
        "# priority: the priority neighbourhoods whose gap to the borough is a target (derived.toml,\n"
        "# priority_gap). init marked those with the highest crime rates; change them to your own.\n"
    )
    for n, hood in enumerate(plan.neighbourhoods):
        # the first block says what each key is; the others follow it
        first = n == 0
        out.append("\n[[neighbourhoods]]\n")
        out.append(f"id = {q(hood.id)}" + ("  # the area id in the store and for --area\n" if first else "\n"))
        out.append(f"name = {q(hood.name)}" + ("  # its name in documents\n" if first else "\n"))
        if hood.priority:
            out.append(f"priority = true  # {hood.rate:.1f} crimes per 1,000 residents in the last 12 months\n")
        out.append(
            f"population = {hood.population}" + ("  # Census 2021, its LSOAs' usual residents\n" if first else "\n")
        )
        if hood.from_census:
            out.append(
                f"# {', '.join(hood.from_census)}: Census 2021 code(s) for LSOAs merged or split in 2021, placed here\n"
                "# because the LSOAs around them in the census are here; police.uk may use them in newer files.\n"
            )
        if first:
            out.append("# its LSOA codes: police.uk rows with these codes count here (and in the borough)\n")
        out.append(f"lsoas = {qlist(hood.lsoas)}\n")
    for hood in plan.unplaced:
        out.append(
            "\n# No population found for this neighbourhood's LSOAs in the census file: give it by hand,\n"
            "# uncomment these lines and take its codes out of borough.lsoas.\n"
            f"# [[neighbourhoods]]\n# id = {q(hood.id)}\n# name = {q(hood.name)}\n# population = 0\n"
            f"# lsoas = {q(', '.join(hood.lsoas))}\n"
        )
    return "".join(out)


def police_toml(plan: Plan, config_dir: Path, accounting: bool) -> str:
    """``accounting``: the connector accounts for every row (it matches crime types whatever their
    case and spacing, and has ``ignore_unmatched_lsoas``); an older one matches spellings exactly."""
    try:
        path = os.path.relpath(plan.police.folder.resolve(), config_dir.resolve())
    except ValueError:  # another drive (Windows)
        path = str(plan.police.folder.resolve())
    outside = sum(plan.rows_outside.values())
    out = [
        HEADER,
        "# The police: recorded crime and anti-social behaviour counted from data.police.uk street files.\n",
        'id = "police"  # the partner id (this file is partners/police.toml)\n',
        'name = "Police"  # the force\'s name in documents, e.g. "Cleveland Police"\n',
        'short_name = "Police"\n',
        "# data.police.uk publishes a month some weeks after it ends: a return is late this many days after\n",
        "# the month (used by the board pack's data-quality annex)\n",
        "return_deadline_days = 60\n\n",
        "[[sources]]\n",
        'id = "street"  # the indicators below name this source\n',
        'type = "policeuk"  # the police.uk street-level connector\n',
        f"path = {q(path)}  # the folder of files, relative to this config folder\n",
        f"pattern = {q(plan.police.pattern)}  # which files in it (.csv and .csv.gz)\n",
        "# each month counts as received this many days after it ends (police.uk's usual delay), so a\n",
        "# store filled from old files does not show every month as late\n",
        "received_days_after = 30\n",
    ]
    if outside or plan.police.no_lsoa_rows:
        where = ", ".join(f"{la} {n:,}" for la, n in list(plan.rows_outside.items())[:6])
        more = " ..." if len(plan.rows_outside) > 6 else ""
        out.append(
            "# Rows are kept by the LSOA codes in partnership.toml. These files also hold rows outside\n"
            f"# {plan.area_name}: {outside:,} in other areas ({where}{more})"
            f"{f' and {plan.police.no_lsoa_rows:,} with no LSOA (no location)' if plan.police.no_lsoa_rows else ''}.\n"
            "# They are expected (a force's files cover several partnerships) and are not counted.\n"
        )
    if plan.look_alike:
        codes, one_line = qlist(plan.look_alike), "[" + ", ".join(map(q, plan.look_alike)) + "]"
        out.append(
            "# LSOAs named like the partnership's that it leaves out on purpose (a pull would otherwise take\n"
            "# their rows for a slip):\n"
            + (f"ignore_unmatched_lsoas = {codes}\n" if accounting else f"# ignore_unmatched_lsoas = {one_line}\n")
        )
    out.append(
        "\n# Every crime type found in the files -> the indicator it counts towards (several types may share\n"
        "# one). A type that appears in a newer file must be added here.\n[sources.crime_types]\n"
    )
    for ind in plan.indicators:
        # an accounting connector matches "Violence and Sexual Offences" to "Violence and sexual offences"
        # and refuses both in one map; an exact-matching one needs every spelling
        for n, spelling in enumerate(ind.spellings[:1] if accounting else ind.spellings):
            others = ind.spellings[1:] if accounting and n == 0 else []
            note = f"  # also spelt {', '.join(map(q, others))} in the files" if others else ""
            out.append(f"{q(spelling)} = {q(ind.id)}{note}\n")
    out.append(
        "\n# One indicator per crime type. id: used in derived.toml and strategies; title: its name in documents;\n"
        "# unit: a count of rows; polarity: lower_is_better, or contextual where neither way is better;\n"
        "# source: the [[sources]] entry above.\n"
    )
    for ind in plan.indicators:
        out.append("\n[[indicators]]\n")
        out.append(f"id = {q(ind.id)}  # {ind.rows:,} rows in the files\n")
        out.append(f"title = {q(ind.title)}\n")
        if ind.id == "asb":
            out.append('public_title = "Anti-social behaviour"  # the wording of public documents\n')
        out.append('unit = "count"\n')
        why = "  # more recorded can mean more proactive policing" if ind.polarity == "contextual" else ""
        out.append(f"polarity = {q(ind.polarity)}{why}\n")
        out.append('source = "street"\n')
    return "".join(out)


def derived_toml(plan: Plan) -> str:
    crimes = [i.id for i in plan.indicators if i.id != "asb"]
    out = [
        HEADER,
        "# Indicators built from others. id: used in strategies; title / public_title: names in staff and public\n",
        "# documents; kind and of: how it is built; unit, polarity: as for any indicator; decimals: places shown.\n\n",
        "[[derived]]\n",
        'id = "all_crime"\n',
        'title = "All recorded crime (excluding anti-social behaviour)"\n',
        'public_title = "All crime"\n',
        "kind = \"sum\"  # the sum of the indicators in 'of'\n",
        f"of = {qlist(crimes)}\n",
        'unit = "count"\n',
        'polarity = "lower_is_better"\n\n',
        "[[derived]]\n",
        'id = "crime_rate"\n',
        'title = "Recorded crime per 1,000 residents"\n',
        'kind = "rate_per_1000"  # of[0] per 1,000 residents of each area (populations in partnership.toml)\n',
        'of = ["all_crime"]\n',
        'unit = "rate_per_1000"\n',
        'polarity = "lower_is_better"\n',
        "decimals = 1\n",
    ]
    if any(h.priority for h in plan.neighbourhoods):
        out += [
            "\n[[derived]]\n",
            'id = "priority_gap"\n',
            f"title = {q(f'Gap in crime rate between the priority neighbourhoods and {plan.area_name} as a whole')}\n",
            "# how far the priority neighbourhoods' rate per 1,000 is above the borough's, as a % of the\n",
            "# borough's; the priority neighbourhoods are those with priority = true in partnership.toml\n",
            'kind = "gap"\n',
            'of = ["all_crime"]\n',
            'unit = "percentage"\n',
            'polarity = "lower_is_better"\n',
        ]
    return "".join(out)


def strategy_toml(plan: Plan) -> str:
    b, t = plan.baseline, plan.target
    out = [
        HEADER,
        "# A STARTER STRATEGY: replace these targets with your partnership's own.\n",
        "".join(f"# {line}\n" for line in _wrap(next(n for n in plan.notes if n.startswith("Baseline")))),
        "# Each target compares the latest 12 months (or the financial year) with the baseline year and\n",
        f"# follows a straight line from the baseline to the target year, {t.key}.\n",
        'id = "starter"  # the strategy id (--strategy)\n',
        f"title = {q(f'Community safety targets {b.key} to {t.key} (starter)')}\n",
        'description = "Starter targets written by reportgen init, to be replaced by the partnership\'s own."\n',
        f"baseline_period = {q(b.key)}  # a financial year: compared with rolling 12 months and whole years\n",
        f"target_period = {q(t.key)}\n",
        "\n[[targets]]\n",
        'id = "all-crime"  # the target id\n',
        "number = 1  # the order targets are listed in\n",
        'title = "Reduce all recorded crime by 10%"  # its title in staff documents\n',
        'public_title = "Less crime"  # its title in public documents\n',
        'rule = "single"  # judged on its one measure\n',
        "# change_pct: the change from the baseline to reach by the target year (-10 = down 10%)\n",
        'measures = [{ indicator = "all_crime", change_pct = -10 }]\n',
    ]
    number = 2
    if plan.has_asb:
        out += [
            "\n[[targets]]\n",
            'id = "asb"\n',
            f"number = {number}\n",
            'title = "Reduce anti-social behaviour by 10%"\n',
            'public_title = "Less anti-social behaviour"\n',
            'rule = "single"\n',
            'measures = [{ indicator = "asb", change_pct = -10 }]\n',
        ]
        number += 1
    if any(h.priority for h in plan.neighbourhoods):
        out += [
            "\n[[targets]]\n",
            'id = "priority-neighbourhoods"\n',
            f"number = {number}\n",
            f"title = {q(f'Narrow the gap between the priority neighbourhoods and {plan.area_name} as a whole')}\n",
            'rule = "single"\n',
            'measures = [{ indicator = "priority_gap", change_pct = -10 }]\n',
        ]
    return "".join(out)


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, 100)
