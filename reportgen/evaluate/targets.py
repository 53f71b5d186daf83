"""Big targets: rolling measures up by the strategy's rule into one status with reasons.

Statuses: ``met`` / ``not_met`` once the period evaluated reaches the end of the strategy's
target period (the verdict is final); before that ``on_track`` / ``at_risk``. ``no_data``
when no measure has a value to judge (or the single measure has no baseline).

Rules:

* ``single``: the one measure's RAG status against its trajectory. Before the target period
  ends: green -> on_track, amber or red -> at_risk. At or after its end: green (at or better
  than the target) -> met, else not_met. A monitor-only or contextual measure has no
  trajectory: it is judged on whether it improved on its baseline.
* ``all_improve``: every measure improved on its baseline (see ``improved`` in
  :mod:`reportgen.evaluate.engine`: the half-up rounded change is in the better direction
  and, where a significance test applies, beyond chance: docs/statistics.md). A
  measure without data cannot be shown to improve, so it counts against the rule.
* ``fraction_improve``: at least ``fraction`` of the measures improved (e.g. 0.75: three
  quarters; 3 of 4 passes, 2 of 4 does not).
* ``threshold``: the one measure's value is at or better than ``threshold`` by its polarity
  (lower is better: ``value <= threshold``; a contextual measure is read as lower is better,
  "no more than").

Reasons are plain English, one per measure (e.g. "House burglary improved: down 25% on
2001/02"), plus the rule's verdict ("3 of 4 measures improved; at least 75% needed").
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from reportgen.config.models import BigTarget, Config, Rule
from reportgen.periods import Period

# One measure's row of the indicator table (a record of DataFrame.to_dict): column name -> value
Row = Mapping[Hashable, Any]

TARGET_COLUMNS = [
    "id", "number", "title", "public_title", "strategy", "rule", "status", "reasons",
    "n_measures", "n_improved", "value", "threshold", "fraction", "target_period", "final",
]  # fmt: skip


def _num(value: float, decimals: int) -> str:
    if value is None or not math.isfinite(value):
        return "no data"
    return f"{value:,.{int(decimals)}f}"


def measure_reason(row: Row) -> str:
    """One measure in words: how it changed on its baseline, or why it cannot be judged."""
    title = row["public_title"] or row["title"]
    if row["area"] and row["area_name"] and row["area"] != row.get("_borough", row["area"]):
        title = f"{title} ({row['area_name']})"
    if row.get("missing_reason"):  # "not enough months yet (9 of 12)", not a bare "no data"
        return f"{title}: {row['missing_reason']}"
    if not math.isfinite(row["compare_value"]):
        return f"{title}: no data for {row['period_label']}"
    if not math.isfinite(row["baseline_value"]):
        return f"{title}: no baseline value for {row['baseline_period']}"
    label = row["change_label"] or ""
    words = label[:1].lower() + label[1:]
    on = f"{words} on {row['baseline_period']}"
    if row["_pol"] == 0:
        return f"{title} (context only): {on}"
    if row["improved"]:
        verb = "improved"
    elif label == "No change":
        verb = "did not improve"
    elif row.get("change_significant") is False:  # better or worse, but within chance
        verb = "too few to judge" if row.get("change_test") == "too_small" else "no significant change"
        return f"{title}, {verb}: {on}"
    else:
        verb = "worsened"
    return f"{title} {verb}: {on}"


def _fig(value: float, decimals: int, unit: object) -> str:
    """A figure with its unit ('44.2%', '12.3 per 1,000'), so no sentence prints a bare number."""
    text = _num(value, decimals)
    if text == "no data":
        return text
    suffix = {"percentage": "%", "rate_per_1000": " per 1,000", "days": " days"}.get(str(unit), "")
    return text + suffix


def trajectory_reason(row: Row) -> str:
    title = row["public_title"] or row["title"]
    dec, unit = row["decimals"], row.get("unit")
    return (
        f"{title}: {_fig(row['compare_value'], dec, unit)} against a trajectory of "
        f"{_fig(row['trajectory_value'], dec, unit)} (target {_fig(row['target_value'], dec, unit)} "
        f"by {row['target_period']})"
    )


def evaluate_targets(config: Config, measures: pd.DataFrame, period: Period) -> pd.DataFrame:
    """One row per (strategy, big target). ``measures`` are the engine's measure rows."""
    out = []
    borough = config.partnership.borough.id
    measures = measures.assign(_borough=borough)
    groups = dict(list(measures.groupby(["strategy", "target"], sort=False)))
    for s in config.strategies:
        final = period.end >= s.target.end
        for t in s.targets:
            rows = groups.get((s.id, t.id), measures.iloc[0:0])
            status, reasons, value = _judge(t, rows, final)
            out.append(
                {
                    "id": t.id,
                    "number": t.number,
                    "title": t.title,
                    "public_title": t.public_title or t.title,
                    "strategy": s.id,
                    "rule": t.rule.value,
                    "status": status,
                    "reasons": reasons,
                    "n_measures": len(rows),
                    "n_improved": int(rows["improved"].sum()) if len(rows) else 0,
                    "value": value,
                    "threshold": t.threshold if t.threshold is not None else np.nan,
                    "fraction": t.fraction if t.fraction is not None else np.nan,
                    "target_period": s.target.key,
                    "final": final,
                }
            )
    return pd.DataFrame(out, columns=TARGET_COLUMNS)


