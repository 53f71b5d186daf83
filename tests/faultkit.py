"""Helpers for the fault-injection suite (tests/test_faults_*.py): real ``serve`` processes
(tests/serve_child.py: the real Service, APScheduler, signals, sweeps and watchdog, with the
test pipeline), a real SQLite ledger, aiosmtpd on loopback, and faults at named points
(``REPORTGEN_FAULT=<point>:stop|kill``) or signals sent from the test."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sched_helpers import SmtpServer, write_schedules

HERE = Path(__file__).resolve().parent

# Short times so a fault is noticed in seconds: a run whose heartbeat is 2 s old is stale.
FAST = """sweep_every = "1s"
heartbeat_every = "0.3s"
stale_after = "2s"
stop_timeout = "5s"
delivery_backoff = "1s"
delivery_alert_after = 2
"""


def fault_schedules(
    root: Path, server: SmtpServer, *, to: tuple[str, ...] = ("board@example.org",), user: str = "", due_in: float = 2.0
) -> Path:
    """One board pack job, due once in ``due_in`` seconds, emailed to each of ``to`` as its own
    delivery (so each recipient set has its own state)."""
    due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=due_in)
    deliver = ", ".join(f'{{ channel = "email", to = ["{addr}"] }}' for addr in to)
    jobs = f"""
[[jobs]]
id = "board-pack"
report = "board-pack"
period = "month"
fixed_period = "2005-03"
when = {{ once = "{due.isoformat()}" }}
deliver = [{deliver}]
"""
    return write_schedules(root, jobs, smtp=server.smtp_toml(user=user), extra=FAST)


class Child:
    """One ``serve`` process, its stderr in a file the test reads while it runs."""

    def __init__(self, schedules: Path, name: str, **env: str) -> None:
        self.root = schedules.parent
        self.log_path = self.root / f"{name}.log"
        self.calls = self.root / "renders.txt"  # one line per render, from every process
        full = dict(os.environ)
        full.pop("REPORTGEN_FAULT", None)
        full.update(env)
        full["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), str(HERE), full.get("PYTHONPATH", "")])
        self.err = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "serve_child.py"), "serve", str(schedules), str(self.calls)],
            stdout=subprocess.DEVNULL,
            stderr=self.err,
            env=full,
            cwd=self.root,
        )
        self.pid = self.proc.pid

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def wait_log(self, text: str, timeout: float = 30) -> bool:
        return _until(lambda: text in self.log, timeout)

    def wait_stopped(self, timeout: float = 30) -> bool:
        """Until the process is stopped (SIGSTOP: state T in /proc)."""

        def stopped() -> bool:
            try:
                return Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
            except FileNotFoundError:
                return False

        return _until(stopped, timeout)

    def wait_exit(self, timeout: float = 30) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def cont(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def term(self, timeout: float = 30) -> int | None:
        """SIGTERM, as systemd stops it; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait_exit(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            with _suppress():
                os.kill(self.pid, signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(10)
        self.err.close()

    def renders(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []


def _until(check: Any, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return bool(check())


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


def history(schedules: Path, *args: str) -> list[dict[str, Any]]:
    from reportgen.cli import cli

    result = CliRunner().invoke(cli, ["history", "--json", "--schedules", str(schedules), *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def cli(*args: str) -> Any:
    from reportgen.cli import cli as command

    return CliRunner().invoke(command, list(args))
