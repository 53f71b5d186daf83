"""Scheduled jobs over several partnerships: a job with ``partnerships = "all"`` in schedules.toml
runs through ``run --partnerships``'s path (reportgen.many.generate_many).

- the real ``reportgen serve`` process runs such a job when it is due, and the files it keeps
  are byte for byte those of ``reportgen run --partnerships all`` by hand;
- one partnership that cannot be made fails the run, naming it and why, after the others;
- a job naming partnerships without a deployment is refused when schedules.toml is read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sched_helpers import write_schedules

from reportgen.cli import cli
from reportgen.country import pull_country, write_country
from reportgen.errors import ConfigError
from reportgen.periods import Period
from reportgen.schedule.config import load_schedules
from reportgen.schedule.ledger import Ledger
from reportgen.schedule.runner import Runner

REPO = Path(__file__).resolve().parents[1]


def _job(when: str) -> str:
    return f"""
[[jobs]]
id = "leaflets-all"
report = "leaflet"
period = "quarter"
fixed_period = "2005-Q1"
variant = {{ each_area = true }}
partnerships = "all"
approval = false
when = {{ {when} }}
"""


def _schedules(root: Path, deployment: Path, when: str) -> Path:
    path = write_schedules(root, _job(when), extra='sweep_every = "1h"\nstop_timeout = "60s"')
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('timezone = "Europe/London"\n', f'timezone = "Europe/London"\ndeployment = "{deployment}"\n',
                                 1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def land(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Two synthetic partnerships of two neighbourhoods each, pulled into the service's store."""
    root = tmp_path_factory.mktemp("land")
    deployment = root / "partnerships"
    write_country(deployment, 2, seed=11, max_neighbourhoods=2)
    (root / "var").mkdir()
    store = f"sqlite:///{root / 'var' / 'reportgen.sqlite'}"
    ids = pull_country(deployment, store)
    return {"root": root, "deployment": deployment, "store": store, "ids": ids}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.suffix in (".pdf", ".docx")}


@pytest.mark.slow
def test_serve_runs_a_job_over_every_partnership_like_run_partnerships(land: dict[str, object],
                                                                          tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    shutil.copytree(land["root"] / "var", root / "var")
    due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=6)
    schedules = _schedules(root, land["deployment"], f'once = "{due.isoformat()}"')
    settings = load_schedules(schedules)
    assert settings.store == land["store"].replace(str(land["root"]), str(root))

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen.cli", "serve", "--schedules", str(schedules)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=root,
    )
    ledger = Ledger(settings.database_url, partnership=settings.partnership)
    try:
        deadline = time.monotonic() + 240  # bounded wait for the real process
        run = None
        while time.monotonic() < deadline and proc.poll() is None:
            run = ledger.find("leaflets-all", "2005-Q1")
            if run is not None and run.status in ("succeeded", "failed"):
                break
            time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        _, log = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert run is not None and run.status == "succeeded", log
    assert proc.returncode == 0, log
    assert "event=run.end job=leaflets-all period=2005-Q1 outcome=succeeded" in log

    # what the service kept: every partnership's leaflets under the run's folder
    final = settings.out_dir / "runs" / "leaflets-all" / "2005-Q1" / "v1"
    kept = _files(final)
    ids: list[str] = land["ids"]
    assert sorted(kept) == sorted(
        f"{pid}/leaflet/2005-Q1/leaflet-{n}.{ext}" for pid in ids for n in ("n001", "n002") for ext in ("pdf", "docx")
    )
    assert sorted(p.relative_to(final).as_posix() for p in run.files) == sorted(kept)
    summary = json.loads((final / "partnerships.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in summary["partnerships"]] == ids
    assert run.headline == ["leaflet January to March 2005 for 2 partnerships: 4 documents, 8 files."]

    # the oracle: the same report made by hand with `run --partnerships all`
    by_hand = CliRunner().invoke(cli, [
        "run", "leaflet", "--period", "2005-Q1", "--each-area", "--partnerships", "all",
        "--deployment", str(land["deployment"]), "--store", settings.store, "--out", str(tmp_path / "hand"),
        "--executor", "local://1",
    ])
    assert by_hand.exit_code == 0, by_hand.output
    hand = _files(tmp_path / "hand")
    assert hand.keys() == kept.keys()
    for name, data in hand.items():
        assert kept[name] == data, f"{name}: the scheduled run differs from run --partnerships"


def test_one_partnership_that_cannot_be_made_fails_the_run_naming_it(land: dict[str, object],
                                                                      tmp_path: Path) -> None:
    deployment = tmp_path / "partnerships"
    shutil.copytree(land["deployment"], deployment)
    first = next(iter(sorted(deployment.iterdir())))
    empty = deployment / "zz-empty"
    shutil.copytree(first, empty)
    toml = empty / "partnership.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(f'id = "{first.name}"', 'id = "zz-empty"', 1),
                    encoding="utf-8")
    root = tmp_path / "svc"
    root.mkdir()
    shutil.copytree(land["root"] / "var", root / "var")
    settings = load_schedules(_schedules(root, deployment, 'cron = "0 7 1 1 *"'))
    ledger = Ledger(settings.database_url, partnership=settings.partnership)
    job = settings.job("leaflets-all")
    run = Runner(settings, ledger).execute(job, Period.parse("2005-Q1"), trigger="manual", deliver=False)
    assert run is not None and run.status == "failed"
    assert run.error.startswith("1 of 3 partnerships failed: zz-empty: ")
    assert "holds no observations" in run.error
    assert not (settings.out_dir / "runs" / "leaflets-all").exists()  # nothing half-kept
    assert not any((settings.out_dir / ".staging").glob("*"))


def test_a_job_naming_partnerships_needs_a_deployment(tmp_path: Path) -> None:
    path = write_schedules(tmp_path, _job('cron = "0 7 1 1 *"'))
    with pytest.raises(ConfigError) as caught:
        load_schedules(path)
    message = str(caught.value)
    assert "partnerships = 'all' needs deployment" in message and "leaflets-all" in message
