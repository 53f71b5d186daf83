"""Executors: chosen by URL, results in order and streamed, the same files locally and on a
real Dask cluster (a scheduler and two workers started as subprocesses on loopback)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportgen.errors import LookupFailure
from reportgen.executors import InlineExecutor, check_url, get_executor
from reportgen.executors.local import LocalExecutor
from reportgen.pipeline import generate

REPO = Path(__file__).resolve().parents[1]


def square(n: int) -> int:
    return n * n


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


def pid_of(_: int) -> int:
    time.sleep(0.05)
    return os.getpid()


def test_urls_choose_executors() -> None:
    assert isinstance(get_executor("local://1"), InlineExecutor)
    with get_executor("local://2") as pool:
        assert isinstance(pool, LocalExecutor)
        assert pool.workers == 2
        assert pool.url == "local://2"
    assert get_executor("local").workers == min(os.cpu_count() or 1, len(os.sched_getaffinity(0)))


@pytest.mark.parametrize(
    ("url", "named"),
    [("spark://host:7077", "'spark'"), ("local://two", "'two'"), ("local://0", "at least one"), ("dask://", "host")],
)
def test_bad_urls_say_what_is_wrong(url: str, named: str) -> None:
    with pytest.raises(LookupFailure) as info:
        get_executor(url)
    assert named in str(info.value)


def test_check_url_validates_without_starting_anything() -> None:
    assert check_url("dask://10.0.0.5:8786") == "dask://10.0.0.5:8786"  # nothing listens there
    assert check_url("local://3") == "local://3"
    for bad, named in (("ray://head:10001", "'ray'"), ("dask://head", "malformed"), ("local://0", "malformed")):
        with pytest.raises(LookupFailure, match=named):
            check_url(bad)


def test_local_pool_keeps_order_and_uses_workers() -> None:
    with get_executor("local://2") as pool:
        assert list(pool.map(square, range(20))) == [n * n for n in range(20)]
        pids = set(pool.map(pid_of, range(8)))
    assert os.getpid() not in pids
    assert len(pids) == 2


def test_map_streams_a_bounded_window() -> None:
    pulled = 0

    def items() -> Iterator[int]:
        nonlocal pulled
        for n in range(1000):
            pulled += 1
            yield n

    with LocalExecutor(2, window=4) as pool:
        results = pool.map(square, items())
        first = next(results)
        assert first == 0
        assert pulled <= 5  # the window, plus the item that filled it; not all 1,000
        assert sum(results) == sum(n * n for n in range(1, 1000))


@pytest.mark.parametrize("url", ["local://1", "local://2"])
def test_a_failing_job_raises_its_error(url: str) -> None:
    with get_executor(url) as pool, pytest.raises(ValueError, match="three"):
        list(pool.map(fail_on_three, range(6)))


_WARMED: list[str] = []


def warm_note(lane: str) -> None:
    _WARMED.append(lane)


def lane_report(item: tuple[str, int]) -> tuple[str, int, int, list[str]]:
    lane, n = item
    return lane, n * n, os.getpid(), list(_WARMED)


def test_lanes_start_warmed_and_route_each_job_to_its_own_worker() -> None:
    from reportgen.executors.local import LaneExecutor

    items = [("pdf", n) if n % 3 else ("docx", n) for n in range(12)]
    with LaneExecutor(("pdf", "docx"), lambda item: item[0], warm_note) as lanes:
        assert lanes.workers == 2
        results = list(lanes.map(lane_report, items))
    assert [(lane, sq) for lane, sq, _pid, _w in results] == [(lane, n * n) for lane, n in items]
    pids = {lane: {pid for lane_, _sq, pid, _w in results if lane_ == lane} for lane in ("pdf", "docx")}
    assert all(len(p) == 1 for p in pids.values()) and pids["pdf"] != pids["docx"]
    assert os.getpid() not in pids["pdf"] | pids["docx"]
    # Each worker warmed its own lane, once, before its jobs; this process warmed nothing.
    assert {tuple(w) for lane, _sq, _pid, w in results if lane == "pdf"} == {("pdf",)}
    assert {tuple(w) for lane, _sq, _pid, w in results if lane == "docx"} == {("docx",)}
    assert _WARMED == []


def warmed_state(_: int) -> tuple[int, list[str]]:
    time.sleep(0.05)
    return os.getpid(), list(_WARMED)


def test_a_started_pool_warms_every_worker_once_before_its_jobs() -> None:
    import functools

    with LocalExecutor(2) as pool:
        pool.start(functools.partial(warm_note, "renderers"))
        results = list(pool.map(warmed_state, range(8)))
    assert len({pid for pid, _w in results}) == 2
    assert all(w == ["renderers"] for _pid, w in results)
    assert _WARMED == []  # in the workers, not here
    inline: list[str] = []
    InlineExecutor().start(lambda: inline.append("here"))
    assert inline == ["here"]


def test_a_single_document_run_renders_through_lanes_and_matches_one_process(tmp_path: Path) -> None:
    from demo_reports import DEMO, demo_store

    url = demo_store(tmp_path)
    lanes = generate("leaflet", "2005-Q1", config_dir=DEMO, store_url=url, out_dir=tmp_path / "lanes")
    serial = generate("leaflet", "2005-Q1", config_dir=DEMO, store_url=url, out_dir=tmp_path / "serial",
                      executor="local://1")
    assert [p.name for p in lanes.files] == ["leaflet.pdf", "leaflet.docx"]
    assert {p.name: p.read_bytes() for p in lanes.files} == {p.name: p.read_bytes() for p in serial.files}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".pdf", ".docx")}


@pytest.mark.slow
def test_each_area_leaflets_on_a_dask_cluster_equal_the_local_run(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from publickit import make

    _, store, config_dir = make(tmp_path)
    store_url = store.url
    store.dispose()
    local = generate("leaflet", "2005-Q1", config_dir=config_dir, store_url=store_url,
                     out_dir=tmp_path / "local", variant={"each_area": True}, executor="local://2")

    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    module = [sys.executable, "-m"]
    log = (tmp_path / "dask.log").open("wb")
    procs = [
        subprocess.Popen([*module, "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                          "--dashboard-address", "127.0.0.1:0"], env=env, stdout=log, stderr=log, cwd=tmp_path)
    ]
    try:
        address = f"127.0.0.1:{port}"
        for _ in range(2):
            procs.append(subprocess.Popen(
                [*module, "distributed.cli.dask_worker", f"tcp://{address}", "--nthreads", "1",
                 "--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0", "--no-nanny"],
                env=env, stdout=log, stderr=log, cwd=tmp_path))
        from distributed import Client

        with Client(f"tcp://{address}", timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        remote = generate("leaflet", "2005-Q1", config_dir=config_dir, store_url=store_url,
                          out_dir=tmp_path / "dask", variant={"each_area": True}, executor=f"dask://{address}")
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
    local_files, remote_files = _files(local.manifest.parent), _files(remote.manifest.parent)
    assert len(local_files) == 2 * 5  # five neighbourhoods, PDF and Word each
    assert remote_files.keys() == local_files.keys()
    for name, data in local_files.items():
        assert remote_files[name] == data, f"{name} differs between the local and the Dask run"
    import json

    manifest = json.loads(remote.manifest.read_text())
    assert manifest["executor"] == f"dask://{address}"


def test_schedules_toml_names_the_executor(tmp_path: Path) -> None:
    from reportgen.errors import ConfigError
    from reportgen.schedule.config import load_schedules

    good = tmp_path / "schedules.toml"
    good.write_text('executor = "dask://10.0.0.5:8786"\n', encoding="utf-8")
    assert load_schedules(good).executor == "dask://10.0.0.5:8786"
    bad = tmp_path / "bad.toml"
    bad.write_text('executor = "spark://head:7077"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_schedules(bad)
    assert "executor" in str(info.value) and "'spark'" in str(info.value)


def test_scheduled_runs_render_through_the_named_executor(tmp_path: Path) -> None:
    """The scheduler's generate() hands schedules.toml's executor to the pipeline."""
    import json

    from publickit import make

    from reportgen.periods import Period
    from reportgen.schedule import jobs

    _, store, config_dir = make(tmp_path)
    result = jobs.generate("leaflet", Period.parse("2005-Q1"), config_dir=config_dir, store_url=store.url,
                           out_dir=tmp_path / "out", executor="local://2")
    store.dispose()
    manifest = json.loads(Path(result.manifest).read_text())
    assert manifest["executor"] == "local://2"
    assert sorted(f["format"] for f in manifest["files"]) == ["docx", "pdf"]
