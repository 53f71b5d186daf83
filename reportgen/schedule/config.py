"""``schedules.toml``: what runs when, for which period, and where it goes.

Checked like the partnership config: unknown keys are rejected with a "did you mean"
hint and every error names the file and the key. Durations are written ``30s``, ``15m``,
``6h`` or ``2d``; time zones are IANA names (``Europe/London``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from reportgen.config.loader import _validate
from reportgen.deliver.config import (  # noqa: F401  (re-exported: schedules.toml embeds them)
    Alerts,
    ChannelName,
    Delivery,
    Duration,
    Folder,
    Model,
    Security,
    Smtp,
    parse_duration,
)
from reportgen.errors import ConfigError
from reportgen.periods import Kind, Period
from reportgen.tomlfile import read_toml

DEFAULT_SCHEDULES = Path("schedules.toml")
ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone; use an IANA name such as Europe/London") from None
    return name


class ServiceSettings(Model):
    database: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the run ledger and job store; default: the observation store's database.",
    )
    misfire_grace: Duration = Field(
        default=dt.timedelta(hours=6),
        description="How late a job may still start after its time (e.g. after downtime).",
    )
    sweep_every: Duration = Field(
        default=dt.timedelta(minutes=15), description="How often the service looks for due work it missed."
    )
    catch_up: Duration = Field(
        default=dt.timedelta(days=400), description="How far back missed runs are caught up after downtime."
    )
    stop_timeout: Duration = Field(
        default=dt.timedelta(minutes=2), description="How long a stopping service waits for a running job."
    )
    heartbeat_every: Duration = Field(
        default=dt.timedelta(seconds=30), description="How often a running job records that it is alive."
    )
    stale_after: Duration = Field(
        default=dt.timedelta(minutes=10),
        description="A running job with no heartbeat for this long is taken as crashed.",
    )
    max_attempts: int = Field(
        default=4, ge=1, description="Attempts at a failing job before partnership support is emailed."
    )
    retry_backoff: Duration = Field(
        default=dt.timedelta(minutes=5), description="Wait before the first retry; doubles after each failed attempt."
    )
    # Trying goes on after the alert, so history turns to sent when the server is back.
    delivery_backoff: Duration = Field(
        default=dt.timedelta(minutes=1),
        description="Wait before a message the mail server could not take (down, 4xx, login refused) is tried "
        "again; doubles after each try, at most an hour.",
    )
    delivery_alert_after: int = Field(
        default=4, ge=1, description="Tries at a message before partnership support is alerted (trying goes on)."
    )


class When(Model):
    """Exactly one of: a cron expression, the n-th working day after the period closes, or once."""

    cron: str | None = Field(
        default=None, description="A cron expression (minute hour day month weekday), in the job's time zone."
    )
    working_day: int | None = Field(
        default=None,
        ge=0,
        le=60,
        description="Run on this working day after the period closes (England and Wales bank holidays).",
    )
    at: dt.time = Field(default=dt.time(7, 0), description="Time of day for working_day, e.g. 07:00.")
    once: dt.datetime | None = Field(default=None, description="Run once at this date and time.")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone=dt.UTC)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a cron expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> When:
        given = [k for k in ("cron", "working_day", "once") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of cron, working_day or once" + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Readiness(Model):
    """Wait for partners' returns up to ``wait`` after the due time, then render with the gap flagged."""

    wait: Duration = Field(
        default=dt.timedelta(0),
        description="Wait up to this long after the due time for partners' returns, then render with the gap flagged.",
    )
    partners: tuple[str, ...] = Field(
        default=(), description="Partners whose returns are waited for; empty: every partner with an indicator due."
    )


PUBLIC_REPORTS = frozenset({"leaflet", "poster"})


class Job(Model):
    id: str = Field(pattern=ID_PATTERN, description="Job id, used by rerun, history and approve.")
    report: str = Field(description="The report it renders: board-pack, leaflet, annual-review, web ...")
    variant: dict[str, Any] = Field(
        default_factory=dict, description="Report options, e.g. { large_print = true } or { each_area = true }."
    )
    when: When = Field(description="When it runs (a [jobs.when] table: cron, working_day or once).")
    timezone: str | None = Field(default=None, description="IANA time zone of 'when'; default: the file's timezone.")
    period: Literal["month", "quarter", "financial_year"] = Field(
        default="month",
        description="The period it reports: month, quarter or financial_year (the one that last closed).",
    )
    fixed_period: str | None = Field(default=None, description="Always report this period (demos and tests).")
    readiness: Readiness = Field(default=Readiness(), description="Waiting for partners' returns before rendering.")
    deliver: tuple[Delivery, ...] = Field(default=(), description="Where the documents go ([[jobs.deliver]] tables).")
    approval: bool | None = Field(
        default=None,
        description="Wait for comms staff's approval before delivering; default: on for leaflets and posters.",
    )
    approval_to: tuple[str, ...] = Field(default=(), description="Comms staff who receive the draft for approval.")
    enabled: bool = Field(default=True, description="false: the job does not run.")
    partnerships: str | None = Field(
        default=None,
        description="Make the report for these partnerships of `deployment` ('all' or 'id,id'), in one job "
        "through the executor, into <run folder>/<partnership id>/.",
    )

    @field_validator("report")
    @classmethod
    def _report(cls, value: str) -> str:
        from reportgen.reports.request import check_report

        return check_report(value)

    @model_validator(mode="after")
    def _variant(self) -> Job:
        # The same check as `reportgen run` and pipeline.generate: one typed run request.
        from reportgen.reports.request import check_variant

        check_variant(self.report, self.variant)
        return self

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return value if value is None else _check_zone(value)

    @field_validator("fixed_period")
    @classmethod
    def _fixed(cls, value: str | None) -> str | None:
        if value is not None:
            Period.parse(value)
        return value

    @property
    def kind(self) -> Kind:
        return Kind(self.period)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "Europe/London")

    @property
    def needs_approval(self) -> bool:
        return self.report in PUBLIC_REPORTS if self.approval is None else self.approval


