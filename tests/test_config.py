"""Loading the demo config, and what a user sees when a config file is broken: one clear
line naming the file and the key, a non-zero exit, and a store left exactly as it was."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data_sources"


def test_demo_config_loads_with_everything_cross_checked():
    config = load_config(DEMO)
    assert len(config.partners) >= 8
    assert len(config.partnership.neighbourhoods) >= 22
    assert len(config.partnership.priority_areas) >= 4
    assert len(config.strategies) == 2
    assert len(config.strategy("2005-08").targets) == 8
    assert len(config.partner("yot").indicators) == 14
    recorded = config.indicator("recorded_crime")
    assert len(recorded.of) == 10 and all(i in config.indicators for i in recorded.of)
    # every indicator has an owner, and every measure's indicator exists
    assert all(i.owner for i in config.indicators.values())
    for strategy in config.strategies:
        for target in strategy.targets:
            assert all(m.indicator in config.indicators for m in target.measures)


def test_demo_config_checksum_is_stable_and_changes_with_content(tmp_path):
    copy = tmp_path / "cfg"
    shutil.copytree(DEMO, copy, ignore=shutil.ignore_patterns("data"))
    assert load_config(copy).checksum == load_config(DEMO).checksum
    path = copy / "partners" / "fire.toml"
    path.write_text(path.read_text().replace("Hoax calls", "False alarms"))
    assert load_config(copy).checksum != load_config(DEMO).checksum


# --- broken configs ------------------------------------------------------------------------
def _replace(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, count))

    return apply


def _drop_measure_target(root: Path) -> None:
    path = root / "strategies" / "2005-08.toml"
    text = path.read_text()
    # the reoffending measure loses its change_pct: a measure with no target
    new = re.sub(r'(indicator = "reoffending_rate"\n)change_pct = -5\n', r"\1", text)
    assert new != text
    path.write_text(new)


BROKEN = {
    # name: (how to break the copy, file named in the error, key or place named, words expected)
    "bad_toml": (
        _replace("partners/police.toml", 'short_name = "GMP"', 'short_name = "GMP'),
        "partners/police.toml",
        "line",
        "not valid TOML",
    ),
    "unknown_indicator_in_target": (
        _replace("strategies/2005-08.toml", 'indicator = "recorded_crime"', 'indicator = "recorded_crimes"'),
        "strategies/2005-08.toml",
        "measures[0].indicator",
        "did you mean 'recorded_crime'",
    ),
    "measure_without_target": (
        _drop_measure_target,
        "strategies/2005-08.toml",
        "targets[3] (id='reoffending').measures[0]",
        "has no target",
    ),
    "strategy_without_baseline": (
        _replace("strategies/2002-05.toml", 'baseline_period = "2001/02"\n', ""),
        "strategies/2002-05.toml",
        "baseline_period",
        "required",
    ),
    "unknown_unit": (
        _replace("partners/fire.toml", 'unit = "count"', 'unit = "number"'),
        "partners/fire.toml",
        "indicators[0] (id='secondary_fires').unit",
        "'number' is not allowed",
    ),
    "unknown_key": (
        _replace("partners/drugs.toml", 'polarity = "higher_is_better"', 'polarty = "higher_is_better"'),
        "partners/drugs.toml",
        "polarty",
        "did you mean 'polarity'",
    ),
    "unknown_derived_input": (
        _replace("derived.toml", '"wounding",\n    "robbery",', '"wounding",\n    "robery",'),
        "derived.toml",
        "id='recorded_crime'",
        "did you mean 'robbery'",
    ),
    "unknown_area_in_measure": (
        _replace(
            "strategies/2005-08.toml",
            'indicator = "priority_gap"\n',
            'indicator = "priority_gap"\narea = "scholess"\n',
        ),
        "strategies/2005-08.toml",
        ".area",
        "did you mean 'scholes'",
    ),
}


@pytest.fixture(scope="module")
def store_file(tmp_path_factory) -> Path:
    """A real store with some demo data in it (one small partner keeps this fast)."""
    path = tmp_path_factory.mktemp("store") / "store.sqlite"
    result = CliRunner().invoke(
        cli, ["pull", "--config", str(DEMO), "--store", f"sqlite:///{path}", "--partner", "fire"]
    )
    assert result.exit_code == 0, result.output
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_config_gives_one_line_and_leaves_the_store_alone(case, tmp_path, store_file):
    breaker, file, key, words = BROKEN[case]
    root = tmp_path / "cfg"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("data"))
    (root / "data").symlink_to(DEMO / "data")
    breaker(root)

    store = tmp_path / "store.sqlite"
    shutil.copy(store_file, store)
    before = _digest(store)
    files_before = sorted(p.name for p in tmp_path.iterdir())

    result = CliRunner().invoke(cli, ["pull", "--config", str(root), "--store", f"sqlite:///{store}"])

    assert result.exit_code == ConfigError.exit_code != 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("Error: ")
    assert f"cfg/{file}" in line, line
    assert key in line, line
    assert words in line, line
    assert result.stdout == ""
    assert _digest(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files_before


def test_load_config_raises_config_error_naming_file_and_key(tmp_path):
    root = tmp_path / "cfg"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("data"))
    _replace("partners/yot.toml", 'frequency = "annual"', 'frequency = "yearly"')(root)
    with pytest.raises(ConfigError) as info:
        load_config(root)
    assert info.value.file == "cfg/partners/yot.toml"
    assert info.value.key is not None and info.value.key.endswith(".frequency")
    assert "yearly" in str(info.value)
