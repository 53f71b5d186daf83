"""Many partnerships in one job (reportgen.many.generate_many, `run --partnerships`): one store,
a synthetic country of three partnerships plus one the store has nothing for.

- one partnership's failure is its own outcome, with the reason, and the others are made;
- after one late observation, exactly the document of the neighbourhood it is about is made
  again, the others are left untouched (same bytes, same modification time), and every file is
  byte-identical to a full run from scratch;
- the same job on a real Dask cluster (scheduler and two worker processes on loopback) writes
  the same bytes as the local pool.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reportgen.country import pull_country, write_country
from reportgen.many import generate_many
from reportgen.store import Store

LEAFLETS = {"each_area": True}


def _files(root: Path) -> dict[str, bytes]:
    """Every PDF and Word file under ``root``, by path relative to it."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.suffix in (".pdf", ".docx")
    }


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Three synthetic partnerships (two neighbourhoods each) pulled into one SQLite store, a
    fourth folder the store holds nothing for, and the leaflets of all made on the local pool."""
    root = tmp_path_factory.mktemp("country")
    deployment = root / "partnerships"
    folders = write_country(deployment, 3, seed=7, max_neighbourhoods=2)
    url = f"sqlite:///{root / 'store.sqlite'}"
    ids = pull_country(deployment, url)
    assert len(folders) == len(ids) == 3
    # a partnership listed in the deployment whose data were never pulled
    empty = deployment / "zz-empty"
    shutil.copytree(folders[0], empty)
    text = (empty / "partnership.toml").read_text(encoding="utf-8")
    (empty / "partnership.toml").write_text(
        text.replace(f'id = "{folders[0].name}"', 'id = "zz-empty"', 1), encoding="utf-8"
    )
    ticks: list[tuple[int, int]] = []
    result = generate_many(
        "leaflet",
        "2005-Q1",
        deployment=deployment,
        store_url=url,
        out_dir=root / "local",
        variant=LEAFLETS,
        executor="local://2",
        on_document=lambda d, t, _: ticks.append((d, t)),
    )
    return {"root": root, "deployment": deployment, "url": url, "ids": ids, "local": result, "ticks": ticks}


def test_one_failure_is_reported_and_does_not_stop_the_others(country: dict[str, object]) -> None:
    result = country["local"]
    ids = country["ids"]
    assert [o.partnership for o in result.outcomes] == [*ids, "zz-empty"]  # the listing is sorted by folder
    for outcome in result.outcomes[:3]:
        assert outcome.status == "written" and outcome.error is None
        assert outcome.written == ["leaflet-n001", "leaflet-n002"]
        assert sorted(p.name for p in outcome.files) == sorted(
            f"leaflet-{n}.{ext}" for n in ("n001", "n002") for ext in ("pdf", "docx")
        )
    failed = result.outcomes[3]
    assert failed.status == "failed" and failed.files == []
    assert "holds no observations" in failed.error and "\n" not in failed.error
    assert not (country["root"] / "local" / "zz-empty" / "leaflet").exists()
    # one count over every document: six leaflets, each counted once, ending at six of six
    ticks = country["ticks"]
    assert [d for d, _ in ticks] == [1, 2, 3, 4, 5, 6, 6] and ticks[-1] == (6, 6)
    assert all(total >= done for done, total in ticks)


def test_a_late_observation_remakes_only_the_documents_that_show_it(country: dict[str, object], tmp_path: Path) -> None:
    ids: list[str] = country["ids"]
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    shutil.copy(Path(country["url"].removeprefix("sqlite:///")), tmp_path / "store.sqlite")
    out = tmp_path / "out"
    shutil.copytree(country["root"] / "local", out)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}

    # the same job again, nothing changed: nothing is written (here with each worker reading the
    # store itself, which must come to the same decision)
    again = generate_many(
        "leaflet",
        "2005-Q1",
        deployment=country["deployment"],
        partnerships=",".join(ids),
        store_url=url,
        out_dir=out,
        variant=LEAFLETS,
        executor="local://2",
        ship="store",
    )
    assert [o.status for o in again.outcomes] == ["unchanged"] * 3
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in before} == before

    # the police resubmit one figure for one neighbourhood of the second partnership
    store = Store(url, partnership=ids[1])
    old = store.frame()
    row = old[(old["indicator"] == "house_burglary") & (old["area"] == "n002") & (old["period"] == "2005-03")]
    assert len(row) == 1
    late = pd.DataFrame(
        [
            {
                "indicator": "house_burglary",
                "area": "n002",
                "period": "2005-03",
                "value": float(row["value"].iloc[0]) + 9,
                "received_at": dt.datetime.fromisoformat(row["received_at"].iloc[0]),
            }
        ]
    )
    summary = store.load(late, source="crime", partner="police", file="resubmission.csv")
    store.dispose()
    assert summary.revised == 1

    rerun = generate_many(
        "leaflet",
        "2005-Q1",
        deployment=country["deployment"],
        partnerships=",".join(ids),
        store_url=url,
        out_dir=out,
        variant=LEAFLETS,
        executor="local://2",
    )
    assert [(o.partnership, o.written, o.unchanged) for o in rerun.outcomes] == [
        (ids[0], [], ["leaflet-n001", "leaflet-n002"]),
        (ids[1], ["leaflet-n002"], ["leaflet-n001"]),
        (ids[2], [], ["leaflet-n001", "leaflet-n002"]),
    ]
    remade = {out / ids[1] / "leaflet" / "2005-Q1" / f"leaflet-n002.{ext}" for ext in ("pdf", "docx")}
    for path, (mtime, data) in before.items():
        if path.suffix in (".pdf", ".docx") and path not in remade:
            assert (path.stat().st_mtime_ns, path.read_bytes()) == (mtime, data), f"{path} was touched"
    for path in remade:
        assert path.read_bytes() != before[path][1]

    # and every file is what a full run from scratch makes of the revised store
    full = generate_many(
        "leaflet",
        "2005-Q1",
        deployment=country["deployment"],
        partnerships=",".join(ids),
        store_url=url,
        out_dir=tmp_path / "full",
        variant=LEAFLETS,
        executor="local://2",
        force=True,
    )
    assert all(o.status == "written" and len(o.written) == 2 for o in full.outcomes)
    incremental, scratch = _files(out), _files(tmp_path / "full")
    assert incremental.keys() == scratch.keys() and len(scratch) == 12
    for name, data in scratch.items():
        assert incremental[name] == data, f"{name}: the incremental run differs from a full run"


def test_run_partnerships_prints_a_summary_per_partnership(country: dict[str, object], tmp_path: Path) -> None:
    from reportgen.cli import cli

    shutil.copytree(country["root"] / "local", tmp_path / "out")
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "leaflet",
            "--period",
            "2005-Q1",
            "--each-area",
            "--partnerships",
            "all",
            "--deployment",
            str(country["deployment"]),
            "--store",
            country["url"],
            "--out",
            str(tmp_path / "out"),
            "--executor",
            "local://1",
        ],
    )
    assert result.exit_code == 1  # one partnership failed
    lines = result.stderr.splitlines()
    for pid in country["ids"]:
        assert f"{pid}: 0 written, 2 unchanged" in "\n".join(lines)
    assert any(line.startswith("zz-empty: failed: The store") for line in lines)
    assert "4 partnerships (0 written, 3 unchanged, 1 failed), 6 documents" in result.stderr
    unknown = CliRunner().invoke(
        cli,
        [
            "run",
            "leaflet",
            "--period",
            "2005-Q1",
            "--partnerships",
            "nowhere",
            "--deployment",
            str(country["deployment"]),
            "--store",
            country["url"],
        ],
    )
    assert unknown.exit_code == 1
    assert unknown.stderr.strip().startswith("Error: Unknown partnership 'nowhere'") and "Known: " in unknown.stderr
    # a period of the wrong kind is the job's mistake: one line, not a failure per partnership
    wrong = CliRunner().invoke(
        cli,
        [
            "run",
            "board-pack",
            "--period",
            "2005-Q1",
            "--partnerships",
            "all",
            "--deployment",
            str(country["deployment"]),
            "--store",
            country["url"],
            "--out",
            str(tmp_path / "wrong"),
        ],
    )
    assert wrong.exit_code == 1 and wrong.stderr.count("\n") == 1
    assert wrong.stderr.startswith("Error: The board-pack is written for a month") and not (tmp_path / "wrong").exists()


@pytest.mark.slow
def test_three_partnerships_on_a_dask_cluster_equal_the_local_pool(
    country: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed")
    repo = str(Path(__file__).resolve().parents[1])
    # the workers are new processes: they import this checkout of reportgen, as the tests do
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])))
    ids: list[str] = country["ids"]
    with distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        remote = generate_many(
            "leaflet",
            "2005-Q1",
            deployment=country["deployment"],
            partnerships=",".join(ids),
            store_url=country["url"],
            out_dir=tmp_path / "dask",
            variant=LEAFLETS,
            executor=f"dask://{address}",
        )
    assert remote.executor == f"dask://{address}"
    assert [o.status for o in remote.outcomes] == ["written"] * 3
    local, dask = _files(country["root"] / "local"), _files(tmp_path / "dask")
    assert len(local) == 12 and dask.keys() == local.keys()
    for name, data in local.items():
        assert dask[name] == data, f"{name} differs between the Dask cluster and the local pool"


def test_a_deployment_is_a_folder_of_partnership_folders_told_apart_by_id(tmp_path: Path) -> None:
    from reportgen.deployment import partnerships, select
    from reportgen.errors import ConfigError, LookupFailure

    for folder, pid in (("b", "bee"), ("a", "ay")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "partnership.toml").write_text(f'id = "{pid}"\n', encoding="utf-8")
    (tmp_path / "notes").mkdir()  # a folder without partnership.toml is not a partnership
    assert partnerships(tmp_path) == {"ay": tmp_path / "a", "bee": tmp_path / "b"}
    assert list(select(tmp_path, "bee, ay")) == ["bee", "ay"]
    with pytest.raises(LookupFailure, match="Unknown partnership 'cee'.*Known: ay, bee"):
        select(tmp_path, "ay,cee")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "partnership.toml").write_text('id = "ay"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="c/partnership.toml: id: 'ay' is also the id of a/partnership.toml"):
        partnerships(tmp_path)
    with pytest.raises(ConfigError, match="holds no partnership folders"):
        partnerships(tmp_path / "notes")
