"""A synthetic country: N partnership folders with realistic neighbourhood counts and
populations, each with the demo's generated data returns, for benchmarks and tests.

Each partnership is a real local authority of England and Wales drawn (seeded) from
``reportgen/data/census2021_la_msoas.csv`` (Census 2021 usual residents: MSOAs, LSOAs and
population per local authority). Its neighbourhoods are its MSOAs, as many as the authority
has (or at most ``max_neighbourhoods``), with populations that sum to the authority's and vary
as MSOAs do. Everything else (partners, derived indicators, strategies, commentary) is the
demo's, and the data are the demo generator's (:func:`reportgen.demo.generate`) with a seed of
the partnership's own and its recorded crime and incidents scaled to its population, so rates per
1,000 residents are Wigan's and the figures are illustrative, as the demo's are.

The deployment written is a folder of partnership folders, the layout ``reportgen run
--partnerships`` reads::

    python -m reportgen.country --out /tmp/country --partnerships 40 --seed 1 \
        --store sqlite:////tmp/country/store.sqlite

In Python: ``write_country(out, 40, seed=1)`` then ``pull_country(out, store_url)``.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import re
import shutil
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from reportgen.config import load_config
from reportgen.demo import generate

log = logging.getLogger(__name__)

DEMO = Path(__file__).resolve().parents[1] / "data_sources"
# neighbourhood shares ~ Dirichlet(ALPHA): a coefficient of variation of about 1/sqrt(ALPHA),
# 0.22 for the census's MSOAs (sd 1,816 on a mean of 8,205)
ALPHA = 20.0
PRIORITY_SHARE = 0.2  # about one neighbourhood in five is a priority one, as in the demo (5 of 28)


@dataclass(frozen=True)
class Authority:
    name: str
    msoas: int
    lsoas: int
    population: int


def authorities() -> list[Authority]:
    """Every local authority in the packaged Census 2021 table."""
    text = resources.files("reportgen").joinpath("data/census2021_la_msoas.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO("".join(line for line in text.splitlines(True) if not line.startswith("#"))))
    return [Authority(r["la"], int(r["msoas"]), int(r["lsoas"]), int(r["population"])) for r in rows]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def partnership_toml(authority: Authority, pid: str, populations: list[int], priority: list[bool]) -> str:
    """The demo's partnership.toml with this authority's name, borough and neighbourhoods."""
    demo = (DEMO / "partnership.toml").read_text(encoding="utf-8")
    head = demo[: demo.index("[borough]")]
    comparators = demo[demo.index("[[comparators]]") : demo.index("[[neighbourhoods]]")]
    comparators = comparators.split("\n\n#")[0]  # not the demo's note on its own neighbourhoods
    head = head.split("\n\n", 1)[1]  # nor its opening note on where the demo comes from
    head = re.sub(r'(?m)^id = ".*"$', f"id = {_toml_str(pid)}", head, count=1)
    head = re.sub(
        r'(?m)^name = ".*"$', f"name = {_toml_str(authority.name + ' Community Safety Partnership')}", head, count=1
    )
    full = f"{authority.name} Community Safety Partnership"
    head = head.replace("Wigan and Leigh Community Safety Partnership", full)
    head = re.sub(r'(?m)^short_name = ".*"$', f"short_name = {_toml_str(authority.name + ' CSP')}", head, count=1)
    lines = [
        "# Synthetic: written by `python -m reportgen.country` from the demo partnership and the",
        f"# Census 2021 size of {authority.name} ({authority.msoas} MSOAs); every figure is generated, not real.",
        "",
        head.rstrip() + "\n",
        "[borough]",
        'id = "borough"',
        f"name = {_toml_str(authority.name)}",
        f"population = {sum(populations)}",
        "",
        comparators.rstrip() + "\n",
    ]
    for number, (population, prio) in enumerate(zip(populations, priority, strict=True), start=1):
        lines += [
            "[[neighbourhoods]]",
            f'id = "n{number:03d}"',
            f"name = {_toml_str(f'{authority.name} {number:03d}')}",
            f"population = {population}",
            *(["priority = true"] if prio else []),
            "",
        ]
    return "\n".join(lines)


def write_country(
    out: Path | str, partnerships: int, *, seed: int = 1, max_neighbourhoods: int | None = None
) -> list[Path]:
    """Write ``partnerships`` partnership folders into ``out`` (a deployment); their paths.

    A pure function of its arguments: the same call writes the same bytes.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = authorities()
    rng = np.random.default_rng([seed, zlib.crc32(b"country")])
    order = rng.permutation(len(table))
    demo = load_config(DEMO)
    deadlines = {
        Path(str(spec.options.get("path", ""))).name: partner.return_deadline_days
        for partner in demo.partners
        for spec in partner.sources
    }
    folders = []
    for index in range(partnerships):
        authority = table[order[index % len(table)]]
        pid = slug(authority.name) + (f"-{index // len(table) + 1}" if index >= len(table) else "")
        count = max(2, authority.msoas if max_neighbourhoods is None else min(authority.msoas, max_neighbourhoods))
        # a capped authority keeps its neighbourhoods' typical size, not its whole population
        population = (
            authority.population * count // max(authority.msoas, 1)
            if count < authority.msoas
            else (authority.population)
        )
        local = np.random.default_rng([seed, zlib.crc32(pid.encode())])
        shares = local.dirichlet(np.full(count, ALPHA))
        populations = np.maximum(1, np.floor(shares * population)).astype(int)
        populations[0] += population - int(populations.sum())  # exact total
        prio_count = min(count - 1, max(1, round(count * PRIORITY_SHARE)))
        priority = np.zeros(count, dtype=bool)
        priority[local.choice(count, prio_count, replace=False)] = True
        folder = out / pid
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("data", "partnership.toml", "README.md"))
        (folder / "partnership.toml").write_text(
            partnership_toml(authority, pid, [int(p) for p in populations], [bool(p) for p in priority]),
            encoding="utf-8",
        )
        config = load_config(folder)
        (folder / "data").mkdir()
        scale = population / demo.partnership.borough.population  # Wigan's crime rates, this size
        for name, text in generate(config.partnership, int(local.integers(2**31)), deadlines, scale).items():
            (folder / "data" / name).write_text(text, encoding="utf-8", newline="\n")
        log.info("wrote %s: %s, %d neighbourhoods, population %d", folder, authority.name, count, population)
        folders.append(folder)
    return folders


