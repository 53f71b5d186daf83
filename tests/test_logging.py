"""One log format for every command and the service, JSON on request, and no password in any
line that reportgen prints or logs."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
from pathlib import Path

from conftest import write_small_config
from sched_helpers import write_schedules

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


def test_a_store_password_is_hidden_in_every_title_log_and_error(pg_url: str, tmp_path: Path) -> None:
    """A real PostgreSQL store (trust authentication, so the password is carried but not needed)
    named with its password: the tables' titles, `-v` logs, the serve start log and an error
    print the URL with *** instead (issue 13, point 5)."""
    url = pg_url.replace("://postgres@", "://postgres:hunter2-secret@")
    shown = url.replace("hunter2-secret", "***")
    schedules = write_schedules(tmp_path / "svc", "")
    root = tmp_path / "svc" / "config"
    printed = []
    for args in (("-v", "pull", "--config", str(root), "--store", url),
                 ("history", "--schedules", str(schedules), "--store", url),
                 ("db", "current", "--store", url),
                 ("evaluate", "--period", "2022-03", "--config", str(root), "--store", url + "-missing")):
        done = _reportgen(*args, cwd=tmp_path)
        assert done.returncode == (1 if args[0] == "evaluate" else 0), done.stderr
        printed.append(done.stdout + done.stderr)
    pulled, history, current, error = printed
    def flat(text: str) -> str:  # a table title as rich wraps it, joined up again
        return "".join(text.split())

    assert flat(f"Pulled into {shown}") in flat(pulled), pulled
    assert flat(shown) in flat(history) and shown in current, history + current
    assert shown + "-missing" in error, error
    serve = subprocess.Popen([sys.executable, "-m", "reportgen", "serve", "--schedules", str(schedules), "--store", url],
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path)  # fmt: skip
    try:
        lines = []
        for line in serve.stderr:  # type: ignore[union-attr]
            lines.append(line)
            if "outcome=started" in line:
                break
        serve.send_signal(signal.SIGTERM)
        _, rest = serve.communicate(timeout=60)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    started = next(x for x in lines if "outcome=started" in x)
    assert f"database={shown}" in started, started
    assert serve.returncode == 0, "".join(lines) + rest
    for text in [*printed, "".join(lines) + rest]:
        assert "hunter2" not in text, text


def test_redact_hides_only_passwords() -> None:
    assert redact("at postgresql://u:p%40ss@db:5432/x and smtp://:tok@mail") == (
        "at postgresql://u:***@db:5432/x and smtp://:***@mail"
    )
    assert redact("postgresql+psycopg://u@db/x?password=s3cret&sslmode=require") == (
        "postgresql+psycopg://u@db/x?password=***&sslmode=require"
    )
    assert redact("connection failed: host=db user=u password=s3cret dbname=x") == (
        "connection failed: host=db user=u password=*** dbname=x"
    )
    kept = "sqlite:////var/lib/reportgen/store.sqlite https://example.org/a:b@c mailto:a@b.org"
    assert redact(kept) == kept