def _verdict(ok: bool, final: bool) -> str:
    if final:
        return "met" if ok else "not_met"
    return "on_track" if ok else "at_risk"


def _judge_monitored(
    r: Row, reasons: list[str], final: bool, value: float
) -> tuple[str, list[str], float]:
    """A single monitor-only or contextual measure: its target, if it has one, says which way is
    better (a contextual "increase reporting by 10%" wants a rise); else whether it improved."""
    traj, base, goal = r["trajectory_value"], r["baseline_value"], r["target_value"]
    better = int(r["_pol"]) or (int(np.sign(goal - base)) if math.isfinite(goal - base) else 0)
    if math.isfinite(traj) and better:
        reasons.append(trajectory_reason(r))
        ok = (value - traj) * better >= -1e-9 * max(1.0, abs(traj))
        return _verdict(bool(ok), final), reasons, value
    if better:
        return _verdict(bool(r["improved"]), final), reasons, value
    reasons.append("Monitored only: there is no target to judge it against")
    return "no_data", reasons, value


def _judge(t: BigTarget, rows: pd.DataFrame, final: bool) -> tuple[str, list[str], float]:
    records = rows.to_dict("records")
    reasons = [measure_reason(r) for r in records]  # a handful of measures per target
    has_value = rows["compare_value"].notna() if len(rows) else pd.Series(dtype=bool)
    if not len(rows) or not has_value.any():
        return "no_data", reasons or ["No measure has data for this period"], np.nan
    n, n_improved = len(rows), int(rows["improved"].sum())
    share = n_improved / n

    if t.rule is Rule.SINGLE:
        r = records[0]
        value = float(r["compare_value"])
        if r["status"] == "no_data":
            return "no_data", reasons, value
        if r["status"] == "grey":
            return _judge_monitored(r, reasons, final, value)
        reasons.append(trajectory_reason(r))
        ok = r["status"] == "green"
        return _verdict(ok, final), reasons, value

    if t.rule is Rule.THRESHOLD:
        r = records[0]
        value = float(r["compare_value"])
        if not math.isfinite(value):
            return "no_data", reasons, value
        threshold = float(t.threshold or 0.0)
        ok = value >= threshold if r["_pol"] > 0 else value <= threshold
        relation = "at or better than" if ok else "worse than"
        title = r["public_title"] or r["title"]
        dec = r["decimals"]
        # The target's own words: "no more than 33%" (a ceiling) or "at least ..." (a floor).
        aim = "at least" if r["_pol"] > 0 else "no more than"
        unit = r.get("unit")
        reasons.append(
            f"{title}: {_fig(value, dec, unit)}, {relation} the aim of {aim} "
            f"{_fig(threshold, 0 if threshold.is_integer() else dec, unit)} by {r['target_period']}"
        )
        return _verdict(ok, final), reasons, value

    if t.rule is Rule.ALL_IMPROVE:
        ok = n_improved == n
        reasons.append(f"{n_improved} of {n} measures improved; all must improve")
        return _verdict(ok, final), reasons, share

    fraction = float(t.fraction or 1.0)
    ok = n_improved >= fraction * n - 1e-9
    reasons.append(f"{n_improved} of {n} measures improved; at least {fraction * 100:g}% must improve")
    return _verdict(ok, final), reasons, share