def pull_country(deployment: Path | str, store_url: str) -> list[str]:
    """Pull every partnership folder of ``deployment`` into the store at ``store_url`` (created
    if need be); their ids, in folder order. Raises DataError if any source is rejected."""
    from reportgen.deployment import partnerships
    from reportgen.errors import DataError
    from reportgen.pull import pull
    from reportgen.store import Store

    ids = []
    for pid, folder in partnerships(deployment).items():
        config = load_config(folder)
        store = Store(store_url, partnership=config.partnership.id)
        try:
            _, failures = pull(config, store)
        finally:
            store.dispose()
        if failures:
            raise DataError(f"{folder.name}: {len(failures)} source(s) rejected: {failures[0]}")
        ids.append(pid)
    return ids


def main(argv: Sequence[str] | None = None) -> int:
    """Write a synthetic country of partnership folders (illustrative data, not real).

    Example: python -m reportgen.country --out /tmp/country --partnerships 40
    """
    parser = argparse.ArgumentParser(prog="python -m reportgen.country", description=main.__doc__)
    parser.add_argument("--out", required=True, help="the deployment folder to write partnership folders into")
    parser.add_argument("--partnerships", type=int, default=40, help="how many partnerships (default 40)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--max-neighbourhoods", type=int, default=None, help="cap each partnership's neighbourhoods")
    parser.add_argument("--store", default=None, help="also pull every partnership into this store URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    write_country(args.out, args.partnerships, seed=args.seed, max_neighbourhoods=args.max_neighbourhoods)
    if args.store:
        pull_country(args.out, args.store)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
