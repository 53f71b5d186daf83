"""Where render jobs run, chosen by URL.

``local`` (one forked worker per CPU), ``local://N`` (N workers; ``local://1`` runs the jobs in
this process), ``dask://host:port`` (a Dask distributed cluster). ``get_executor(url)`` returns
an :class:`Executor`; use it as a context manager so workers and connections are released.
"""

from __future__ import annotations

from reportgen.errors import LookupFailure
from reportgen.executors.base import Executor, InlineExecutor

SCHEMES = ("local", "dask")

#: Modules worth importing before workers fork (or on cluster workers before the first job).
RENDER_MODULES = ("reportgen.render.pdf", "reportgen.render.docx", "reportgen.render.html")


def check_url(url: str) -> str:
    """``url`` if it names a known executor ('local', 'local://N', 'dask://host:port'), else
    LookupFailure. Checks the form only; nothing is started or connected (for config files)."""
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if scheme == "local" and (not sep or not rest or (rest.isdigit() and int(rest) >= 1)):
        return text
    if scheme == "dask" and rest.rpartition(":")[0] and rest.rpartition(":")[2].isdigit():
        return text
    if scheme in SCHEMES:
        raise LookupFailure(
            f"Executor {text!r} is malformed.", hint="Use local, local://N or dask://host:port."
        )
    raise LookupFailure(
        f"Unknown executor scheme {scheme!r} in {text!r}.",
        hint="Use local, local://N or dask://host:port.",
    )


def get_executor(url: str | None = None) -> Executor:
    """The executor for ``url`` ('local', 'local://N', 'dask://host:port'; default 'local')."""
    text = (url or "local").strip()
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if scheme == "local":
        if not sep or not rest:
            from reportgen.executors.local import LocalExecutor, default_workers

            workers = default_workers()
            return InlineExecutor() if workers == 1 else LocalExecutor(workers)
        try:
            workers = int(rest)
        except ValueError:
            raise LookupFailure(
                f"Executor {text!r}: {rest!r} is not a number of worker processes.",
                hint="e.g. local://2",
            ) from None
        if workers < 1:
            raise LookupFailure(f"Executor {text!r}: needs at least one worker.", hint="e.g. local://2")
        if workers == 1:
            return InlineExecutor()
        from reportgen.executors.local import LocalExecutor

        return LocalExecutor(workers)
    if scheme == "dask":
        if not rest or ":" not in rest:
            raise LookupFailure(
                f"Executor {text!r} needs the scheduler's host and port.", hint="e.g. dask://127.0.0.1:8786"
            )
        from reportgen.executors.dask import DaskExecutor

        return DaskExecutor(rest)
    raise LookupFailure(
        f"Unknown executor scheme {scheme!r} in {text!r}.",
        hint="Use local, local://N or dask://host:port.",
    )


__all__ = ["RENDER_MODULES", "SCHEMES", "Executor", "InlineExecutor", "check_url", "get_executor"]
