"""`reportgen run` refuses options that do not go together in one line (exit 2), before it
reads the config or opens the store (neither exists here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli

CASES = [
    (["leaflet", "--period", "2005-Q1", "--area", "north", "--each-area"], "Give --area NAME or --each-area, not both."),
    (["leaflet", "--period", "2005-Q1", "--paper", "A4"], "--paper applies to the poster only (with --poster)."),
    (["board-pack", "--period", "2005-03", "--lang", "pl"], "--lang and --alt-formats apply to the leaflet only."),
    (["board-pack", "--period", "2005-03", "--alt-formats"], "--lang and --alt-formats apply to the leaflet only."),
    (["all", "--period", "2005-03", "--poster"], "'run all' takes no variant, --format or --version options."),
    (["all", "--period", "2005-03", "--format", "pdf"], "'run all' takes no variant, --format or --version options."),
    (["all", "--period", "2005-03", "--version", "2"], "'run all' takes no variant, --format or --version options."),
]


@pytest.mark.parametrize(("args", "message"), CASES, ids=[" ".join(a[2:]) for a, _ in CASES])
def test_options_that_do_not_go_together_are_refused(args: list[str], message: str, tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    result = CliRunner().invoke(cli, ["run", *args, "--config", str(missing), "--store", f"sqlite:///{missing}.db"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not missing.exists() and not Path(f"{missing}.db").exists()


def test_all_with_only_a_paper_size_is_refused_for_the_paper() -> None:
    # --paper without --poster is named first, as before 'run all' is checked
    result = CliRunner().invoke(cli, ["run", "all", "--period", "2005-03", "--paper", "A3"])
    assert result.exit_code == 2 and "--paper applies to the poster only" in result.output, result.output
