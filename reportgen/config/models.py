"""The partnership's configuration as frozen, validated objects.

A partnership (``partnership.toml``) has areas and comparators; partners
(``partners/*.toml``) own indicators and the sources their data comes from;
``derived.toml`` builds indicators from others; strategies (``strategies/*.toml``)
set targets on indicators and group them into big targets with a rule.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reportgen.links import unsafe_links
from reportgen.periods import Kind, Period

ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"


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


class Aggregation(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    LATEST = "latest"


# --- partnership and areas ---------------------------------------------------------------
class Contact(Model):
    name: str
    role: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""


class Area(Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    population: int = Field(gt=0)
    priority: bool = False
    township: str = ""
    lsoas: tuple[str, ...] = ()


class Comparator(Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    population: int = Field(gt=0)


class Partnership(Model):
    name: str
    short_name: str = ""
    strapline: str = ""
    notice: str = ""  # e.g. "Illustrative demo data": printed on every document
    contact: Contact
    alternative_formats_phone: str = ""
    borough: Area
    neighbourhoods: tuple[Area, ...] = ()
    comparators: tuple[Comparator, ...] = ()
    public_advice: tuple[str, ...] = ()  # "what you can do" lines for public documents
    report_crime: tuple[str, ...] = ()  # how to report a crime

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
    def _unique_area_ids(self) -> Partnership:
        seen: set[str] = set()
        for a in (self.borough, *self.neighbourhoods, *self.comparators):
            if a.id in seen:
                raise ValueError(f"area id {a.id!r} is used twice")
            seen.add(a.id)
        return self

    @property
    def area_ids(self) -> set[str]:
        return {self.borough.id, *(a.id for a in self.neighbourhoods), *(c.id for c in self.comparators)}

    def population(self, area_id: str) -> int | None:
        for a in (self.borough, *self.neighbourhoods, *self.comparators):
            if a.id == area_id:
                return a.population
        return None

    def area_name(self, area_id: str) -> str:
        for a in (self.borough, *self.neighbourhoods, *self.comparators):
            if a.id == area_id:
                return a.name
        return area_id

    @property
    def priority_areas(self) -> tuple[Area, ...]:
        return tuple(a for a in self.neighbourhoods if a.priority)


# --- partners, sources and indicators --------------------------------------------------------
class SourceSpec(Model):
    """Where a partner's data comes from. ``type`` picks the connector; every other key
    is the connector's own option and is validated by that connector."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    type: str

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Indicator(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    public_title: str = ""
    description: str = ""
    unit: Unit
    polarity: Polarity
    frequency: Frequency = Frequency.MONTHLY
    aggregation: Aggregation = Aggregation.SUM
    source: str | None = None  # id of one of the owner's sources; None for derived or manual
    small_number_threshold: int = Field(default=0, ge=0)
    monitor_only: bool = False
    decimals: int = Field(default=0, ge=0, le=3)
    # Values outside this range are refused on load as typing slips (1e30, an extra zero...).
    # The default allows any count a partnership could record; tighten it per indicator.
    plausible_range: tuple[float, float] = Field(
        default=(-1e9, 1e9),
        description="lowest and highest value a return may hold for this indicator; others are refused",
    )
    owner: str = ""  # filled in by the loader from the partner file

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
    id: str = Field(pattern=ID_PATTERN)
    name: str
    short_name: str = ""
    contacts: tuple[Contact, ...] = ()
    return_deadline_days: int = Field(default=10, ge=0, description="days after period end")
    sources: tuple[SourceSpec, ...] = ()
    indicators: tuple[Indicator, ...] = ()


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

    id: str = Field(pattern=ID_PATTERN)
    title: str
    public_title: str = ""
    description: str = ""
    kind: DerivedKind
    of: tuple[str, ...] = ()
    numerator: str | None = None
    denominator: str | None = None
    unit: Unit
    polarity: Polarity
    frequency: Frequency = Frequency.MONTHLY
    aggregation: Aggregation = Aggregation.SUM
    small_number_threshold: int = Field(default=0, ge=0)
    monitor_only: bool = False
    decimals: int = Field(default=0, ge=0, le=3)
    owner: str = "partnership"

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

    indicator: str
    area: str = ""  # default: the borough
    baseline_value: float | None = None  # given, or taken from data for the baseline period
    change_pct: float | None = None  # relative target, e.g. -22 for "reduce by 22%"
    target_value: float | None = None  # absolute target
    tolerance_pct: float = Field(default=5.0, ge=0, description="amber band, % of trajectory")
    monitor_only: bool = False

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
    id: str = Field(pattern=ID_PATTERN)
    number: int = Field(ge=1)
    title: str
    public_title: str = ""
    description: str = ""
    rule: Rule = Rule.SINGLE
    fraction: float | None = Field(default=None, gt=0, le=1)
    threshold: float | None = None  # for THRESHOLD: met when the measure is at or better than this
    measures: tuple[Measure, ...]

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
    id: str = Field(pattern=ID_PATTERN)
    title: str
    baseline_period: str
    target_period: str
    description: str = ""
    targets: tuple[BigTarget, ...]

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
