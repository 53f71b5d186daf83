"""Dask distributed: render jobs on a cluster (``dask://scheduler-host:8786``).

Workers need reportgen installed (same version) and the fonts the documents use; they get
everything else (the evaluated figures, the documents) in the job itself, so they need no
access to the store or the configuration. Results stream back in order through a bounded
window of futures, so the client's memory does not grow with the number of jobs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from reportgen.errors import LookupFailure, RenderError
from reportgen.executors.base import Executor

T = TypeVar("T")
R = TypeVar("R")


def _import_modules(modules: list[str]) -> None:
    import importlib

    for name in modules:
        importlib.import_module(name)


class DaskExecutor(Executor):
    """Sends each job to a Dask distributed scheduler at ``address`` ("host:port")."""

    def __init__(self, address: str, *, window: int | None = None, timeout: float = 30.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise LookupFailure(
                "The dask executor needs the 'distributed' package.",
                hint="pip install 'reportgen[dask]'",
            ) from None
        self.url = f"dask://{address}"
        try:
            self._client: Any = Client(f"tcp://{address}", timeout=timeout, set_as_default=False)
        except OSError as exc:
            raise RenderError(f"Could not reach the Dask scheduler at {address}: {exc}") from exc
        self._window = window

    @property
    def workers(self) -> int:
        info = self._client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def warm(self, modules: Iterable[str] = ()) -> None:
        """Import ``modules`` on every worker now rather than in the first job."""
        self._client.run(_import_modules, list(modules))

    def start(self, warm: Callable[[], None]) -> None:
        """Run ``warm`` on every worker now (say, import the renderers and lay out one tiny page,
        as a forked local worker inherits them), so the first documents do not pay for it."""
        self._client.run(warm)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        window = self._window or 2 * self.workers
        pending: deque[Any] = deque()
        try:
            for item in items:
                # pure=False: two equal jobs are still two files; never deduplicated by hash
                pending.append(self._client.submit(fn, item, pure=False))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        self._client.close()
