"""Pull every configured source into the store: the first stage of the pipeline."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reportgen.config.models import Config, Partner, SourceSpec
from reportgen.errors import ReportgenError
from reportgen.fsutil import sha256_files
from reportgen.sources import check_sources, get_source_class
from reportgen.sources.base import DropReason, Progress, RowAccount, RowsDropped, Source, rows_text
from reportgen.store import LoadSummary, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PullFailure:
    partner: str
    source: str
    error: ReportgenError


@dataclass(frozen=True)
class SourcePull:
    """One source's pull: its rows accounted for (None when it failed before counting, e.g. an
    unreadable file), what the store made of them (None when refused), and the error if any."""

    partner: str
    source: str
    account: RowAccount | None
    summary: LoadSummary | None = None
    error: ReportgenError | None = None

    @property
    def name(self) -> str:
        return f"{self.partner}/{self.source}"


@dataclass
class PullResult:
    """Every source's outcome, in config order. Unpacks as ``(summaries, failures)``, the pair
    pull() returned before sources accounted for their rows, so older callers keep working."""

    sources: list[SourcePull] = field(default_factory=list)

    @property
    def summaries(self) -> list[LoadSummary]:
        return [s.summary or LoadSummary(s.name, s.partner, rejected=1) for s in self.sources]

    @property
    def failures(self) -> list[PullFailure]:
        return [PullFailure(s.partner, s.source, s.error) for s in self.sources if s.error is not None]

    def __iter__(self) -> Iterator[Any]:
        return iter((self.summaries, self.failures))


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
) -> PullResult:
    """Load every source (of the named partners, or all). A bad source is rejected whole
    and reported; the others still load, each in its own transaction. A source that would
    drop rows for a reason its config does not declare is rejected too (:class:`RowsDropped`),
    with its account. Every source's type and options are checked before any is read, so a
    config slip leaves the store untouched. ``on_file(done, total, name)`` hears about each
    file of a source that reads many (police.uk folders)."""
    store.require(config.partnership.id)
    check_sources(config)  # every source's type and options, before any partner loads
    chosen = [(p, s) for p, s in configured_sources(config) if not partners or p.id in partners]
    sources: list[Source] = [get_source_class(spec.type)(spec, partner, config) for partner, spec in chosen]
    result = PullResult()
    for (partner, spec), source in zip(chosen, sources, strict=True):
        if on_source:
            on_source(partner, spec)
        source.progress = on_file
        account: RowAccount | None = None
        try:
            data = source.load()
            account = data.account
            summary = store.load(
                data.frame,
                source=f"{partner.id}/{spec.id}",
                partner=partner.id,
                file=data.description,
                checksum=sha256_files(*data.files) if data.files else None,
            )
        except ReportgenError as exc:
            if isinstance(exc, RowsDropped):
                account = exc.account
            # at INFO: the caller reports the failure (the CLI as its one "Error:" line)
            log.info("%s/%s rejected: %s", partner.id, spec.id, exc)
            result.sources.append(SourcePull(partner.id, spec.id, account, error=exc))
            _log_account(result.sources[-1])
            continue
        log.info(
            "%s/%s: %d new, %d revised, %d unchanged",
            partner.id,
            spec.id,
            summary.new,
            summary.revised,
            summary.unchanged,
        )
        result.sources.append(SourcePull(partner.id, spec.id, account, summary))
        _log_account(result.sources[-1])
    return result


def _log_account(pulled: SourcePull) -> None:
    """The account in the run log too, not only on the terminal: a scheduled pull has none. At
    INFO, since the CLI prints the same lines itself (and the error of a refused source)."""
    if pulled.account is not None:
        for line in describe(pulled):
            log.info("%s", line)


def describe(pulled: SourcePull) -> list[str]:
    """The lines ``reportgen pull`` prints for one source: rows read, loaded and dropped by reason
    (each marked expected or failing), then what was matched loosely and what looks wrong."""
    account = pulled.account
    if account is None:
        return [f"{pulled.name}: refused whole, nothing loaded (the error below says why)"]
    lines = [f"{pulled.name}: {account.read:,} rows read, {account.loaded:,} loaded, {account.dropped:,} dropped"]
    for reason, drops in account.by_reason().items():
        for drop in drops:
            flag = ""
            if drop.fails:
                declarable = drop.reason in (DropReason.UNKNOWN_CRIME_TYPE, DropReason.UNMATCHED_LSOA)
                flag = "  [not declared in the config: fails the pull]" if declarable else "  [fails the pull]"
            detail = f": {drop.detail}" if drop.detail else ""
            lines.append(f"  - {reason}: {rows_text(drop.rows)}{detail}{flag}")
    lines += [f"  note: {n}" for n in account.notes]
    lines += [f"  warning: {w}" for w in account.warnings]
    return lines
