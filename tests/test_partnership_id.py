"""partnership.toml's `id`: the key of the partnership's rows in a shared store."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SMALL_PARTNERSHIP, write_small_config

from reportgen.config import load_config
from reportgen.config.loader import load_partnership
from reportgen.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_the_demo_and_hartlepool_name_their_ids() -> None:
    assert load_config(REPO / "data_sources").partnership.id == "wigan-leigh"
    assert load_partnership(REPO / "examples" / "hartlepool").id == "hartlepool"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("", "testborough-community-safety-partnership"),  # from the name
        ('short_name = "Wigan & Leigh CSP"\n', "wigan-leigh-csp"),  # the short name wins
        ('id = "testborough"\n', "testborough"),
    ],
)
def test_an_id_defaults_to_the_short_name_or_name(tmp_path: Path, extra: str, expected: str) -> None:
    root = write_small_config(tmp_path / "cfg")
    (root / "partnership.toml").write_text(extra + SMALL_PARTNERSHIP)
    assert load_config(root).partnership.id == expected


def test_a_bad_id_names_the_file_and_key(tmp_path: Path) -> None:
    root = write_small_config(tmp_path / "cfg")
    (root / "partnership.toml").write_text('id = "Test Borough"\n' + SMALL_PARTNERSHIP)
    with pytest.raises(ConfigError, match=r"partnership.toml: id: .*'Test Borough'"):
        load_config(root)
