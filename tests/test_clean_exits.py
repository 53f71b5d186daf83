"""A run killed (kill -9) or interrupted (Ctrl-C) leaves nothing behind: no temporary folders
that survive the next run, no render workers living on as orphans; Ctrl-C exits 130 with one
line. Real `reportgen run` subprocesses on the demo store, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from demo_reports import DEMO, demo_store

from reportgen.fsutil import owned_tempdir, sweep_stale_temps

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_store(tmp_path_factory.mktemp("exits"))


def _start(store: str, out: Path, *extra: str) -> subprocess.Popen[str]:
    # its own session, so a signal to the group reaches the run and its workers, as a terminal's would
    return subprocess.Popen(
        [sys.executable, "-m", "reportgen", "run", "leaflet", "--period", "2005-Q1", "--config", str(DEMO),
         "--store", store, "--out", str(out), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def _children(pid: int) -> list[int]:
    """Every live process whose parent is ``pid`` (from /proc)."""
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                kids.append(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for_workers(proc: subprocess.Popen[str], timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = _children(proc.pid)
        if kids:
            return kids
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    pytest.fail(f"the run started no render workers (exit {proc.returncode})")


def _temps(out: Path) -> list[Path]:
    return list(out.rglob("*.tmp"))


def _wait_until(proc: subprocess.Popen[str], ready: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc.poll() is not None:
            pytest.fail(f"the run ended (exit {proc.returncode}) before {what}: this moment tests nothing")
        time.sleep(0.02)
    pytest.fail(f"no {what} within {timeout} s")


# The moments a kill can come: workers started and nothing written yet; the run's temporary
# folder made; a first document written into it (the rest still rendering).
MOMENTS = {
    "workers-started": lambda _out: True,
    "temp-folder-made": lambda out: bool(_temps(out)),
    "a-document-written": lambda out: any(p.is_file() for t in _temps(out) for p in t.rglob("*")),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_kill_9_leaves_no_orphans_and_the_next_run_leaves_no_temp_folders(
    store: str, tmp_path: Path, moment: str
) -> None:
    out = tmp_path / "outputs"
    proc = _start(store, out)
    workers = _wait_for_workers(proc)
    _wait_until(proc, lambda: MOMENTS[moment](out), moment)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    left = _temps(out)
    if moment != "workers-started":
        assert left, "the kill came after the temp folder was made, so one is left for the next run"
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)], "render workers outlived their killed parent"
    # the next normal run works, and sweeps whatever the killed one left
    again = _start(store, out)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert _temps(out) == [], _temps(out)
    assert not any(p.exists() for p in left)
    assert (out / "leaflet" / "2005-Q1" / "leaflet.pdf").is_file()


def test_ctrl_c_exits_130_with_one_line_and_no_tracebacks(store: str, tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    proc = _start(store, out)
    workers = _wait_for_workers(proc)
    _wait_until(proc, lambda: bool(_temps(out)), "the temp folder was made")  # mid-render
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C: the whole group
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before the interrupt reached it")
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith("Interrupted"), err
    assert len([line for line in lines if "Interrupted" in line]) == 1
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]
    assert _temps(out) == [], _temps(out)


def test_sweeping_keeps_a_live_processs_temp_folder_and_removes_a_dead_ones(tmp_path: Path) -> None:
    mine = owned_tempdir(tmp_path, "board-pack-2005-03")
    # a folder named for a process that has exited
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f".board-pack-2005-03.{int(child.stdout)}.abcd.tmp"
    dead.mkdir()
    (dead / "half.pdf").write_bytes(b"%PDF-half")
    other = tmp_path / ".leaflet-2005-Q1.1.abcd.tmp"  # another name: not ours to sweep
    other.mkdir()
    removed = sweep_stale_temps(tmp_path, "board-pack-2005-03")
    assert removed == [dead] and not dead.exists()
    assert mine.is_dir() and other.is_dir()
