"""Many partnerships in one job: a synthetic country through the local pool and a Dask cluster,
the same job again after one partnership's data changed, and one partnership evaluated from a
store holding the whole country against a store holding it alone (SQLite and PostgreSQL).

Used by ``python -m tests.benchmarks --only country --only store-scale`` (see run_all.py).
Every job is a fresh ``reportgen run ... --partnerships all`` process, as an operator runs it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.benchmarks.fixtures import cli, probe, sqlite_url
from tests.benchmarks.harness import ROOT, Measure, Sample, measure, run_once

#: The whole country the projection is for: about 300 partnerships, 7,000 neighbourhoods (MSOAs).
COUNTRY_PARTNERSHIPS = 300
COUNTRY_NEIGHBOURHOODS = 7_000
JOBS = (("leaflet", "2005-Q1", ("--each-area",)), ("board-pack", "2005-03", ()))


@dataclass
class Country:
    deployment: Path
    store: str
    ids: list[str]
    neighbourhoods: int


def country(work: Path, partnerships: int) -> Country:
    """``partnerships`` synthetic partnerships (seed 1) pulled into one SQLite store, made once."""
    folder = work / f"country-{partnerships}"
    deployment, store = folder / "partnerships", folder / "store.sqlite"
    done = folder / "ready.json"
    if not done.exists():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        run_once([sys.executable, "-m", "reportgen.country", "--out", str(deployment), "--partnerships",
                  str(partnerships), "--seed", "1", "--store", sqlite_url(store)])
        done.write_text(json.dumps({"partnerships": partnerships}), encoding="utf-8")
    from reportgen.deployment import partnerships as listed

    ids = list(listed(deployment))
    areas = sum((f / "partnership.toml").read_text(encoding="utf-8").count("[[neighbourhoods]]")
                for f in listed(deployment).values())
    return Country(deployment, sqlite_url(store), ids, areas)


def job_command(land: Country, report: str, period: str, extra: tuple[str, ...], out: Path, executor: str,
                *, force: bool = True, store: str | None = None) -> list[str]:
    return cli("run", report, "--period", period, *extra, "--partnerships", "all", "--deployment",
               str(land.deployment), "--store", store or land.store, "--out", str(out), "--executor", executor,
               *(["--force"] if force else []))


def manifests(out: Path, report: str, period: str) -> dict[str, Any]:
    """Documents, files and the parent's phases summed over every partnership's manifest."""
    totals: dict[str, Any] = {"documents": 0, "files": 0, "store": 0.0, "evaluate": 0.0, "build": 0.0,
                              "render": 0.0, "partnerships": 0}
    for path in sorted(out.glob(f"*/{report}/{period}/manifest.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        totals["partnerships"] += 1
        totals["documents"] += len(data["documents"])
        totals["files"] += len(data["files"])
        for phase in ("store", "evaluate", "build", "render"):
            totals[phase] += float(data["timings"].get(phase, 0.0))
    return totals


def _rusage_self() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def dask_cluster(workers: int = 2) -> Iterator[Any]:
    """A ``distributed.LocalCluster`` on 127.0.0.1: ``workers`` processes of one thread each
    (WeasyPrint is single-threaded), no dashboard. Yields a client to it."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                     dashboard_address=None, silence_logs=40) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(workers, timeout=120)
        yield client


def worker_cpu(client: Any) -> float:
    """CPU seconds used so far by every worker process of the cluster (their own getrusage)."""
    return sum(client.run(_rusage_self).values())


def scheduler_cpu(client: Any) -> float:
    """CPU seconds used so far by the scheduler's process (for a LocalCluster, this one)."""
    return float(client.run_on_scheduler(_rusage_self))


def run_job(cmd: list[str], out: Path, report: str, period: str, *, client: Any = None) -> Measure:
    """One timed run of a many-partnership job, with its manifests' figures in ``extra``; on
    Dask also the CPU its workers and its scheduler spent meanwhile (they are not the job's
    children, so wait4 does not count them)."""
    before = (worker_cpu(client), scheduler_cpu(client)) if client is not None else (0.0, 0.0)

    def after(sample: Sample) -> None:
        sample.extra = manifests(out, report, period)
        if client is not None:
            sample.extra["worker_cpu"] = worker_cpu(client) - before[0]
            sample.extra["scheduler_cpu"] = scheduler_cpu(client) - before[1]

    return measure(cmd, 1, warmup=0, after=after)


