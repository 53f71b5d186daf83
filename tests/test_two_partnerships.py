"""The demo and Hartlepool pulled into one store, on SQLite and on PostgreSQL: the demo's
`evaluate --format json` for 2005-03 is byte-for-byte what the demo alone gives, Hartlepool's
is what Hartlepool alone gives, and pulling either never revises the other's figures (before
partnerships, pulling Hartlepool into the demo's store marked 72 demo figures "revised")."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.store import Store

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data_sources"
HARTLEPOOL = REPO / "examples" / "hartlepool"


def _pull(config: Path, url: str) -> None:
    result = CliRunner().invoke(cli, ["pull", "--config", str(config), "--store", url])
    assert result.exit_code == 0, result.output


def _evaluate(config: Path, url: str, period: str) -> str:
    result = CliRunner().invoke(
        cli, ["evaluate", "--config", str(config), "--store", url, "--period", period, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Each partnership evaluated from a store of its own."""
    root = tmp_path_factory.mktemp("alone")
    demo, hartlepool = f"sqlite:///{root / 'demo.sqlite'}", f"sqlite:///{root / 'hartlepool.sqlite'}"
    _pull(DEMO, demo)
    _pull(HARTLEPOOL, hartlepool)
    rows = Store(hartlepool, partnership="hartlepool").loads()["n_new"].sum()
    return {
        "demo": _evaluate(DEMO, demo, "2005-03"),
        "hartlepool": _evaluate(HARTLEPOOL, hartlepool, "2023-03"),
        "hartlepool_rows": int(rows),
    }


def test_demo_and_hartlepool_in_one_store_read_as_they_do_alone(db_url: str, alone: dict[str, object]) -> None:
    _pull(DEMO, db_url)
    _pull(HARTLEPOOL, db_url)
    assert _evaluate(DEMO, db_url, "2005-03") == alone["demo"]
    assert _evaluate(HARTLEPOOL, db_url, "2023-03") == alone["hartlepool"]
    hartlepool = Store(db_url, partnership="hartlepool").loads()
    assert hartlepool["n_revised"].sum() == 0 and hartlepool["n_new"].sum() == alone["hartlepool_rows"]
    # pulling the demo again after Hartlepool: nothing new, nothing revised
    demo = Store(db_url, partnership="wigan-leigh")
    before = len(demo.loads())
    _pull(DEMO, db_url)
    again = demo.loads().iloc[before:]
    assert len(again) == before and again["n_new"].sum() == 0 and again["n_revised"].sum() == 0
    assert demo.partnerships() == ["hartlepool", "wigan-leigh"]
    demo.dispose()
