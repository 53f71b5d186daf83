"""`reportgen run` for one partnership leaves alone what would come out the same.

The same run twice: the second writes nothing (same bytes, same modification times) and says
so. After one neighbourhood's figure is revised, only the leaflets that now read differently are
made again (found independently by comparing with the oracle), and every file equals a `--force` run from scratch into an empty folder (the oracle).
`--force` renders everything again.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from publickit import HOODS, make

from reportgen.cli import cli
from reportgen.store import Store

PERIOD = "2005-Q1"


def _run(config_dir: Path, store_url: str, out: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["run", "leaflet", "--period", PERIOD, "--each-area", "--config",
                                      str(config_dir), "--store", store_url, "--out", str(out),
                                      "--executor", "local://1", *extra])
    return result.exit_code, result.stdout, result.stderr


def _state(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())
            if p.suffix in (".pdf", ".docx")}


def test_a_second_run_reuses_what_did_not_change(tmp_path: Path) -> None:
    config, store, config_dir = make(tmp_path)
    url = store.url
    store.dispose()
    out = tmp_path / "out"
    code, stdout, stderr = _run(config_dir, url, out)
    assert code == 0, stderr
    folder = out / "leaflet" / PERIOD
    first = _state(folder)
    assert sorted(first) == sorted(f"leaflet-{h[0]}.{ext}" for h in HOODS for ext in ("pdf", "docx"))

    # nothing changed: nothing written, and the files are still listed
    code, stdout, stderr = _run(config_dir, url, out)
    assert code == 0, stderr
    assert "unchanged: its inputs match the 10 files already there" in stderr
    assert sorted(Path(line).name for line in stdout.splitlines()) == sorted(first)
    assert _state(folder) == first

    # the police revise East Vale's March vehicle crime
    store = Store(url, partnership=config.partnership.id)
    late = pd.DataFrame([{"indicator": "vehicle", "area": "east", "period": "2005-03", "value": 97.0,
                          "received_at": dt.datetime(2005, 7, 12, 9, 0, tzinfo=dt.UTC)}])
    assert store.load(late, source="crimes", partner="police", file="resubmission.csv").revised == 1
    store.dispose()
    code, stdout, stderr = _run(config_dir, url, out)
    assert code == 0, stderr
    after = _state(folder)
    remade = {name for name in first if after[name][0] != first[name][0]}

    # the oracle: a full run of the revised store into an empty folder
    code, _, stderr_scratch = _run(config_dir, url, tmp_path / "scratch", "--force")
    assert code == 0, stderr_scratch
    scratch = _state(tmp_path / "scratch" / "leaflet" / PERIOD)
    assert {n: d for n, (_, d) in after.items()} == {n: d for n, (_, d) in scratch.items()}
    # exactly the documents that now come out different were made again: East Vale's, and West
    # Hill's (its small counts could now be worked out by difference, so they are withheld)
    changed = {name for name in first if scratch[name][1] != first[name][1]}
    assert remade == changed == {f"leaflet-{h}.{ext}" for h in ("east", "west") for ext in ("pdf", "docx")}
    assert "(3 documents unchanged, their files kept)" in stderr
    for name in set(first) - remade:
        assert after[name] == first[name], f"{name} was touched"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["documents"]) == len(HOODS)

    # --force renders every document again, to the same bytes
    code, _, stderr = _run(config_dir, url, out, "--force")
    assert code == 0, stderr
    forced = _state(folder)
    assert all(forced[n][0] != after[n][0] for n in after)  # every file written again
    assert {n: d for n, (_, d) in forced.items()} == {n: d for n, (_, d) in after.items()}
