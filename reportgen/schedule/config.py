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

    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    security: Security = Security.STARTTLS
    user: str = ""
    password_env: str = "REPORTGEN_SMTP_PASSWORD"
    sender: str = "reportgen@localhost"
    timeout: Duration = dt.timedelta(seconds=30)
    max_attachment_mb: float = Field(default=10.0, gt=0)
    link_base: str = ""  # URL prefix that replaces attachments above the limit; else the file path

    @property
    def configured(self) -> bool:
        return bool(self.host)


class Folder(Model):
    path: Path


class Alerts(Model):
    """Who hears about a job that failed after its retries (partnership support)."""

    to: tuple[str, ...] = ()


class ServiceSettings(Model):
    database: str | None = None  # SQLAlchemy URL; default: the observation store's database
    misfire_grace: Duration = dt.timedelta(hours=6)
    sweep_every: Duration = dt.timedelta(minutes=15)
    catch_up: Duration = dt.timedelta(days=400)
    stop_timeout: Duration = dt.timedelta(minutes=2)
    heartbeat_every: Duration = dt.timedelta(seconds=30)
    stale_after: Duration = dt.timedelta(minutes=10)
    max_attempts: int = Field(default=4, ge=1)
    retry_backoff: Duration = dt.timedelta(minutes=5)  # doubles after each failed attempt


class When(Model):
    """Exactly one of: a cron expression, the n-th working day after the period closes, or once."""

    cron: str | None = None
    working_day: int | None = Field(default=None, ge=0, le=60)
    at: dt.time = dt.time(7, 0)
    once: dt.datetime | None = None

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
                "give exactly one of cron, working_day or once"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Readiness(Model):
    """Wait for partners' returns up to ``wait`` after the due time, then render with the gap flagged."""

    wait: Duration = dt.timedelta(0)
    partners: tuple[str, ...] = ()  # empty: every partner with an indicator at this frequency or finer


class ChannelName(StrEnum):
    EMAIL = "email"
    PUBLISH = "publish"
    PRINT = "print"


class Delivery(Model):
    channel: ChannelName
    to: tuple[str, ...] = ()
    subject: str = ""  # default: "<Report> <period label>"
    attach: tuple[str, ...] = (".pdf", ".docx")  # email: file suffixes attached

    @model_validator(mode="after")
    def _recipients(self) -> Delivery:
        if self.channel is ChannelName.EMAIL and not self.to:
            raise ValueError("an email delivery needs recipients in 'to'")
        return self


PUBLIC_REPORTS = frozenset({"leaflet", "poster"})


class Job(Model):
    id: str = Field(pattern=ID_PATTERN)
    report: str
    variant: dict[str, Any] = Field(default_factory=dict)
    when: When
    timezone: str | None = None  # default: the file's top-level timezone
    period: Literal["month", "quarter", "financial_year"] = "month"
    fixed_period: str | None = None  # demos and tests: always report this period
    readiness: Readiness = Readiness()
    deliver: tuple[Delivery, ...] = ()
    approval: bool | None = None  # default: on for leaflets and posters
    approval_to: tuple[str, ...] = ()  # comms staff who receive the draft
    enabled: bool = True

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
    timezone: str = "Europe/London"
    config_dir: Path = Path("data_sources")
    out_dir: Path = Path("outputs")
    store: str | None = None  # SQLAlchemy URL of the observation store; default as `reportgen pull`
    # Where render jobs run: "local" (default), "local://N" or "dask://host:port" (a Dask cluster)
    executor: str | None = None
    smtp: Smtp = Smtp()
    outbox: Folder = Folder(path=Path("outputs/outbox"))
    publish: Folder = Folder(path=Path("outputs/public"))
    print: Folder = Folder(path=Path("outputs/print"))
    alerts: Alerts = Alerts()
    service: ServiceSettings = ServiceSettings()
    jobs: tuple[Job, ...] = ()
    source: str = ""  # the file this was read from (set by the loader)

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
