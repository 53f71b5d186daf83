"""The one place the scheduler reaches the document pipeline.

Both ``reportgen run`` and the scheduled service produce documents only through
:func:`generate`, which forwards to ``reportgen.pipeline.generate``, and, for a job over
several partnerships of a deployment, :func:`generate_many` (``reportgen.many``), the path
``reportgen run --partnerships`` takes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from reportgen.periods import Period


class RunResultLike(Protocol):
    """What the pipeline returns (``reportgen.pipeline.RunResult``)."""

    report: str
    period: str
    files: list[Path]
    manifest: Path
    headline: list[str]
    exceptions: list[str]


class GenerateFn(Protocol):
    def __call__(
        self,
        report: str,
        period: Period,
        *,
        config_dir: Path,
        store_url: str | None,
        out_dir: Path = ...,
        variant: dict[str, Any] | None = ...,
        version: int | None = ...,
    ) -> RunResultLike: ...


def generate(
    report: str,
    period: Period,
    *,
    config_dir: Path,
    store_url: str | None,
    out_dir: Path = Path("outputs"),
    variant: dict[str, Any] | None = None,
    version: int | None = None,
    executor: str | None = None,
) -> RunResultLike:
    """Render ``report`` for ``period`` into ``out_dir`` (the pipeline's own entry point);
    ``executor`` is schedules.toml's (local, local://N, dask://host:port)."""
    from reportgen.glitch_gate import raise_if_glitches
    from reportgen.pipeline import generate as pipeline_generate

    result = pipeline_generate(
        report,
        period,
        config_dir=config_dir,
        store_url=store_url,
        out_dir=out_dir,
        variant=variant,
        version=version,
        executor=executor,
    )
    # A document that reads wrongly is never sent: the run fails, and the failure reaches a person.
    raise_if_glitches(result)
    return result


def generate_many(
    report: str,
    period: Period,
    *,
    deployment: Path,
    partnerships: str,
    store_url: str | None,
    out_dir: Path,
    variant: dict[str, Any] | None = None,
    executor: str | None = None,
) -> Any:
    """Render ``report`` for each partnership of ``deployment`` that ``partnerships`` names into
    ``out_dir/<partnership id>/`` through one executor (``reportgen.many.generate_many``).
    Every document is rendered: a scheduled run writes a fresh version folder."""
    from reportgen.many import generate_many as many

    return many(
        report,
        period,
        deployment=deployment,
        partnerships=partnerships,
        store_url=store_url,
        out_dir=out_dir,
        variant=variant,
        executor=executor,
        force=True,
    )
