"""One statement per figure: what every document says about a measure, worded once per run.

A :class:`Statement` is built from one row of ``Evaluation.indicators`` and one comparison
(the same period a year earlier, or the strategy's baseline). It carries the measure, the
period and its basis (month, quarter, year to date, rolling 12 months, financial year), the
value with its numerator and denominator when it is a share, the comparison value and
period, the change *as the evaluation labelled it* (never recomputed here), the direction
and status, and the sentence that says it, basis included ("... in the 12 months to March
2005, down 13% on 32,065 in the 12 months to March 2004 (improved)").

Builders take their words from a :class:`StatementBook` (``ctx.statements``) and every
statement a document prints is recorded (:meth:`StatementBook.say`), so a run's manifest
lists what each document said and a test can check that one measure, basis and period is
worded the same everywhere, and that the renderers printed those very words.

Comparisons are keyed by the period compared with, not by what it is called: for 2004/05
the "year earlier" and the 2003/04 baseline are one comparison, worded once.

Columns added by the statistics work (``change_unit``, ``yoy_change_label`` in points,
``compare_numerator``..., direction ``similar``) are used when present, so this module reads
evaluations from before and after that change.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reportgen.config.models import Derived, DerivedKind, Frequency, Unit
from reportgen.document import Cell, Status
from reportgen.evaluate.labels import interval_label
from reportgen.evaluate.significance import count_change_significant
from reportgen.i18n import N_, _, current
from reportgen.numfmt import as_float
from reportgen.numfmt import is_missing as _missing
from reportgen.periods import Kind, Period
from reportgen.reports import headlines as hl
from reportgen.reports.disclosure import Figure

DASH = "\u2013"


class Basis(enum.StrEnum):
    # A stock counted on a day ("latest" aggregation: the caseload on the quarter's last day),
    # not a flow over the period: "731 at the end of March 2005", never "731 in 2004/05", so it
    # cannot be read as the 1,500 different people treated at any time in 2004/05.
    END_OF = "end_of_period"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR_TO_DATE = "year_to_date"
    ROLLING_12 = "rolling_12_months"
    FINANCIAL_YEAR = "financial_year"


class Comparison(enum.StrEnum):
    YEAR_EARLIER = "year_earlier"
    BASELINE = "baseline"


class Missing(enum.StrEnum):
    """Why a figure is not printed; each reason has its own words (:data:`MISSING_WORDS`)."""

    SUPPRESSED = "suppressed"  # a small number withheld to protect privacy
    NO_HISTORY = "no_history"  # nothing to compare with (no year-earlier or baseline figure)
    NO_DATA = "no_data"  # the partner returned nothing for the period
    NOT_APPLICABLE = "not_applicable"  # the measure has no such figure (no target, no baseline)
    NOT_AVAILABLE = "not_available"  # the partner said it could not supply the figure, and why


# The one mapping from a reason to its words. Only SUPPRESSED mentions privacy, so a
# privacy note is printed only where something really was withheld.
MISSING_WORDS: dict[Missing, str] = {
    Missing.SUPPRESSED: "withheld to protect privacy",
    Missing.NO_HISTORY: "no earlier figure to compare with",
    Missing.NO_DATA: "no data returned",
    Missing.NOT_APPLICABLE: "not applicable",
    Missing.NOT_AVAILABLE: "not available",
}

# Words for the evaluation's direction codes (``similar`` comes with the significance tests).
VERDICT_WORDS: dict[str, str] = {
    "improving": "improved",
    "worsening": "worsened",
    "no_change": "no change",
    "similar": "no significant change",
    "up": "context only",
    "down": "context only",
}


def missing_words(reason: Missing | str) -> str:
    return MISSING_WORDS[Missing(reason)]




def _num(value: float, decimals: int) -> str:
    factor = 10**decimals
    rounded = math.floor(abs(value) * factor + 0.5) / factor * (1 if value >= 0 else -1)
    return f"{rounded:,.{decimals}f}"


def fmt_figure(value: object, unit: str, decimals: int, counts: tuple[float, float] | None = None) -> str:
    """'2,916', '32.9% (113 of 343)', '12.3 per 1,000', '41 days': every figure with its unit."""
    if _missing(value):
        return DASH
    text = _num(as_float(value), decimals)
    unit = Unit(unit)
    if unit is Unit.PERCENTAGE:
        text += "%"
        if counts:
            text += f" ({_num(counts[0], 0)} of {_num(counts[1], 0)})"
    elif unit is Unit.RATE_PER_1000:
        text += " per 1,000"
    elif unit is Unit.DAYS:
        text += " days"
    return text


def basis_of(period_key: str, compare_basis: object, aggregation: object = None) -> Basis:
    if aggregation == "latest":
        return Basis.END_OF
    if compare_basis == "rolling_12":
        return Basis.ROLLING_12
    kind = Period.parse(period_key).kind
    return {
        Kind.MONTH: Basis.MONTH,
        Kind.QUARTER: Basis.QUARTER,
        Kind.FINANCIAL_YEAR: Basis.FINANCIAL_YEAR,
    }.get(kind, Basis.YEAR_TO_DATE)


def basis_phrase(period_key: str, basis: Basis) -> str:
    """'in the 12 months to March 2005', 'in January to March 2005', 'in 2004/05'."""
    period = Period.parse(period_key)
    if basis is Basis.ROLLING_12:
        return f"in the 12 months to {Period(period.end, period.end, Kind.MONTH).label}"
    if basis is Basis.END_OF:
        return f"at the end of {Period(period.end, period.end, Kind.MONTH).label}"
    return f"in {period.label}"


@dataclass(frozen=True)
class Statement:
    """One figure and one comparison, and the words every document uses for them."""

    measure: str
    title: str
    area: str
    period: str  # the period key of the figure ('2005-03', '2005-Q1', '2004/05')
    basis: Basis
    basis_phrase: str
    unit: str
    value: float | None
    numerator: float | None
    denominator: float | None
    value_text: str
    sample_size: float | None  # a survey share's respondents (the interval's n), else None
    interval_text: str | None  # a survey share's 95% Wilson interval: "24.4% to 31.9%"
    comparison: Comparison
    compare_period: str
    compare_phrase: str
    compare_value: float | None
    compare_text: str
    change_label: str | None  # from the evaluation: 'Down 25%', 'Up 5.0 points', 'No change'
    change_unit: str  # 'percent' or 'points'
    direction: str  # the evaluation's code: improving, worsening, no_change, similar, up, down, no_data
    verdict: str  # the direction in words: "improved", "no significant change", "context only"
    direction_text: str  # the direction as a table cell prints it: "Improving", "No significant change"
    status: str
    missing: Missing | None
    words: str
    change_pct: float | None = None  # the relative change the label rounds ('Down 13%' <- -13.04)
    difference: float | None = None  # value minus compare value ('4,095 fewer')

    @property
    def key(self) -> str:
        """What the statement is about: measure, area, basis, period and the period compared with.
        Twelve rolling months are named by their last month, whatever period the row reports, so
        a monthly and a quarterly run speaking of the 12 months to March 2005 share one key."""
        period, compare = self.period, self.compare_period
        if self.basis in (Basis.ROLLING_12, Basis.END_OF):
            period = _end_month(period)
            if self.comparison is Comparison.YEAR_EARLIER or self.basis is Basis.END_OF:
                compare = _end_month(compare) if compare else compare
        return f"{self.measure}|{self.area}|{self.basis}|{period}|{compare}"

    @property
    def figure_text(self) -> str:
        """The value as a table cell prints it, with a survey's interval inside its bracket:
        '28% (150 of 536; 24.4% to 31.9%)'. Shorter than the sentence's form, which names the
        interval, because a narrow cell would wrap it to seven lines; the note under every table
        with a survey says what the range after the semicolon is (parts.SURVEY_NOTE)."""
        return _with_interval(self.value_text, self.interval_text, named=False)

    @property
    def change_text(self) -> str:
        """The change as a table cell prints it ('Down 25%'), or why there is none."""
        if self.change_label:
            return self.change_label
        return DASH


def _is_false(value: object) -> bool:
    """False (Python or numpy), not merely missing: a test was run and found no real change."""
    return not _missing(value) and isinstance(value, bool | np.bool_) and not bool(value)


def _float(value: object) -> float | None:
    return None if _missing(value) else float(value)  # type: ignore[arg-type]


def _with_interval(value_text: str, interval: str | None, *, named: bool = True) -> str:
    """'28% (150 of 536)' -> '28% (150 of 536; 95% interval 24.4% to 31.9%)' (or, not named,
    '28% (150 of 536; 24.4% to 31.9%)' for a table cell under a note that names it)."""
    if not interval:
        return value_text
    inside = f"95% interval {interval}" if named else interval
    if value_text.endswith(")"):
        return f"{value_text[:-1]}; {inside})"
    return f"{value_text} ({inside})"


def _cell_words(direction: str, verdict: str) -> str:
    """A direction code as a table cell says it: 'Improving', 'No significant change', 'Up'."""
    words = {"improving": "Improving", "worsening": "Worsening", "up": "Up", "down": "Down", "no_data": "No data"}
    return words.get(direction) or (verdict[:1].upper() + verdict[1:] if verdict else "No data")


def _end_month(period_key: str) -> str:
    end = Period.parse(period_key).end
    return Period(end, end, Kind.MONTH).key


def _row_counts(row: pd.Series, prefix: str) -> tuple[float, float] | None:
    num, den = row.get(f"{prefix}_numerator"), row.get(f"{prefix}_denominator")
    if _missing(num) or _missing(den) or not as_float(den):
        return None
    return as_float(num), as_float(den)


def _definition(evaluation: Any, measure: str) -> Any:
    try:
        return evaluation.config.indicator(measure)
    except Exception:  # noqa: BLE001 - an unknown measure simply has no parts
        return None


def _is_share(evaluation: Any, measure: str) -> bool:
    definition = _definition(evaluation, measure)
    return isinstance(definition, Derived) and definition.kind is DerivedKind.PERCENTAGE


def is_survey(evaluation: Any, measure: str) -> bool:
    """A yearly share of respondents (the citizens' panel): a derived percentage of counts,
    reported once a year. Its figure carries the sample size and the 95% interval."""
    definition = _definition(evaluation, measure)
    return _is_share(evaluation, measure) and definition.frequency is Frequency.ANNUAL


def _interval(row: pd.Series) -> tuple[float | None, str | None]:
    """(sample size, '24.4% to 31.9%') of the compared value, from the evaluation's Wilson interval."""
    n, low, high = row.get("sample_size"), row.get("ci_low"), row.get("ci_high")
    if _missing(n) or _missing(low) or _missing(high):
        return None, None
    return as_float(n), interval_label(as_float(low), as_float(high))


class StatementBook:
    """Every statement of one evaluation, built on first use, and a record of what was said."""

    def __init__(self, evaluation: Any) -> None:
        self.evaluation = evaluation
        self._cache: dict[tuple, Statement] = {}
        self._said: dict[str, str] = {}

    # --- building ----------------------------------------------------------------------------
    def _counts(self, row: pd.Series, period_key: str, basis: object, prefix: str) -> tuple[float, float] | None:
        measure = str(row["id"])
        if not _is_share(self.evaluation, measure):
            return None
        if prefix in ("compare", "previous") and f"{prefix}_numerator" in row.index:
            return _row_counts(row, prefix)
        from reportgen.reports.series import share_counts

        try:
            return share_counts(self.evaluation, measure, str(row["area"]), period_key, str(basis))
        except Exception:  # noqa: BLE001 - a period before the data starts has no counts
            return None

    def about(self, row: pd.Series, comparison: Comparison | str = Comparison.YEAR_EARLIER) -> Statement:
        """The statement for one indicator row against one comparison."""
        comparison = Comparison(comparison)
        period_key = str(row["period"])
        compare_period = self._compare_period(row, comparison)
        # For 2004/05 the baseline 2003/04 is also the year earlier: one comparison, one wording.
        # So is the stock at the end of 2003/04 for the quarter January to March 2005.
        if comparison is Comparison.BASELINE and self._same_as_year_earlier(row, compare_period):
            comparison = Comparison.YEAR_EARLIER
        cache_key = (str(row["id"]), str(row["area"]), str(row.get("strategy") or ""), period_key, comparison)
        hit = self._cache.get(cache_key)
        if hit is None:
            hit = self._cache[cache_key] = self._build(row, comparison)
        return hit

    def _same_as_year_earlier(self, row: pd.Series, baseline: str) -> bool:
        earlier = self._compare_period(row, Comparison.YEAR_EARLIER)
        if baseline == earlier:
            return True
        end_of = basis_of(str(row["period"]), row.get("compare_basis"), row.get("aggregation")) is Basis.END_OF
        return bool(baseline) and end_of and _end_month(baseline) == _end_month(earlier)

    def _compare_period(self, row: pd.Series, comparison: Comparison) -> str:
        if comparison is Comparison.BASELINE:
            base = row.get("baseline_period")
            return "" if _missing(base) else str(base)
        return Period.parse(str(row["period"])).same_period_last_year().key

    def _build(self, row: pd.Series, comparison: Comparison) -> Statement:
        measure, area = str(row["id"]), str(row["area"])
        # The title the evaluation's reasons use: the plain public one where there is one.
        public = row.get("public_title")
        title = str(public if isinstance(public, str) and public else row.get("title") or measure)
        unit = str(row.get("unit") or "count")
        decimals = int(row.get("decimals") or 0)
        period_key = str(row["period"])
        compare_basis = row.get("compare_basis")
        basis = basis_of(period_key, compare_basis, row.get("aggregation"))
        phrase = basis_phrase(period_key, basis)
        value = None if _missing(row.get("compare_value")) else float(row["compare_value"])
        counts = self._counts(row, period_key, compare_basis, "compare") if value is not None else None
        compare_period = self._compare_period(row, comparison)
        if comparison is Comparison.BASELINE:
            then = row.get("baseline_value")
            label = row.get("change_label")
            then_counts = (
                self._counts(row, compare_period, "period", "baseline")
                if compare_period and not _missing(then)
                else None
            )
            compare_phrase = basis_phrase(compare_period, basis) if compare_period and basis is Basis.END_OF else (
                f"in {compare_period}" if compare_period else ""
            )
            change_unit = str(row.get("change_unit") or "percent")
            if str(row.get("polarity")) == "contextual" or str(row.get("direction")) in ("up", "down"):
                direction = "up" if (row.get("change_pct") or 0) > 0 else "down"
            elif not _missing(label) and str(label) == "No change":
                direction = "no_change"
            elif bool(row.get("improved")):
                direction = "improving"
            elif _is_false(row.get("change_significant")):
                direction = "similar"  # better or worse, but within chance (the statistics work)
            else:
                direction = "worsening"
            verdict = VERDICT_WORDS.get(direction, "")
            if direction == "similar" and row.get("change_test") == "too_small":
                verdict = "too few to judge"
            direction_text = _cell_words(direction, verdict)
        else:
            then = row.get("previous_value")
            label = row.get("yoy_change_label")
            then_counts = self._counts(row, compare_period, compare_basis, "previous") if not _missing(then) else None
            compare_phrase = basis_phrase(compare_period, basis)
            change_unit = str(row.get("yoy_change_unit") or row.get("change_unit") or "percent")
            direction = str(row.get("direction") or "no_data")
            verdict = VERDICT_WORDS.get(direction, "")
            text = row.get("direction_text")
            if direction == "similar" and isinstance(text, str) and text:
                verdict = text[:1].lower() + text[1:]  # the test's own words: "no significant change"
            direction_text = text if isinstance(text, str) and text else _cell_words(direction, verdict)
        then_value = None if _missing(then) else as_float(then)
        label = None if _missing(label) or not label else str(label)
        value_text = fmt_figure(value, unit, decimals, counts)
        sample_size, interval_text = _interval(row) if value is not None and is_survey(self.evaluation, measure) else (
            None,
            None,
        )
        compare_text = fmt_figure(then_value, unit, decimals, then_counts)
        missing: Missing | None = None
        if value is None:
            missing = Missing.NO_DATA
        elif then_value is None or label is None:
            missing = (
                Missing.NO_HISTORY
                if comparison is Comparison.YEAR_EARLIER or compare_period
                else Missing.NOT_APPLICABLE
            )
        figure = _with_interval(value_text, interval_text)
        words = self._words(title, figure, phrase, label, compare_text, compare_phrase, verdict, missing)
        reason = row.get("missing_reason")
        if value is None and isinstance(reason, str) and reason:
            # The evaluation's own reason ("not enough months yet (10 of 12)"): not enough history.
            missing = Missing.NO_HISTORY if reason.startswith("not enough") else missing
            # the partner's own reason ("not available: system down in March")
            missing = Missing.NOT_AVAILABLE if reason.startswith("not available") else missing
            words = f"{title}: {reason}"
        return Statement(
            measure=measure,
            title=title,
            area=area,
            period=period_key,
            basis=basis,
            basis_phrase=phrase,
            unit=unit,
            value=value,
            numerator=counts[0] if counts else None,
            denominator=counts[1] if counts else None,
            value_text=value_text,
            sample_size=sample_size,
            interval_text=interval_text,
            comparison=comparison,
            compare_period=compare_period,
            compare_phrase=compare_phrase,
            compare_value=then_value,
            compare_text=compare_text,
            change_label=label,
            change_unit=change_unit,
            direction=direction,
            verdict=verdict,
            direction_text=direction_text,
            status=str(row.get("status") or "no_data"),
            missing=missing,
            words=words,
            change_pct=_float(row.get("change_pct" if comparison is Comparison.BASELINE else "yoy_change_pct")),
            difference=_float(row.get("change_difference" if comparison is Comparison.BASELINE else "yoy_difference")),
        )

    @staticmethod
    def _words(
        title: str,
        value_text: str,
        phrase: str,
        label: str | None,
        compare_text: str,
        compare_phrase: str,
        verdict: str,
        missing: Missing | None,
    ) -> str:
        if missing is Missing.NO_DATA:
            return f"{title}: no figure {phrase} ({MISSING_WORDS[missing]})"
        if missing is not None or label is None:
            return f"{title}: {value_text} {phrase} ({MISSING_WORDS[missing or Missing.NO_HISTORY]})"
        change = label[:1].lower() + label[1:]
        tail = f" ({verdict})" if verdict and verdict != change else ""
        return f"{title}: {value_text} {phrase}, {change} on {compare_text} {compare_phrase}{tail}"

    # --- looking up ----------------------------------------------------------------------------
    def rows(self, measure: str, area: str | None = None, strategy: str | None = None) -> pd.DataFrame:
        frame = self.evaluation.indicators
        area = area or self.evaluation.config.partnership.borough.id
        frame = frame[(frame["id"] == measure) & (frame["area"] == area)]
        if strategy is not None:
            frame = frame[frame["strategy"] == strategy]
        return frame

    def of(
        self,
        measure: str,
        area: str | None = None,
        comparison: Comparison | str = Comparison.YEAR_EARLIER,
        strategy: str | None = None,
    ) -> Statement | None:
        rows = self.rows(measure, area, strategy)
        return self.about(rows.iloc[0], comparison) if not rows.empty else None

    def matching(self, measure: str, area: str, current: float, previous: float) -> Statement | None:
        """The year-earlier statement whose two figures are exactly ``current`` and ``previous``
        (a public document's own totals), or None: a public figure is only worded by a statement
        when it is the very figure the statement is about."""
        rows = self.rows(measure, area)
        for _index, row in rows.iterrows():
            now, then = row.get("compare_value"), row.get("previous_value")
            if _missing(now) or _missing(then):
                continue
            if abs(as_float(now) - current) < 1e-9 and abs(as_float(then) - previous) < 1e-9:
                return self.about(row, Comparison.YEAR_EARLIER)
        return None

    def compare(
        self,
        measure: str,
        title: str,
        area: str,
        period: Period,
        basis: Basis,
        now: Figure,
        then: Figure,
        polarity: str,
        *,
        counts: bool = True,
    ) -> Statement:
        """A public document's own pair of figures (this quarter against the same quarter a year
        earlier, a month, a rate per 1,000 in a comparator area), already through disclosure
        control, as a statement: the evaluation's own statement when it is about these very
        figures (in English), else one worded here by :func:`pair_statement`, once per run."""
        lang = current().code
        if lang == "en" and now.shown and then.shown and basis is Basis.ROLLING_12:
            hit = self.matching(measure, area, float(now.value), float(then.value))  # type: ignore[arg-type]
            if hit is not None and hit.change_label:
                return hit
        cache_key = ("pair", measure, area, period.key, basis, now, then, polarity, counts, lang)
        hit = self._cache.get(cache_key)
        if hit is None:
            hit = self._cache[cache_key] = pair_statement(
                measure, title, area, period, basis, now, then, polarity, counts=counts
            )
        return hit

    # --- recording what documents say ------------------------------------------------------------
    def say(self, statement: Statement) -> str:
        """The statement's sentence, recorded as said by the document being built."""
        self._said[statement.key] = statement.words
        return statement.words

    def say_figure(self, statement: Statement) -> str:
        """The statement's value as a table cell prints it (a survey's with its interval), recorded."""
        self._said[f"{statement.key}#figure"] = statement.figure_text
        return statement.figure_text

    def say_direction(self, statement: Statement) -> str:
        """The statement's direction as a table cell prints it ('No significant change'), recorded."""
        self._said[f"{statement.key}#direction"] = statement.direction_text
        return statement.direction_text

    def say_cell(self, statement: Statement) -> Cell | str:
        """A public table's change cell for the statement ('Down 12% (better)'), recorded as said."""
        cell = pair_cell(statement)
        self._said[f"{statement.key}#change"] = statement.change_text
        self._said[f"{statement.key}#cell"] = str(getattr(cell, "text", cell))
        return cell

    def say_figures(self, statement: Statement) -> tuple[str, str]:
        """The two figures a card prints ('17,444' against '20,051'), recorded as said."""
        self._said[f"{statement.key}#compare"] = statement.compare_text
        return self.say_figure(statement), statement.compare_text

    def say_change(self, statement: Statement) -> str:
        """The statement's change as a table cell prints it, recorded as said."""
        self._said[f"{statement.key}#change"] = statement.change_text
        return statement.change_text

    def take(self) -> tuple[tuple[str, str], ...]:
        """What was said since the last call, sorted by key (and forget it)."""
        said = tuple(sorted(self._said.items()))
        self._said.clear()
        return said

    def all(self) -> Iterable[Statement]:
        return self._cache.values()


# --- a public document's own figures ------------------------------------------------------------
# Public words for a judged change: no RAG jargon, and the glyph carries it too (Status).
PUBLIC_VERDICTS: dict[str, tuple[str, Status]] = {
    "improving": (N_("better"), Status.ON_TRACK),
    "worsening": (N_("worse"), Status.RED),
}


def judge_pair(now: Figure, then: Figure, polarity: str, *, counts: bool) -> tuple[str, str, Missing | None]:
    """(change words, direction code, why missing) for two published figures: 'Down 12%' and
    'improving'; a change within chance between two counts is 'similar' (docs/statistics.md), a
    contextual measure only 'up' or 'down'; a figure withheld for privacy gives 'not shown', one
    missing says why. The words speak the language in force."""
    if now.reason == "missing":
        return _(MISSING_WORDS[Missing.NO_DATA]), "no_data", Missing.NO_DATA
    if then.reason == "missing":
        return _(MISSING_WORDS[Missing.NO_HISTORY]), "no_data", Missing.NO_HISTORY
    if not (now.shown and then.shown):
        return _("not shown"), "no_data", Missing.SUPPRESSED
    a, b = now.number, then.number
    label = hl.headline_value(a, b)
    word = hl.verdict(a, b, polarity)
    if word == "same":
        return label, "no_change", None
    if word == "neutral":
        return label, "up" if a > b else "down", None
    if counts and not count_change_significant(a, b)[0]:
        return label, "similar", None  # 8 -> 9 offences: within chance, no "(worse)", no red
    return label, "improving" if word == "better" else "worsening", None


def pair_cell(statement: Statement) -> Cell | str:
    """A public table's change cell: 'Down 12% (better)' with its glyph, or just the words."""
    verdict = PUBLIC_VERDICTS.get(statement.direction)
    if verdict is None:
        return statement.change_text
    return Cell(f"{statement.change_text} ({_(verdict[0])})", verdict[1])


def pair_statement(
    measure: str,
    title: str,
    area: str,
    period: Period,
    basis: Basis,
    now: Figure,
    then: Figure,
    polarity: str,
    *,
    counts: bool = True,
) -> Statement:
    """Two published figures and their change as a :class:`Statement` (see :meth:`StatementBook.compare`)."""
    label, direction, missing = judge_pair(now, then, polarity, counts=counts)
    if basis is Basis.ROLLING_12:
        period = Period(period.end, period.end, Kind.MONTH)  # twelve months named by their last
    compare = period.same_period_last_year()
    phrase, compare_phrase = basis_phrase(period.key, basis), basis_phrase(compare.key, basis)
    verdict = {"improving": "better", "worsening": "worse", "similar": "within chance"}.get(direction, "")
    if missing is None:
        change = label[:1].lower() + label[1:]
        tail = f" ({verdict})" if verdict else ""
        words = f"{title}: {now.text} {phrase}, {change} on {then.text} {compare_phrase}{tail}"
    else:
        words = f"{title}: {now.text} {phrase} ({label})"
    a, b = now.safe_value, then.safe_value
    return Statement(
        measure=measure,
        title=title,
        area=area,
        period=period.key,
        basis=basis,
        basis_phrase=phrase,
        unit="count" if counts else "rate_per_1000",
        value=a,
        numerator=None,
        denominator=None,
        value_text=now.text,
        sample_size=None,
        interval_text=None,
        comparison=Comparison.YEAR_EARLIER,
        compare_period=compare.key,
        compare_phrase=compare_phrase,
        compare_value=b,
        compare_text=then.text,
        change_label=label,
        change_unit="percent",
        direction=direction,
        verdict=verdict,
        direction_text=_cell_words(direction, verdict),
        status="",
        missing=missing,
        words=words,
        change_pct=(a - b) / b * 100 if a is not None and b else None,
        difference=a - b if a is not None and b is not None else None,
    )


__all__ = [
    "MISSING_WORDS",
    "VERDICT_WORDS",
    "Basis",
    "Comparison",
    "Missing",
    "Statement",
    "StatementBook",
    "basis_of",
    "basis_phrase",
    "fmt_figure",
    "is_survey",
    "judge_pair",
    "pair_cell",
    "pair_statement",
    "missing_words",
]
