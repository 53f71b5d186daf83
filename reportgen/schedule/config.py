"""``schedules.toml``: what runs when, for which period, and where it goes.

Checked like the partnership config: unknown keys are rejected with a "did you mean"
hint and every error names the file and the key. Durations are written ``30s``, ``15m``,
``6h`` or ``2d``; time zones are IANA names (``Europe/London``).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from reportgen.config.loader import _validate
from reportgen.errors import ConfigError
from reportgen.periods import Kind, Period
from reportgen.tomlfile import read_toml

DEFAULT_SCHEDULES = Path("schedules.toml")
ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> Any:
    """``"90s"``, ``"15m"``, ``"6h"``, ``"2d"`` or a number of seconds -> timedelta."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.timedelta(seconds=value)
    if isinstance(value, str) and (m := _DURATION_RE.match(value)):
        return dt.timedelta(seconds=float(m[1]) * _UNIT_SECONDS[m[2]])
    if isinstance(value, str) and value.startswith("P"):
        return value  # ISO 8601 (how the models serialise durations): pydantic parses it
    raise ValueError(f"{value!r} is not a duration; write e.g. 30s, 15m, 6h or 2d")


Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone; use an IANA name such as Europe/London") from None
    return name


class Security(StrEnum):
    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


class Smtp(Model):
    """The mail server. With no ``host`` every message waits in the outbox as a .eml file."""

    host: str = Field(
        default="", description="Mail server host name; empty: every message waits in the outbox as a .eml file."
    )
    port: int = Field(default=587, ge=1, le=65535, description="Mail server port.")
    security: Security = Field(default=Security.STARTTLS, description="starttls, tls or none.")
    user: str = Field(default="", description="Login name (empty: no login).")
    password_env: str = Field(
        default="REPORTGEN_SMTP_PASSWORD",
        description="The environment variable holding the password (never the password itself).",
    )
    sender: str = Field(default="reportgen@localhost", description="The From address.")
    timeout: Duration = Field(
        default=dt.timedelta(seconds=30), description="How long to wait for the server (30s, 2m ...)."
    )
    max_attachment_mb: float = Field(
        default=10.0, gt=0, description="Attachments above this size are sent as links instead."
    )
    link_base: str = Field(
        default="", description="URL prefix that replaces attachments above the limit; else the file path."
    )

    @property
    def configured(self) -> bool:
        return bool(self.host)


class Folder(Model):
    path: Path = Field(description="The folder (relative to where reportgen runs, or absolute).")


class Alerts(Model):
    """Who hears about a job that failed after its retries (partnership support)."""

    to: tuple[str, ...] = Field(
        default=(), description="Email addresses told when a job fails after its retries (partnership support)."
    )


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


class ChannelName(StrEnum):
    EMAIL = "email"
    PUBLISH = "publish"
    PRINT = "print"


class Delivery(Model):
    channel: ChannelName = Field(description="email, publish or print.")
    to: tuple[str, ...] = Field(default=(), description="Email recipients.")
    subject: str = Field(default="", description="Email subject; default: '<Report> <period label>'.")
    attach: tuple[str, ...] = Field(default=(".pdf", ".docx"), description="Email: file suffixes attached.")

    @model_validator(mode="after")
    def _recipients(self) -> Delivery:
        if self.channel is ChannelName.EMAIL and not self.to:
            raise ValueError("an email delivery needs recipients in 'to'")
        return self


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
    def database_url(self) -> str:
        from reportgen.store import default_url

        return self.service.database or self.store or default_url()


def load_schedules(path: Path | str = DEFAULT_SCHEDULES, *, base: Path | None = None) -> Schedules:
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
