"""One exception hierarchy. Library code raises these; only ``cli.py`` turns them
into a one-line message on stderr and a non-zero exit code."""

from __future__ import annotations


class ReportgenError(Exception):
    """Base class for every error a user can cause and fix."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.message} Hint: {self.hint}" if self.hint else self.message


class ConfigError(ReportgenError, ValueError):
    """The partnership or schedule configuration is wrong. Names the file and the key."""

    exit_code = 2

    def __init__(self, file: str, key: str | None, problem: str, *, hint: str | None = None) -> None:
        self.file = file
        self.key = key
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}", hint=hint)


class LookupFailure(ReportgenError, LookupError):
    """A name (source type, renderer, channel, indicator, area) is not known."""


class PeriodError(ReportgenError, ValueError):
    """A period string could not be understood."""


class DataError(ReportgenError, ValueError):
    """Input data was rejected. Says which file, sheet, row and column, and why."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file, self.sheet, self.row, self.column = file, sheet, row, column
        parts = [p for p in (file, f"sheet {sheet!r}" if sheet else None) if p]
        cell = f"{column or ''}{row if row is not None else ''}"
        if row is not None and not column:
            cell = f"row {row}"
        if cell:
            parts.append(cell)
        where = ", ".join(parts)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)


class StoreError(ReportgenError):
    """The observation store could not be read or written."""


class RenderError(ReportgenError):
    """A document could not be rendered."""


class EmptyDocumentError(ReportgenError):
    """A document would carry no figures at all: refused rather than printed empty."""


class DeliveryError(ReportgenError):
    """A document could not be delivered (email, publish, print folder)."""


class ScheduleError(ReportgenError):
    """The scheduler could not run a job."""
