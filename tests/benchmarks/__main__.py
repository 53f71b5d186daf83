"""``python -m tests.benchmarks [--quick]``: the whole benchmark suite (see run_all.py)."""

from tests.benchmarks.run_all import main

raise SystemExit(main())
