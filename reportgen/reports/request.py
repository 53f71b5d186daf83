"""One typed run request: which report, which variant, for which period and partnership.

``reportgen run``, a job in ``schedules.toml`` and ``reportgen.pipeline.generate`` all check
what they are asked for here, the same way, so ``report = "board-pak"`` or
``variant = { larg_print = true }`` is refused when the schedules file is read (by
``reportgen schedules`` and at ``serve`` start), not after four failed attempts at run time.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from reportgen.errors import ConfigError
from reportgen.reports import REPORTS


class Variant(BaseModel):
    """The variant options a report's builder reads (``ctx.options``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    large_print: bool = False
    area: str | None = None
    each_area: bool = False
    poster: bool = False
    paper: Literal["A3", "A4"] | None = None  # the poster's paper (default A3)
    lang: str | None = None
    alt_formats: bool = False
    crime_indicator: str | None = None  # which indicator the public figures call "crime"
    types_indicator: str | None = None  # and which one they break down by crime type


# Which report reads which variant key; any other pairing would be silently ignored.
VARIANT_KEYS: dict[str, frozenset[str]] = {
    "leaflet": frozenset(Variant.model_fields),
    "web": frozenset({"crime_indicator", "types_indicator"}),
    "board-pack": frozenset(),
    "annual-review": frozenset(),
}


class RunRequest(BaseModel):
    """What to produce: ``report`` with ``variant`` for ``period`` from the partnership in
    ``config_dir``; ``options`` are the run's own (version, formats...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    report: str
    variant: dict[str, Any] = {}
    period: str | None = None
    config_dir: Path | None = None
    options: dict[str, Any] = {}


def check_report(report: str) -> str:
    """``report`` if it is one; else a ValueError naming the closest and the known ones."""
    if report in REPORTS:
        return report
    close = difflib.get_close_matches(str(report), list(REPORTS), n=1)
    guess = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(f"{report!r} is not a report ({guess}known: {', '.join(REPORTS)})")


def check_variant(report: str, variant: dict[str, Any] | None) -> dict[str, Any]:
    """The variant's options, type-checked; a ValueError names a key that is unknown, of the
    wrong type, or not read by this report."""
    variant = dict(variant or {})
    allowed = VARIANT_KEYS.get(report, frozenset())
    for key in variant:
        if key not in Variant.model_fields:
            close = difflib.get_close_matches(str(key), list(Variant.model_fields), n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(
                f"variant.{key} is not a known variant option ({guess}known: {', '.join(Variant.model_fields)})"
            )
        if key not in allowed:
            raise ValueError(
                f"variant.{key} does not apply to the {report} (it takes: "
                f"{', '.join(sorted(allowed)) or 'no variant options'})"
            )
    try:
        Variant.model_validate(variant)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"variant.{key}: {err['msg']} (got {err.get('input')!r})") from None
    if variant.get("area") and variant.get("each_area"):
        raise ValueError("variant: give area or each_area, not both")
    if variant.get("paper") and not variant.get("poster"):
        raise ValueError("variant.paper applies to the poster only (poster = true)")
    return variant


def check_request(request: RunRequest, *, where: str = "run request") -> RunRequest:
    """The request if its report and variant are valid; else a ConfigError naming ``where``
    (the file) and the key."""
    try:
        check_report(request.report)
    except ValueError as exc:
        raise ConfigError(where, "report", str(exc)) from None
    try:
        check_variant(request.report, request.variant)
    except ValueError as exc:
        raise ConfigError(where, None, str(exc)) from None
    return request
