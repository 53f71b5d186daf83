"""One interface for every way a finished document leaves reportgen.

A :class:`Parcel` is what a run produced (files, headline lines, exceptions); a channel's
``deliver(parcel, spec)`` sends it where ``spec`` (one ``deliver`` entry of a job in
``schedules.toml``) says and returns an :class:`Outcome` for the run history. Channels are
looked up by name, like sources and renderers.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from reportgen.errors import LookupFailure

if TYPE_CHECKING:
    from reportgen.deliver.config import Delivery, DeliverySettings

_REGISTRY: dict[str, str] = {
    "email": "reportgen.deliver.email:EmailChannel",
    "publish": "reportgen.deliver.publish:PublishChannel",
    "print": "reportgen.deliver.print:PrintChannel",
}
CHANNEL_NAMES: tuple[str, ...] = tuple(_REGISTRY)

REPORT_TITLES = {
    "board-pack": "Board pack",
    "leaflet": "Public leaflet",
    "poster": "Poster",
    "annual-review": "Annual strategy review",
    "web": "Web page",
}


@dataclass(frozen=True)
class Parcel:
    """A finished run, as the channels see it."""

    job: str
    report: str
    period: str  # key, e.g. 2005-03
    period_label: str  # e.g. March 2005
    version: int
    files: tuple[Path, ...]
    headline: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()  # partners whose returns were missing at render time
    note: str | None = None  # what changed, for a new version
    draft: bool = False  # awaiting approval: goes to comms staff only
    variant: dict[str, object] = field(default_factory=dict)

    @property
    def title(self) -> str:
        name = REPORT_TITLES.get(self.report, self.report.replace("-", " ").capitalize())
        # {"large_print": True, "area": "north"} -> "large print, north"
        extra = ", ".join(
            k.replace("_", " ") if v is True else str(v) for k, v in self.variant.items() if v not in (False, None)
        )
        version = f" (version {self.version})" if self.version > 1 else ""
        return f"{name}{f' ({extra})' if extra else ''}: {self.period_label}{version}"

    @property
    def safe_period(self) -> str:
        return self.period.replace("/", "-")


@dataclass(frozen=True)
class Outcome:
    """What happened: status is sent, queued, published, printed or held."""

    status: str
    target: str
    detail: str = ""


class Channel(ABC):
    name: ClassVar[str]

    def __init__(self, settings: DeliverySettings) -> None:
        self.settings = settings

    @abstractmethod
    def deliver(self, parcel: Parcel, spec: Delivery) -> Outcome:
        """Deliver ``parcel``; raise DeliveryError if it cannot be done (and will not be retried)."""


def get_channel(name: str, settings: DeliverySettings) -> Channel:
    key = str(name).strip().lower()
    if key not in _REGISTRY:
        raise LookupFailure(f"Unknown delivery channel {name!r}.", hint=f"Known: {', '.join(CHANNEL_NAMES)}.")
    module_name, class_name = _REGISTRY[key].split(":")
    cls: type[Channel] = getattr(importlib.import_module(module_name), class_name)
    return cls(settings)
