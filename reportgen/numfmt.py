"""Numbers as readers see them: '2,916', rounded half up, "No data" for a missing value.

Low in the tree (pandas only) so the charts and the report builders share one way of writing a
number without the charts importing the reports."""

from __future__ import annotations

import math
from typing import Any, SupportsFloat, cast

import pandas as pd


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(cast(Any, value)))  # a scalar of any kind; list-likes raise below
    except (TypeError, ValueError):
        return False


def as_float(value: object) -> float:
    """A value that :func:`is_missing` has passed, as a float: it is a number of some kind
    (int, float, numpy or pandas scalar), whatever the frame's column type says."""
    return float(cast(SupportsFloat, value))


def round_half_up(value: float, decimals: int = 0) -> float:
    """Round as people do (2.5 -> 3), not banker's rounding: published tables must agree."""
    factor = 10**decimals
    return math.floor(abs(value) * factor + 0.5) / factor * (1 if value >= 0 else -1)


def fmt_number(value: object, decimals: int = 0, *, missing: str = "No data") -> str:
    """2916 -> '2,916'; 12.345 with 1 decimal -> '12.3'."""
    if is_missing(value):
        return missing
    number = round_half_up(as_float(value), decimals)
    return f"{number:,.{decimals}f}"
