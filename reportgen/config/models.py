"""The partnership's configuration as frozen, validated objects.

A partnership (``partnership.toml``) has areas and comparators; partners
(``partners/*.toml``) own indicators and the sources their data comes from;
``derived.toml`` builds indicators from others; strategies (``strategies/*.toml``)
set targets on indicators and group them into big targets with a rule.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from reportgen.links import unsafe_links
from reportgen.periods import Kind, Period

ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"


def slug(text: str) -> str:
    """Lower-case letters and digits joined by "-": an id made from a name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Unit(StrEnum):
    COUNT = "count"
    RATE_PER_1000 = "rate_per_1000"
    PERCENTAGE = "percentage"
    DAYS = "days"
    SCORE = "score"


class Polarity(StrEnum):
    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"
    CONTEXTUAL = "contextual"


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"

    @property
    def period_kind(self) -> Kind:
        return {
            Frequency.MONTHLY: Kind.MONTH,
            Frequency.QUARTERLY: Kind.QUARTER,
            Frequency.ANNUAL: Kind.FINANCIAL_YEAR,
        }[self]


def _rebase_periods(value: Any, frequency: Frequency | None) -> tuple[str, ...]:
    """``spc_rebase``: periods of the indicator's own frequency where its process changed (SPC
    limits are worked out afresh from there; docs/statistics.md, "SPC"), kept as canonical keys."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError('must be a list of periods, e.g. spc_rebase = ["2004-04"]')
    if frequency is None:  # the frequency itself is invalid: that error is reported instead
        return tuple(str(v) for v in value)
    keys = []
    for n, item in enumerate(value):
        try:
            period = Period.parse(str(item))
        except Exception as exc:  # PeriodError: say which entry, in the config's words
            raise ValueError(f"entry {n} ({item!r}) is not a period: {exc}") from None
        if period.kind is not frequency.period_kind:
            raise ValueError(
                f"entry {n} ({item!r}) is a {period.kind.value.replace('_', ' ')} period but the indicator "
                f"is {frequency.value}: give {frequency.period_kind.value.replace('_', ' ')} periods"
            )
        keys.append(period.key)
    if len(set(keys)) != len(keys):
        raise ValueError(f"lists a period twice: {keys}")
    return tuple(sorted(keys, key=lambda k: Period.parse(k).start))


def _validate_rebase(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    # the frequency is validated first (it is declared before spc_rebase), so its periods can be checked
    return _rebase_periods(value, info.data.get("frequency"))


# One definition for Indicator and Derived. An annotated type rather than a mixin class: a base
# class's fields come first, before ``frequency``, which the validator needs already checked.
SpcRebase = Annotated[
    tuple[str, ...],
    BeforeValidator(_validate_rebase),
    Field(
        description="Periods of its own frequency where its process changed (e.g. [\"2004-04\"]): SPC limits are "
        "worked out afresh from each (docs/spc.md).",
    ),
]


class Aggregation(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    LATEST = "latest"


# --- partnership and areas ---------------------------------------------------------------
class Contact(Model):
    name: str = Field(description="Who readers contact: a person, team or the partnership itself.")
    role: str = Field(default="", description="Their role or team, printed under the name.")
    address: str = Field(default="", description="Postal address, printed on public documents.")
    phone: str = Field(default="", description="Telephone number, printed on public documents.")
    email: str = Field(default="", description="Email address, printed on public documents.")
    web: str = Field(default="", description="Web address, printed on public documents.")


class Area(Model):
    id: str = Field(
        pattern=ID_PATTERN,
        description="Area id in the store, on the command line (--area) and in measures (lower case, digits, - and _).",
    )
    name: str = Field(description="The area's name in documents.")
    population: int = Field(
        gt=0, description="Residents (e.g. Census 2021 usual residents): the denominator of rates per 1,000."
    )
    priority: bool = Field(
        default=False,
        description="A priority neighbourhood: counted in the priority-neighbourhood gap (derived kind 'gap').",
    )
    township: str = Field(default="", description="The township this neighbourhood belongs to, for township leaflets.")
    lsoas: tuple[str, ...] = Field(
        default=(), description="LSOA codes in the area: police.uk rows are kept and counted by these codes."
    )


class Comparator(Model):
    id: str = Field(pattern=ID_PATTERN, description="Comparator id in the store (lower case, digits, - and _).")
    name: str = Field(description="Its name in documents, e.g. 'England and Wales'.")
    population: int = Field(gt=0, description="Residents: the denominator of its rate per 1,000.")


class Partnership(Model):
    # The key of this partnership's rows in a shared store (several partnerships can use one
    # database). Optional: without it, the short name (else the name) in lower case with
    # spaces and punctuation as "-" ("Wigan & Leigh CSP" -> "wigan-leigh-csp"). Set it
    # explicitly before sharing a store: changing it later hides the partnership's data.
    id: str = Field(
        default="",
        pattern=r"^$|" + ID_PATTERN,
        description="The key of this partnership's rows in a shared store (several partnerships can share one "
        "database); default: the short name (else the name) in lower case, other characters as '-'. Set it "
        "before sharing a store: changing it later leaves the data under the old key.",
    )
    name: str = Field(description="The partnership's name, on every document.")
    short_name: str = Field(default="", description="A short name where space is short.")
    strapline: str = Field(default="", description="A line under the name on covers.")
    notice: str = Field(default="", description="A notice printed on every document, e.g. 'Illustrative demo data'.")
    contact: Contact = Field(description="Who readers contact (a [contact] table).")
    alternative_formats_phone: str = Field(
        default="", description="The number to ring for large print, Braille, audio or a translation."
    )
    borough: Area = Field(description="The whole partnership area (a [borough] table).")
    neighbourhoods: tuple[Area, ...] = Field(
        default=(), description="Neighbourhoods ([[neighbourhoods]] tables), each with its population and LSOAs."
    )
    comparators: tuple[Comparator, ...] = Field(
        default=(), description="Areas compared with, e.g. the region and England and Wales ([[comparators]] tables)."
    )
    public_advice: tuple[str, ...] = Field(default=(), description="'What you can do' lines for public documents.")
    report_crime: tuple[str, ...] = Field(default=(), description="How to report a crime, lines for public documents.")

    @field_validator("public_advice", "report_crime", "notice", "strapline")
    @classmethod
    def _safe_links(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        # Public text becomes live links in the PDF and the web page: only https, http, mailto.
        for line in (value,) if isinstance(value, str) else value:
            refused = unsafe_links(line)
            if refused:
                raise ValueError(f"link {refused[0]!r} is not allowed: links may only be https, http or mailto")
        return value

    @model_validator(mode="after")
    def _default_id(self) -> Partnership:
        if not self.id:
            object.__setattr__(self, "id", slug(self.short_name or self.name) or "default")
        return self

    @model_validator(mode="after")
    def _unique_area_ids(self) -> Partnership:
        seen: set[str] = set()
        for a in self.places:
            if a.id in seen:
                raise ValueError(f"area id {a.id!r} is used twice")
            seen.add(a.id)
        return self

    @property
    def places(self) -> tuple[Area | Comparator, ...]:
        """The borough, the neighbourhoods and the comparators: every area with an id, a name and a population."""
        return (self.borough, *self.neighbourhoods, *self.comparators)

    @property
    def area_ids(self) -> set[str]:
        return {self.borough.id, *(a.id for a in self.neighbourhoods), *(c.id for c in self.comparators)}

    def population(self, area_id: str) -> int | None:
        for a in self.places:
            if a.id == area_id:
                return a.population
        return None

    def area_name(self, area_id: str) -> str:
        for a in self.places:
            if a.id == area_id:
                return a.name
        return area_id

    @property
    def priority_areas(self) -> tuple[Area, ...]:
        return tuple(a for a in self.neighbourhoods if a.priority)


# The smallest count whose change against a year earlier (or the baseline) is judged at all:
# below it (the larger of the two counts), a change is "similar" (docs/statistics.md).
MIN_COUNT_HELP = (
    "Changes between counts smaller than this (the larger of the two) are never called better or worse: "
    "'similar' (docs/statistics.md)."
)


# --- partners, sources and indicators --------------------------------------------------------
# The connector types reportgen ships. The config layer sits below the connectors, so it keeps
# the names only; tests/test_config.py checks they equal the connectors registered in
# reportgen/sources, and the connectors check their own options when a pull starts.
SOURCE_TYPES = ("csv", "excel", "sql", "policeuk")


class SourceSpec(Model):
    """Where a partner's data comes from. ``type`` picks the connector; every other key
    is the connector's own option and is validated by that connector."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(pattern=ID_PATTERN, description="Source id; indicators name it in 'source'.")
    type: str = Field(description="The connector: csv, excel, sql or policeuk. Its options are listed under Sources.")

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Indicator(Model):
    id: str = Field(pattern=ID_PATTERN, description="Indicator id, used by derived indicators and strategy measures.")
    title: str = Field(description="Its name in staff documents.")
    public_title: str = Field(default="", description="Its name in public documents (default: title).")
    description: str = Field(default="", description="What it measures, for the definitions section.")
    unit: Unit = Field(description="What a value is: count, rate_per_1000, percentage, days or score.")
    polarity: Polarity = Field(
        description="Which way is better: lower_is_better, higher_is_better or contextual (neither)."
    )
    frequency: Frequency = Field(
        default=Frequency.MONTHLY, description="How often a value is reported: monthly, quarterly or annual."
    )
    aggregation: Aggregation = Field(
        default=Aggregation.SUM, description="How values add up over a longer period: sum, mean or latest."
    )
    source: str | None = Field(
        default=None, description="Id of one of this partner's sources; none for derived or manual indicators."
    )
    small_number_threshold: int = Field(
        default=0, ge=0, description="Public documents show counts below this as 'fewer than N' (0: never)."
    )
    min_count_for_trend: int = Field(default=20, ge=0, description=MIN_COUNT_HELP)
    monitor_only: bool = Field(default=False, description="Reported but never judged against a target (grey status).")
    decimals: int = Field(default=0, ge=0, le=3, description="Decimal places shown (0 to 3).")
    # Values outside this range are refused on load as typing slips (1e30, an extra zero...).
    # The default allows any count a partnership could record; tighten it per indicator.
    plausible_range: tuple[float, float] = Field(
        default=(-1e9, 1e9),
        description="lowest and highest value a return may hold for this indicator; others are refused",
    )
    owner: str = Field(default="", description="Set by reportgen from the partner file; not written in TOML.")
    spc_rebase: SpcRebase = ()

    @field_validator("plausible_range")
    @classmethod
    def _ordered_range(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not value[0] <= value[1]:
            raise ValueError(f"the lowest value {value[0]} is above the highest {value[1]}")
        return value

    @property
    def label(self) -> str:
        return self.public_title or self.title


class Partner(Model):
    id: str = Field(pattern=ID_PATTERN, description="Partner id (normally the file name, partners/<id>.toml).")
    name: str = Field(description="The partner's name in documents.")
    short_name: str = Field(default="", description="A short name where space is short.")
    contacts: tuple[Contact, ...] = Field(
        default=(), description="Who sends the partner's data returns ([[contacts]] tables)."
    )
    return_deadline_days: int = Field(
        default=10, ge=0, description="A data return is late this many days after its period ends."
    )
    returns_to: tuple[str, ...] = Field(
        default=(),
        description="Email addresses of the partner's data leads: where reminders about data returns go "
        "(never printed; without any, reminders go to the contacts' email addresses).",
    )
    sources: tuple[SourceSpec, ...] = Field(
        default=(), description="Where the partner's data comes from ([[sources]] tables)."
    )
    indicators: tuple[Indicator, ...] = Field(
        default=(), description="The indicators the partner owns ([[indicators]] tables)."
    )


class DerivedKind(StrEnum):
    SUM = "sum"
    PERCENTAGE = "percentage"
    RATIO = "ratio"
    RATE_PER_1000 = "rate_per_1000"
    GAP = "gap"


class Derived(Model):
    """An indicator computed from others.

    - ``sum``: the sum of ``of`` (e.g. the ten recorded-crime types);
    - ``percentage`` / ``ratio``: ``numerator`` over ``denominator`` (x100 for percentage);
    - ``rate_per_1000``: ``of[0]`` per 1,000 residents of each area;
    - ``gap``: how far the rate per 1,000 of ``of[0]`` in the priority neighbourhoods taken
      together is above the borough's, as a percentage of the borough's.
    """

    id: str = Field(pattern=ID_PATTERN, description="Indicator id, used by strategy measures.")
    title: str = Field(description="Its name in staff documents.")
    public_title: str = Field(default="", description="Its name in public documents (default: title).")
    description: str = Field(default="", description="What it measures, for the definitions section.")
    kind: DerivedKind = Field(description="How it is built: sum, percentage, ratio, rate_per_1000 or gap.")
    of: tuple[str, ...] = Field(
        default=(),
        description="The indicators it is built from (sum: all of them; rate_per_1000 and gap: exactly one).",
    )
    numerator: str | None = Field(default=None, description="For percentage and ratio: the indicator on top.")
    denominator: str | None = Field(default=None, description="For percentage and ratio: the indicator below.")
    unit: Unit = Field(description="What a value is: count, rate_per_1000, percentage, days or score.")
    polarity: Polarity = Field(
        description="Which way is better: lower_is_better, higher_is_better or contextual (neither)."
    )
    frequency: Frequency = Field(
        default=Frequency.MONTHLY, description="How often a value is reported: monthly, quarterly or annual."
    )
    aggregation: Aggregation = Field(
        default=Aggregation.SUM, description="How values add up over a longer period: sum, mean or latest."
    )
    small_number_threshold: int = Field(
        default=0, ge=0, description="Public documents show counts below this as 'fewer than N' (0: never)."
    )
    min_count_for_trend: int = Field(default=20, ge=0, description=MIN_COUNT_HELP)
    monitor_only: bool = Field(default=False, description="Reported but never judged against a target (grey status).")
    decimals: int = Field(default=0, ge=0, le=3, description="Decimal places shown (0 to 3).")
    owner: str = Field(default="partnership", description="Who answers for it in documents.")
    spc_rebase: SpcRebase = ()

    @model_validator(mode="after")
    def _operands(self) -> Derived:
        if self.kind in (DerivedKind.PERCENTAGE, DerivedKind.RATIO):
            if not (self.numerator and self.denominator):
                raise ValueError(f"a {self.kind} indicator needs 'numerator' and 'denominator'")
        elif not self.of:
            raise ValueError(f"a {self.kind} indicator needs 'of' (the indicators it is built from)")
        elif self.kind in (DerivedKind.RATE_PER_1000, DerivedKind.GAP) and len(self.of) != 1:
            raise ValueError(f"a {self.kind} indicator takes exactly one indicator in 'of'")
        return self

    @property
    def numerator_id(self) -> str:
        """The indicator on top of a percentage or ratio (``_operands`` made sure it is set)."""
        if not self.numerator:
            raise ValueError(f"{self.id!r} is a {self.kind} indicator: it has no numerator")
        return self.numerator

    @property
    def denominator_id(self) -> str:
        """The indicator below a percentage or ratio (``_operands`` made sure it is set)."""
        if not self.denominator:
            raise ValueError(f"{self.id!r} is a {self.kind} indicator: it has no denominator")
        return self.denominator

    @property
    def inputs(self) -> tuple[str, ...]:
        if self.kind in (DerivedKind.PERCENTAGE, DerivedKind.RATIO):
            return (self.numerator or "", self.denominator or "")
        return self.of

    @property
    def label(self) -> str:
        return self.public_title or self.title


# --- strategies and targets --------------------------------------------------------------------
def _period(value: Any) -> str:
    """Validate a period key and keep it as the canonical key string."""
    return Period.parse(str(value)).key


class Measure(Model):
    """A target set on one indicator within a strategy."""

    indicator: str = Field(description="The indicator this target is set on.")
    area: str = Field(default="", description="Area id the target is for (default: the borough).")
    baseline_value: float | None = Field(
        default=None, description="The baseline, if given; otherwise taken from the data for the baseline period."
    )
    change_pct: float | None = Field(
        default=None,
        description="Relative target: the change from the baseline by the target period, e.g. -22 for 'reduce by 22%'.",
    )
    target_value: float | None = Field(
        default=None, description="Absolute target for the target period (instead of change_pct)."
    )
    tolerance_pct: float = Field(default=5.0, ge=0, description="amber band, % of trajectory")
    monitor_only: bool = Field(default=False, description="Reported with the target but not judged (grey status).")

    @model_validator(mode="after")
    def _one_kind_of_target(self) -> Measure:
        if self.change_pct is not None and self.target_value is not None:
            raise ValueError("give either 'change_pct' or 'target_value', not both")
        return self


class Rule(StrEnum):
    SINGLE = "single"
    ALL_IMPROVE = "all_improve"
    FRACTION_IMPROVE = "fraction_improve"
    THRESHOLD = "threshold"


class BigTarget(Model):
    id: str = Field(pattern=ID_PATTERN, description="Target id (lower case, digits, - and _).")
    number: int = Field(ge=1, description="Its number in the strategy: the order targets are listed in.")
    title: str = Field(description="Its title in staff documents.")
    public_title: str = Field(default="", description="Its title in public documents (default: title).")
    description: str = Field(default="", description="A sentence on what it is for.")
    rule: Rule = Field(
        default=Rule.SINGLE,
        description="How its measures decide it: single, all_improve, fraction_improve or threshold.",
    )
    fraction: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="For fraction_improve: the share of measures that must improve, e.g. 0.75.",
    )
    threshold: float | None = Field(
        default=None, description="For threshold: met when the measure is at or better than this, e.g. 33."
    )
    measures: tuple[Measure, ...] = Field(description="The indicators it is judged on, with their targets.")

    @model_validator(mode="after")
    def _rule_needs(self) -> BigTarget:
        if not self.measures:
            raise ValueError("a big target needs at least one measure")
        if self.rule is Rule.FRACTION_IMPROVE and self.fraction is None:
            raise ValueError("rule 'fraction_improve' needs 'fraction' (e.g. 0.75)")
        if self.rule is Rule.THRESHOLD and self.threshold is None:
            raise ValueError("rule 'threshold' needs 'threshold' (e.g. 33)")
        if self.rule in (Rule.SINGLE, Rule.THRESHOLD) and len(self.measures) != 1:
            raise ValueError(f"rule {self.rule.value!r} takes exactly one measure")
        return self


