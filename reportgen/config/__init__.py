"""Partnership configuration: TOML files validated into frozen typed objects."""

from reportgen.config.loader import load_config
from reportgen.config.models import (
    Aggregation,
    Area,
    BigTarget,
    Config,
    Derived,
    DerivedKind,
    Frequency,
    Indicator,
    Measure,
    Partner,
    Partnership,
    Polarity,
    Rule,
    SourceSpec,
    Strategy,
    Unit,
)

__all__ = [
    "Aggregation",
    "Area",
    "BigTarget",
    "Config",
    "Derived",
    "DerivedKind",
    "Frequency",
    "Indicator",
    "Measure",
    "Partner",
    "Partnership",
    "Polarity",
    "Rule",
    "SourceSpec",
    "Strategy",
    "Unit",
    "load_config",
]
