"""Delivery settings: the mail server, the outbox, publish and print folders, alerts, and one
``deliver`` entry of a job. They live here, below ``schedule/``, so the channels read them
without importing the scheduler; ``schedules.toml`` embeds them (``reportgen.schedule.config``
re-exports them).

Durations are written ``30s``, ``15m``, ``6h`` or ``2d``.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

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


class DeliverySettings(Protocol):
    """What the channels need from the settings (``Schedules`` has all of it)."""

    smtp: Smtp
    outbox: Folder
    publish: Folder
    print: Folder
    alerts: Alerts
