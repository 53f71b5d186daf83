"""Report builders: each turns one evaluation into documents (the model in ``reportgen.document``).

A builder module exposes ``build(ctx: ReportContext) -> list[tuple[str, Document]]`` (file
stem, document) and may expose ``summarise(ctx) -> (headline, exceptions)`` for the run
summary; modules are imported on demand so ``reportgen --help`` stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from reportgen.errors import LookupFailure
from reportgen.periods import Kind

REPORTS: dict[str, str] = {
    "board-pack": "reportgen.reports.board_pack",
    "leaflet": "reportgen.reports.leaflet",
    "annual-review": "reportgen.reports.annual_review",
    "web": "reportgen.reports.web",
}

# The period each report is written for; `reportgen run` checks the --period against it.
PERIOD_KINDS: dict[str, Kind] = {
    "board-pack": Kind.MONTH,
    "leaflet": Kind.QUARTER,
    "annual-review": Kind.FINANCIAL_YEAR,
    "web": Kind.MONTH,
}

# Formats each report is rendered to by default (the web page is HTML only).
FORMATS: dict[str, tuple[str, ...]] = {
    "board-pack": ("pdf", "docx"),
    "leaflet": ("pdf", "docx"),
    "annual-review": ("pdf", "docx"),
    "web": ("html",),
}

REPORT_NAMES: tuple[str, ...] = tuple(REPORTS)


def builder(report: str) -> ModuleType:
    """The builder module for ``report`` ('board-pack', 'leaflet', 'annual-review', 'web')."""
    if report not in REPORTS:
        raise LookupFailure(f"Unknown report {report!r}.", hint=f"Known reports: {', '.join(REPORTS)}.")
    name = REPORTS[report]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise LookupFailure(
                f"The {report} builder ({name}) is not installed in this build.",
                hint="Update reportgen, or run another report.",
            ) from None
        raise


def is_available(report: str) -> bool:
    """Whether the builder module for ``report`` can be found (without importing it)."""
    return report in REPORTS and importlib.util.find_spec(REPORTS[report]) is not None


__all__ = ["FORMATS", "PERIOD_KINDS", "REPORTS", "REPORT_NAMES", "builder", "is_available"]
