"""Local process pool: forked workers that inherit the parent's imports and caches.

The parent imports the heavy libraries (WeasyPrint, python-docx, matplotlib, pandas) and lays
out one tiny page *before* the pool forks, so every worker starts with them already in memory
(shared copy-on-write) instead of each paying ~1 s of imports and font discovery.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from reportgen.errors import RenderError
from reportgen.executors.base import Executor

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The CPUs this process may use (respects taskset/cgroup affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _stream(submit: Callable[[T], Future[R]], items: Iterable[T], window: int) -> Iterator[R]:
    """Results of ``submit(item)`` in the items' order, with at most ``window`` in flight."""
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(submit(item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool as exc:  # a worker was killed (out of memory, a signal)
        raise RenderError(f"A rendering process died: {exc}") from None
    finally:
        for future in pending:
            future.cancel()


def _nothing() -> None:
    """A job that only makes the pool start its workers."""


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:  # the parent died (kill -9): the orphan goes too
            os._exit(1)


def _worker_start(warm: Callable[..., None] | None = None, *args: Any) -> None:
    """Run in every worker first. Ctrl-C goes to the whole process group: the parent handles
    it (one line, exit 130) and shuts the pool down, so workers ignore it rather than each
    printing a traceback. A worker also leaves by itself when its parent is gone, so a
    killed run never leaves renderers running on as orphans."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
    if warm is not None:
        warm(*args)


class LocalExecutor(Executor):
    """A pool of ``workers`` forked processes (default: one per available CPU)."""

    def __init__(self, workers: int | None = None, *, window: int | None = None) -> None:
        self._workers = workers or default_workers()
        # Jobs in flight: enough to keep every worker busy while the parent writes results,
        # few enough that memory stays flat however many jobs there are.
        self._window = window or 2 * self._workers
        self._pool: ProcessPoolExecutor | None = None
        self.url = f"local://{self._workers}"

    @property
    def workers(self) -> int:
        return self._workers

    def warm(self, modules: Iterable[str] = ()) -> None:
        """Import ``modules`` here, before the pool forks, so every worker inherits them."""
        for name in modules:
            importlib.import_module(name)

    def _ensure_pool(self, warm: Callable[[], None] | None = None) -> ProcessPoolExecutor:
        if self._pool is None:
            # fork, not spawn: workers inherit the imports, fonts and chart cache already
            # loaded here; spawn would redo them in each worker.
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=context,
                initializer=_worker_start,
                initargs=(warm,),
            )
        return self._pool

    def start(self, warm: Callable[[], None]) -> None:
        """Fork every worker now, each running ``warm`` while this process goes on."""
        # With fork, the first submit starts all the workers at once; each runs the initializer.
        self._ensure_pool(warm).submit(_nothing)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        pool = self._ensure_pool()
        return _stream(lambda item: pool.submit(fn, item), items, self._window)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class LaneExecutor(Executor):
    """One forked worker per lane (say, per output format), started and warmed at once.

    For a run of one document the lanes start before the store is read, each importing its
    own renderer (WeasyPrint for the PDF, python-docx for Word) while the parent evaluates
    and builds; each job then goes to the lane that is ready for it. Nothing is imported
    twice, and the imports are off the critical path.
    """

    def __init__(self, lanes: Iterable[str], lane_of: Callable[[Any], str], warm: Callable[[str], None]) -> None:
        context = multiprocessing.get_context("fork")
        self._pools = {
            lane: ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_worker_start)
            for lane in lanes
        }
        if not self._pools:
            raise ValueError("LaneExecutor needs at least one lane")
        self._lane_of = lane_of
        # A warm-up that fails is not reported itself: the lane's first job fails the same way.
        for lane, pool in self._pools.items():
            pool.submit(warm, lane)
        self.url = f"local://{len(self._pools)}"

    @property
    def workers(self) -> int:
        return len(self._pools)

    def _pool_for(self, item: Any) -> ProcessPoolExecutor:
        lane = self._lane_of(item)
        return self._pools.get(lane) or next(iter(self._pools.values()))

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return _stream(lambda item: self._pool_for(item).submit(fn, item), items, 2 * self.workers)

    def close(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools = {}