def projection(local: dict[str, Measure], dask: dict[str, Measure], land: Country,
               workers: tuple[int, ...] = (2, 8, 16, 32, 64, 128)) -> dict[str, Any]:
    """The whole country's time on N workers, from this run's CPU figures (see docs/performance.md).

    With ``ship="documents"`` the submitting process reads, evaluates and builds one partnership
    after the other while the workers render, so per job:

        minutes = (client CPU x scale + country documents x (worker CPU per document / N
                   + scheduler CPU per document)) / 60

    where the client is the ``reportgen run --partnerships`` process on Dask (start-up, store,
    evaluation, build, hashing, sending), scaled to the country by neighbourhoods for leaflets and
    by partnerships for board packs, and the scheduler's share is counted as serial (one process).
    CPU seconds, not wall, because the machine measured on is shared: on an idle host a
    single-threaded process's wall time is its CPU time. Without Dask figures, the local pool's
    (the whole tree's CPU less the manifests' serial phases) stand in.
    """
    rows: dict[str, Any] = {"per_job": {}, "minutes": {}}
    for report, *_ in JOBS:
        lm, dm = local[report], dask.get(report)
        e = lm.extra
        docs = e["documents"]
        scale = (COUNTRY_NEIGHBOURHOODS / land.neighbourhoods if report == "leaflet"
                 else COUNTRY_PARTNERSHIPS / len(land.ids))
        phases = e["store"] + e["evaluate"] + e["build"]  # wall, summed from the manifests
        if dm:
            client = dm.cpu  # wait4 of the job's own process only: the workers are not its children
            per_doc = dm.extra["worker_cpu"] / docs
            sched = dm.extra["scheduler_cpu"] / docs
        else:
            client, per_doc, sched = phases, max(lm.cpu - phases, 0.0) / docs, 0.0
        country_docs = docs * scale
        rows["per_job"][report] = {
            "documents": docs, "country_documents": round(country_docs), "client_cpu_s": client,
            "serial_phases_wall_s": phases, "worker_cpu_s_per_document": per_doc,
            "scheduler_cpu_s_per_document": sched, "local_tree_cpu_s": lm.cpu,
        }
        for n in workers:
            seconds = client * scale + country_docs * (per_doc / n + sched)
            rows["minutes"].setdefault(n, {})[report] = seconds / 60
    return rows


def change_one_partnership(store_url: str, pid: str) -> None:
    """A late return: the police revise one neighbourhood's March burglaries in ``pid``."""
    import pandas as pd

    from reportgen.store import Store

    store = Store(store_url, partnership=pid)
    try:
        frame = store.frame()
        rows = frame[(frame["indicator"] == "house_burglary") & (frame["period"] == "2005-03")]
        row = rows.sort_values("area").iloc[0]
        late = pd.DataFrame([{
            "indicator": "house_burglary", "area": row["area"], "period": "2005-03",
            "value": float(row["value"]) + 7, "received_at": dt.datetime(2005, 4, 20, tzinfo=dt.UTC),
        }])
        summary = store.load(late, source="crime", partner="police", file="benchmark-resubmission.csv")
        if summary.revised != 1:
            raise RuntimeError(f"expected one revised observation, got {summary}")
    finally:
        store.dispose()


def copy_store(store_url: str, to: Path) -> str:
    shutil.copy(Path(store_url.removeprefix("sqlite:///")), to)
    return sqlite_url(to)


def evaluate_command(config: Path, store: str, period: str) -> list[str]:
    return probe("evaluate-store", str(config), store, period)


def pull_into(config: Path, store_url: str) -> None:
    run_once(cli("pull", "--config", str(config), "--store", store_url))


@contextlib.contextmanager
def postgres() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster (tests/pg.py); None when PostgreSQL is not installed."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pg import pg_bindir, start_cluster

    if pg_bindir() is None:
        yield None
        return
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.datadir.parent, ignore_errors=True)
