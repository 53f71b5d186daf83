"""`reportgen evaluate` through click, on the hand-built config and a real SQLite store."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.periods import Period
from tests.evalkit import load, make, monthly

P = Period.parse
CONTRACT_INDICATOR_KEYS = set(
    """type id title public_title owner unit polarity frequency aggregation decimals small_number_threshold
    strategy target area area_name period period_label value compare_basis compare_value previous_value
    ytd_value rolling12_value baseline_period baseline_value change_pct change_label yoy_change_pct
    yoy_change_label yoy_difference target_period target_value trajectory_value gap_pct status direction
    improved missing spc_mean spc_ucl spc_lcl spc_signal spc_variation spc_assurance
    change_unit change_points yoy_change_points compare_numerator compare_denominator previous_numerator
    previous_denominator sample_size ci_low ci_high yoy_test yoy_p_value yoy_significant change_test
    change_p_value change_significant direction_text target_change_words""".split()  # noqa: SIM905
)
CONTRACT_TARGET_KEYS = {
    "type", "id", "number", "title", "public_title", "strategy", "rule", "status", "reasons", "n_measures",
    "n_improved", "value", "threshold",
}  # fmt: skip


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    config, store = make(tmp)
    import pandas as pd

    load(
        store,
        pd.concat(
            [
                monthly("burglary", P("2001/02"), P("2005/06"), lambda i: 100 - (i % 12)),
                monthly("vehicle", P("2001/02"), P("2005/06"), lambda i: 60 + (i % 4)),
            ]
        ),
    )
    return ["--config", str(tmp / "config"), "--store", store.url]


def run(args: list[str]):
    return CliRunner().invoke(cli, ["evaluate", *args])


def test_json_has_the_documented_keys(setup) -> None:
    result = run(["--period", "2004/05", "--format", "json", *setup])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    indicators = [r for r in records if r["type"] == "indicator"]
    targets = [r for r in records if r["type"] == "target"]
    assert indicators and targets
    for r in indicators:
        assert set(r) >= CONTRACT_INDICATOR_KEYS
        assert r["area"] == "borough"  # the default area
    for r in targets:
        assert set(r) >= CONTRACT_TARGET_KEYS
        assert isinstance(r["reasons"], list)
    burglary = next(r for r in indicators if r["id"] == "burglary" and r["target"] == "burglary")
    expected = sum(100 - (i % 12) for i in P("2004/05").months)
    assert burglary["value"] == expected
    assert burglary["period"] == "2004/05"
    missing = next(r for r in indicators if r["id"] == "treated")
    assert missing["value"] is None and missing["status"] == "no_data"  # NaN became null


def test_area_all_and_strategy_filter(setup) -> None:
    result = run(["--period", "2004-11", "--format", "json", "--area", "all", "--strategy", "s1", *setup])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert {r["strategy"] for r in records} == {"s1"}
    everything = json.loads(run(["--period", "2004-11", "--format", "json", "--area", "all", *setup]).output)
    assert {"north", "south", "east", "gm", "borough"} <= {r.get("area") for r in everything}


def test_csv_is_the_indicator_frame(setup) -> None:
    result = run(["--period", "2004-11", "--format", "csv", "--area", "north", *setup])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and {r["area"] for r in rows} == {"north"}
    assert "change_label" in rows[0] and "spc_variation" in rows[0]


def test_table_shows_status_words(setup) -> None:
    result = run(["--period", "2004/05", *setup])
    assert result.exit_code == 0, result.output
    assert "Strategy 2002-2005" in result.output
    assert "Reduce burglary by 20%" in result.output
    assert any(word in result.output for word in ("Met", "Not met", "On track", "At risk"))
    assert "Monitored indicators" in result.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--period", "2005-13"], "month 13"),
        (["--period", "last month"], "not a period"),
        (["--period", "2004/05", "--area", "atlantis"], "atlantis"),
        (["--period", "2004/05", "--strategy", "nope"], "nope"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(setup, args, needle) -> None:
    result = run([*args, *setup])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and needle in lines[0], result.output


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["evaluate", "--help"])
    assert result.exit_code == 0 and "reportgen evaluate --period 2004/05" in result.output


def test_as_at_uses_the_data_known_then(tmp_path) -> None:
    import datetime as dt

    import pandas as pd

    config, store = make(tmp_path)
    first = monthly("burglary", P("2004/05"), P("2004/05"), lambda _i: 100)
    store.load(first, source="t", partner="police", now=dt.datetime(2005, 4, 10, tzinfo=dt.UTC))
    revised = first.assign(value=first["value"] + 1)
    store.load(revised, source="t", partner="police", now=dt.datetime(2005, 5, 10, tzinfo=dt.UTC))
    args = [
        "--period",
        "2004/05",
        "--format",
        "json",
        "--config",
        str(tmp_path / "config"),
        "--store",
        store.url,
    ]

    def burglary(extra: list[str]) -> float:
        result = run([*args, *extra])
        assert result.exit_code == 0, result.output
        return next(
            r["value"]
            for r in json.loads(result.output)
            if r["type"] == "indicator" and r["id"] == "burglary"
        )

    assert burglary([]) == 101 * 12
    assert burglary(["--as-at", "2005-04-20"]) == 100 * 12
    assert pd.isna(burglary(["--as-at", "2005-01-01"]))
    bad = run([*args, "--as-at", "yesterday"])
    assert bad.exit_code != 0 and "--as-at" in bad.output
