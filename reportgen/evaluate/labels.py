"""Change labels: "Down 25%", "Up 169%", "No change"; "Up 5.0 points" for percentages.

A change in a count or a rate is relative ("Down 25%"); a change in a percentage is said in
percentage points, to one decimal ("Up 5.0 points": 27.96% -> 32.94%), because a relative
change of a percentage ("up 18%") reads as if it were points. ``CHANGE_UNIT`` names the two.

Percentages are rounded **half up** to whole numbers (24.5 -> 25, 0.4 -> 0), as people
and published strategies round, not to even as Python's ``round`` does. Floats carry
artefacts (``(2916 - 2176) / 2916 * 100`` is fine, but ``0.245 * 100`` is
24.500000000000004 and ``1.145 * 100`` is 114.49999999999999), so every value is first
snapped to nine decimal places, then rounded half-up with :mod:`decimal`
(``ROUND_HALF_UP``). The vectorised form gives the same answers as the scalar one (a test
checks this with hypothesis) without a Python loop per value.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

SNAP_DECIMALS = 9
NO_CHANGE = "No change"
POINT_DECIMALS = 1  # "Up 5.0 points": one decimal, as the percentages themselves are printed
PERCENT, POINTS = "percent", "points"  # values of the ``change_unit`` column

# The words for the engine's ``direction`` codes: documents read these (or the engine's
# ``direction_text`` column), never their own. "similar" is a change not beyond chance (or
# between counts too small to judge): neutral, never coloured as worse.
DIRECTION_WORDS: dict[str, str] = {
    "improving": "Improving",
    "worsening": "Worsening",
    "no_change": "No change",
    "up": "Up",
    "down": "Down",
    "similar": "Similar to a year ago",
    "no_data": "No data",
}
# "similar" in the words of the test that found it (keys: significance.TWO_PROPORTION, ...)
SIMILAR_WORDS: dict[str, str] = {
    "two_proportion": "No significant change",
    "poisson_exact": "Similar to a year ago",
    "too_small": "Similar to a year ago",
}


def round_half_up(value: float, places: int = 0) -> float:
    """``value`` rounded half away from zero to ``places`` decimals (float artefacts removed)."""
    if value is None or not math.isfinite(value):
        return math.nan
    snapped = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-SNAP_DECIMALS), rounding=ROUND_HALF_UP)
    return float(snapped.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def round_half_up_array(values: np.ndarray | pd.Series, places: int = 0) -> np.ndarray:
    """Vectorised :func:`round_half_up`: NaN stays NaN."""
    x = np.asarray(values, dtype=float)
    scale = 10.0**places
    with np.errstate(invalid="ignore"):
        snapped = np.round(x * scale, SNAP_DECIMALS - places)
        return np.sign(snapped) * np.floor(np.abs(snapped) + 0.5) / scale


def change_pct(value: np.ndarray | pd.Series, base: np.ndarray | pd.Series) -> np.ndarray:
    """Percentage change from ``base`` to ``value``; NaN where either is missing or base is 0.

    Computed as ``(value - base) * 100 / base``: with whole-number counts the true result
    is then correctly rounded, where ``(value - base) / base * 100`` adds a second rounding.
    """
    v = np.asarray(value, dtype=float)
    b = np.asarray(base, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (v - b) * 100.0 / np.abs(b)
    out[~np.isfinite(out)] = np.nan
    return out


def change_label(pct: float) -> str | None:
    """One change as words: ``-25.4`` -> "Down 25%", ``0.4`` -> "No change"; NaN -> None."""
    rounded = round_half_up(pct)
    if math.isnan(rounded):
        return None
    if rounded == 0:
        return NO_CHANGE
    return f"{'Up' if rounded > 0 else 'Down'} {abs(int(rounded)):,}%"


def change_labels(pct: np.ndarray | pd.Series) -> np.ndarray:
    """Vectorised :func:`change_label` (object array; None where the change is unknown)."""
    rounded = round_half_up_array(pct)
    out = np.full(rounded.shape, None, dtype=object)
    known = ~np.isnan(rounded)
    if not known.any():
        return out
    # Tens of thousands of rows share a few hundred whole percentages: word each one once.
    uniq, inverse = np.unique(rounded[known], return_inverse=True)
    whole = np.abs(uniq).astype(np.int64)
    words = [
        NO_CHANGE if r == 0 else f"{'Up' if r > 0 else 'Down'} {f'{n:,}' if n >= 1000 else n}%"
        for r, n in zip(uniq.tolist(), whole.tolist(), strict=True)
    ]
    out[known] = np.array(words, dtype=object)[inverse.ravel()]
    return out


def points_label(points: float) -> str | None:
    """A change in percentage points as words: ``4.988`` -> "Up 5.0 points", ``-0.04`` ->
    "No change" (it rounds half up to 0.0), ``1`` -> "Up 1.0 point"; NaN -> None."""
    return str(points_labels(np.array([points], dtype=float))[0]) if math.isfinite(points) else None


def points_labels(points: np.ndarray | pd.Series) -> np.ndarray:
    """Vectorised :func:`points_label` (object array; None where the change is unknown)."""
    rounded = round_half_up_array(points, POINT_DECIMALS)
    out = np.full(rounded.shape, None, dtype=object)
    known = ~np.isnan(rounded)
    if not known.any():
        return out
    uniq, inverse = np.unique(rounded[known], return_inverse=True)  # word each distinct value once
    words = []
    for r in uniq.tolist():
        size = abs(r)
        words.append(
            NO_CHANGE if r == 0
            else f"{'Up' if r > 0 else 'Down'} {size:,.{POINT_DECIMALS}f} point{'' if size == 1 else 's'}"
        )  # fmt: skip
    out[known] = np.array(words, dtype=object)[inverse.ravel()]
    return out


def interval_label(low: float, high: float, decimals: int = 1) -> str | None:
    """A 95% interval in percent as words a table cell can carry: ``(24.35, 31.93)`` ->
    "24.4% to 31.9%" (half up, as the figures are printed); None when either end is unknown."""
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return None
    lo, hi = round_half_up(low, decimals), round_half_up(high, decimals)
    return f"{lo:,.{decimals}f}% to {hi:,.{decimals}f}%"


def unit_change_labels(pct: np.ndarray, points: np.ndarray, in_points: np.ndarray) -> np.ndarray:
    """Per row: :func:`points_labels` where ``in_points``, else :func:`change_labels` (relative)."""
    in_points = np.asarray(in_points, dtype=bool)
    return np.where(in_points, points_labels(points), change_labels(pct))


def relative_target_words(change_pct: float | None) -> str | None:
    """A target set as a relative change, in its own words: ``10`` -> "a 10% relative increase",
    ``-5`` -> "a 5% relative reduction". Documents use it for a percentage measure whose target
    is a relative change (``change_pct`` in a strategy), so "increase by 10%" on 28.0% is read as
    28.0% -> 30.8%, not 38.0%. None when there is no relative target."""
    if change_pct is None or not math.isfinite(change_pct):
        return None
    size = round_half_up(abs(change_pct), 1)
    number = f"{size:g}"
    if change_pct == 0:
        return "no relative change"
    return f"a {number}% relative {'increase' if change_pct > 0 else 'reduction'}"


def difference_words(diff: float, noun: str = "") -> str | None:
    """-4095 -> "4,095 fewer" ("4,095 fewer offences" with a noun), 12 -> "12 more",
    0 -> "no change"; NaN -> None."""
    rounded = round_half_up(diff)
    if math.isnan(rounded):
        return None
    if rounded == 0:
        return "no change"
    noun = f" {noun}" if noun else ""
    return f"{abs(int(rounded)):,} {'more' if rounded > 0 else 'fewer'}{noun}"
