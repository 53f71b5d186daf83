"""The one interface every render job goes through, wherever it runs.

An :class:`Executor` maps a picklable, module-level function over items and yields the
results *in order* and *as they come*: a caller writes each result to disk and drops it, so
rendering every neighbourhood of every partnership holds only a small window of documents in
memory at a time, never the whole run.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(ABC):
    """Runs ``fn(item)`` for each item somewhere (this process, local workers, a cluster)."""

    #: The URL this executor was made from, e.g. "local://2" or "dask://10.0.0.5:8786".
    url: str = ""

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many jobs can run at once."""

    @abstractmethod
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn(item)`` for every item, yielded in the items' order as each is ready.

        ``items`` is consumed lazily, a bounded window ahead of what has been yielded, so a
        generator of a million jobs is fine. ``fn`` must be importable by name (a module-level
        function) because it may run in another process or on another machine. An exception
        raised by ``fn`` is re-raised here, for the first item that failed.
        """

    def warm(self, modules: Iterable[str] = ()) -> None:  # noqa: B027 - optional hook
        """Import ``modules`` where the jobs will run, before the first job (optional)."""

    def start(self, warm: Callable[[], None]) -> None:  # noqa: B027 - optional hook
        """Start the workers now and run ``warm`` in each, in the background where it can,
        so that imports overlap the caller's own work before the first job (optional)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers and connections; the executor cannot be used afterwards."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class InlineExecutor(Executor):
    """Runs every job in this process, one after another: the serial baseline, no pickling."""

    url = "local://1"

    @property
    def workers(self) -> int:
        return 1

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        for item in items:
            yield fn(item)

    def warm(self, modules: Iterable[str] = ()) -> None:
        import importlib

        for name in modules:
            importlib.import_module(name)

    def start(self, warm: Callable[[], None]) -> None:
        warm()  # nowhere else to do it: here, now, so the render phase is rendering only
