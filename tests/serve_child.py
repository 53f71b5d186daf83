"""Child process for the crash and fault tests (run as a script, not collected).

``python serve_child.py block SCHEDULES NOW``: run what is due at NOW with a pipeline that
writes its files, half-writes one more, prints STARTED and hangs, so the test can kill -9 it.

``python serve_child.py serve SCHEDULES CALLS``: the real ``reportgen serve`` (APScheduler,
signals, sweeps, watchdog, logging as the command sets it up) with the test pipeline, which
appends a line per render to CALLS. ``REPORTGEN_FAULT`` makes it stop or die at a named point.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_double import make_generate  # noqa: E402

from reportgen.schedule.config import load_schedules  # noqa: E402
from reportgen.schedule.service import Service  # noqa: E402


def block_mid_run(schedules: str, now: str) -> None:
    def hang(out_dir: Path) -> None:
        (out_dir / "half-written.pdf").write_bytes(b"%PDF-1.4\n% the process dies here")
        print("STARTED", flush=True)
        threading.Event().wait()

    moment = dt.datetime.fromisoformat(now)
    svc = Service(load_schedules(schedules), now=lambda: moment, generate=make_generate(before_return=hang))
    svc.startup()
    svc.run_due()


def serve(schedules: str, calls: str) -> None:
    import logging
    import os

    from reportgen.cli import _event_logging
    from reportgen.logsetup import configure

    configure(logging.WARNING)  # what `reportgen serve` sets up
    _event_logging()
    svc = Service(load_schedules(schedules), generate=make_generate(calls_file=Path(calls)))
    clean = svc.serve()
    logging.shutdown()
    os._exit(svc.exit_code or (0 if clean else 0))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        block_mid_run(sys.argv[2], sys.argv[3])