class Reminders(Model):
    enabled: bool = Field(
        default=False,
        description="Let `reportgen serve` email partners about data returns due soon or overdue (each once).",
    )
    days_before: int = Field(default=3, ge=0, le=60, description="Remind this many days before a return's deadline.")
    months_back: int = Field(
        default=2, ge=1, le=12, description="Months of returns reminded about: the last N months that have ended."
    )
    console_url: str = Field(default="", description="The web console's address, put in the reminder email.")


class Schedules(Model):
    timezone: str = Field(default="Europe/London", description="IANA time zone of the schedules, e.g. Europe/London.")
    config_dir: Path = Field(default=Path("data_sources"), description="The partnership config folder.")
    out_dir: Path = Field(default=Path("outputs"), description="Where documents are written.")
    store: str | None = Field(
        default=None, description="SQLAlchemy URL of the observation store; default as `reportgen pull`."
    )
    executor: str | None = Field(
        default=None, description="Where render jobs run: local (default), local://N or dask://host:port."
    )
    deployment: Path | None = Field(
        default=None,
        description="The folder of partnership folders (each with its partnership.toml) that jobs with "
        "`partnerships` read.",
    )
    smtp: Smtp = Field(default=Smtp(), description="The mail server ([smtp] table).")
    outbox: Folder = Field(
        default=Folder(path=Path("outputs/outbox")), description="Folder where email waits as .eml files."
    )
    publish: Folder = Field(
        default=Folder(path=Path("outputs/public")), description="Folder documents are published to."
    )
    print: Folder = Field(
        default=Folder(path=Path("outputs/print")), description="Folder documents are sent to for printing."
    )
    alerts: Alerts = Field(default=Alerts(), description="Who hears about failed jobs ([alerts] table).")
    service: ServiceSettings = Field(default=ServiceSettings(), description="How the service runs ([service] table).")
    reminders: Reminders = Field(
        default=Reminders(), description="Scheduled reminders to partners about data returns ([reminders] table)."
    )
    jobs: tuple[Job, ...] = Field(default=(), description="The scheduled jobs ([[jobs]] tables).")
    source: str = Field(default="", description="Set by reportgen: the file this was read from; not written in TOML.")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)

    @field_validator("executor")
    @classmethod
    def _executor(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from reportgen.errors import LookupFailure
        from reportgen.executors import check_url

        try:
            return check_url(value)
        except LookupFailure as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _fill_and_check(self) -> Schedules:
        seen: set[str] = set()
        jobs = []
        for n, job in enumerate(self.jobs):
            if job.id in seen:
                raise ValueError(f"jobs[{n}]: job id {job.id!r} is used twice")
            seen.add(job.id)
            if job.partnerships is not None and self.deployment is None:
                raise ValueError(
                    f"jobs[{n}] ({job.id}): partnerships = {job.partnerships!r} needs deployment = \"DIR\" at the "
                    "top of the file (the folder of partnership folders)"
                )
            jobs.append(job if job.timezone else job.model_copy(update={"timezone": self.timezone}))
        object.__setattr__(self, "jobs", tuple(jobs))
        return self

    def job(self, job_id: str) -> Job:
        for job in self.jobs:
            if job.id == job_id:
                return job
        from reportgen.errors import LookupFailure

        raise LookupFailure(
            f"{self.source or 'schedules.toml'}: no job {job_id!r}",
            hint=f"jobs: {', '.join(j.id for j in self.jobs) or '(none)'}",
        )

    @property
    def partnership(self) -> str:
        """The partnership these jobs report on: ``partnership.id`` of ``config_dir``. Its runs
        are kept apart from other partnerships' in a shared ledger."""
        from reportgen.config.loader import load_partnership

        try:
            return load_partnership(self.config_dir).id
        except ConfigError as exc:
            # Said from where the folder was named: the service and the queue commands take no
            # --config, and guessing a partnership would file rows under someone else's.
            if (self.config_dir / "partnership.toml").is_file():
                raise
            raise ConfigError(
                self.source or "schedules.toml",
                "config_dir",
                f"{self.config_dir / 'partnership.toml'} is missing (runs and messages are filed under the id "
                "of the partnership in it)",
                hint="set config_dir to the partnership's config folder",
            ) from exc

    @property
    def database_url(self) -> str:
        from reportgen.store import default_url

        return self.service.database or self.store or default_url()


def load_schedules(path: Path | str = DEFAULT_SCHEDULES) -> Schedules:
    """Read and check ``schedules.toml``. Relative folders are taken from the working directory."""
    path = Path(path)
    rel = str(path)
    try:
        data = read_toml(path, rel)
    except FileNotFoundError:
        raise ConfigError(rel, None, "is missing", hint="pass --schedules FILE or create schedules.toml") from None
    except OSError as exc:
        raise ConfigError(rel, None, f"cannot be read ({exc.strerror})") from None
    if "source" in data:
        raise ConfigError(rel, "source", "is not a known key")
    schedules = _validate(Schedules, data, rel)
    return schedules.model_copy(update={"source": rel})
