"""One log format for every command and the service, JSON on request, and no password in any
line that reportgen prints or logs."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from conftest import write_small_config

from reportgen.logsetup import redact


def _reportgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)  # fmt: skip


def test_json_logs_are_one_object_per_line_with_a_zoned_timestamp(tmp_path: Path) -> None:
    root = write_small_config(tmp_path / "cfg")
    done = _reportgen("--log-format", "json", "-v", "pull", "--config", str(root),
                      "--store", f"sqlite:///{tmp_path / 's.sqlite'}", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert events, done.stderr
    for event in events:
        assert set(event) >= {"time", "level", "logger", "message"}
        when = dt.datetime.fromisoformat(event["time"])
        assert when.utcoffset() is not None, event["time"]
        assert abs((dt.datetime.now(dt.UTC) - when).total_seconds()) < 300
    assert any(e["logger"] == "reportgen.pull" and "new" in e["message"] for e in events)


def test_text_logs_carry_a_zoned_timestamp(tmp_path: Path) -> None:
    root = write_small_config(tmp_path / "cfg")
    done = _reportgen("-v", "pull", "--config", str(root), "--store", f"sqlite:///{tmp_path / 's.sqlite'}",
                      cwd=tmp_path)  # fmt: skip
    line = next(x for x in done.stderr.splitlines() if "reportgen.pull" in x)
    stamp = line.split(" ", 1)[0]
    assert dt.datetime.fromisoformat(stamp).utcoffset() is not None, line


def test_a_store_password_never_reaches_the_error_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://reportgen:hunter2-secret@127.0.0.1:9/nowhere"
    root = write_small_config(tmp_path / "cfg")
    done = _reportgen("evaluate", "--period", "2022-03", "--config", str(root), "--store", url, cwd=tmp_path)
    assert done.returncode != 0
    assert "hunter2-secret" not in done.stderr + done.stdout
    assert "reportgen:***@127.0.0.1" in done.stderr, done.stderr


def test_redact_hides_only_passwords() -> None:
    assert redact("at postgresql://u:p%40ss@db:5432/x and smtp://:tok@mail") == (
        "at postgresql://u:***@db:5432/x and smtp://:***@mail"
    )
    kept = "sqlite:////var/lib/reportgen/store.sqlite https://example.org/a:b@c mailto:a@b.org"
    assert redact(kept) == kept
