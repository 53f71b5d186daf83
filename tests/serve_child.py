"""Child process for the crash and end-to-end tests (run as a script, not collected).

``python serve_child.py block SCHEDULES NOW``: run what is due at NOW with a pipeline that
writes its files, half-writes one more, prints STARTED and hangs, so the test can kill -9 it.

``python serve_child.py serve ARGS...``: ``reportgen serve`` with the test double pipeline
(until the real one is merged), for the SIGTERM end-to-end test.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_double import make_generate  # noqa: E402

from reportgen.schedule import jobs  # noqa: E402
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


def serve(args: list[str]) -> None:
    from reportgen.cli import cli

    calls_file = Path(args.pop(0))
    jobs.generate = make_generate(calls_file=calls_file)  # type: ignore[assignment]
    cli.main(args=["serve", *args], prog_name="reportgen")


if __name__ == "__main__":
    if sys.argv[1] == "block":
        block_mid_run(sys.argv[2], sys.argv[3])
    else:
        serve(sys.argv[2:])