class Strategy(Model):
    id: str = Field(pattern=ID_PATTERN, description="Strategy id (--strategy).")
    title: str = Field(description="Its title on covers.")
    baseline_period: str = Field(
        description="The period targets are measured from: a month, quarter or financial year (2004/05)."
    )
    target_period: str = Field(description="The period targets are to be met by; after the baseline.")
    description: str = Field(default="", description="A sentence on the strategy.")
    targets: tuple[BigTarget, ...] = Field(description="The big targets ([[targets]] tables).")

    _check_periods = field_validator("baseline_period", "target_period", mode="before")(lambda v: _period(v))

    @model_validator(mode="after")
    def _order(self) -> Strategy:
        if Period.parse(self.target_period).end <= Period.parse(self.baseline_period).end:
            raise ValueError("target_period must come after baseline_period")
        return self

    @property
    def baseline(self) -> Period:
        return Period.parse(self.baseline_period)

    @property
    def target(self) -> Period:
        return Period.parse(self.target_period)


# --- the whole configuration ------------------------------------------------------------------
class Config(Model):
    """Everything under one config folder, cross-checked."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    root: str
    partnership: Partnership
    partners: tuple[Partner, ...]
    derived: tuple[Derived, ...] = ()
    strategies: tuple[Strategy, ...] = ()
    checksum: str = ""

    @property
    def indicators(self) -> dict[str, Indicator | Derived]:
        out: dict[str, Indicator | Derived] = {}
        for p in self.partners:
            for i in p.indicators:
                out[i.id] = i
        for d in self.derived:
            out[d.id] = d
        return out

    def indicator(self, indicator_id: str) -> Indicator | Derived:
        return self.indicators[indicator_id]

    def partner(self, partner_id: str) -> Partner:
        for p in self.partners:
            if p.id == partner_id:
                return p
        from reportgen.errors import LookupFailure

        known = ", ".join(p.id for p in self.partners)
        raise LookupFailure(f"no partner {partner_id!r}", hint=f"known partners: {known}")

    def strategy(self, strategy_id: str) -> Strategy:
        for s in self.strategies:
            if s.id == strategy_id:
                return s
        from reportgen.errors import LookupFailure

        known = ", ".join(s.id for s in self.strategies)
        raise LookupFailure(f"no strategy {strategy_id!r}", hint=f"known strategies: {known}")
