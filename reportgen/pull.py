"""Pull every configured source into the store: the first stage of the pipeline."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reportgen.config.models import Config, Partner, SourceSpec
from reportgen.errors import ReportgenError
from reportgen.fsutil import sha256_files
from reportgen.sources import check_sources, get_source_class
from reportgen.sources.base import Progress
from reportgen.store import LoadSummary, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PullFailure:
    partner: str
    source: str
    error: ReportgenError


def configured_sources(config: Config) -> Iterator[tuple[Partner, SourceSpec]]:
    for partner in config.partners:
        for spec in partner.sources:
            yield partner, spec


def pull(
    config: Config,
    store: Store,
    *,
    partners: list[str] | None = None,
    on_source: Callable[[Partner, SourceSpec], None] | None = None,
    on_file: Progress | None = None,
) -> tuple[list[LoadSummary], list[PullFailure]]:
    """Load every source (of the named partners, or all). A bad source is rejected whole
    and reported; the others still load, each in its own transaction. ``on_file(done,
    total, name)`` hears about each file of a source that reads many (police.uk folders)."""
    check_sources(config)  # every source's type and options, before any partner loads
    summaries: list[LoadSummary] = []
    failures: list[PullFailure] = []
    for partner, spec in configured_sources(config):
        if partners and partner.id not in partners:
            continue
        if on_source:
            on_source(partner, spec)
        try:
            source = get_source_class(spec.type)(spec, partner, config, progress=on_file)
            data = source.load()
            summary = store.load(
                data.frame,
                source=f"{partner.id}/{spec.id}",
                partner=partner.id,
                file=data.description,
                checksum=sha256_files(*data.files) if data.files else None,
            )
        except ReportgenError as exc:
            log.error("%s/%s rejected: %s", partner.id, spec.id, exc)
            failures.append(PullFailure(partner.id, spec.id, exc))
            summaries.append(LoadSummary(f"{partner.id}/{spec.id}", partner.id, rejected=1))
            continue
        log.info(
            "%s/%s: %d new, %d revised, %d unchanged",
            partner.id,
            spec.id,
            summary.new,
            summary.revised,
            summary.unchanged,
        )
        summaries.append(summary)
    return summaries, failures
