"""Read a config folder into a checked :class:`Config`.

Layout::

    partnership.toml        the partnership, its areas and comparators
    partners/*.toml         one file per partner: contacts, sources, indicators
    derived.toml            indicators built from others (optional)
    strategies/*.toml       one file per strategy: big targets and their measures

Every error names the file and the key, says why, and where it can, suggests a fix.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reportgen.config.models import (
    SOURCE_TYPES,
    Aggregation,
    Config,
    Derived,
    DerivedKind,
    Indicator,
    Measure,
    Partner,
    Partnership,
    Strategy,
)
from reportgen.errors import ConfigError
from reportgen.tomlfile import read_toml

DEFAULT_CONFIG_DIR = Path("data_sources")
M = TypeVar("M", bound=BaseModel)


def _read_toml(path: Path, root: Path) -> dict[str, Any]:
    rel = _rel(path, root)
    try:
        return read_toml(path, rel)
    except OSError as exc:
        raise ConfigError(rel, None, f"cannot be read ({exc.strerror})") from None


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent if root.name else root))
    except ValueError:
        return str(path)


def _key_path(loc: Iterable[Any], data: Any) -> str:
    """('indicators', 3, 'unit') -> "indicators[3] (id='burglary').unit"."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            try:
                node = node[part]
                if isinstance(node, dict) and "id" in node:
                    out += f" (id={node['id']!r})"
                elif isinstance(node, dict) and "indicator" in node:
                    out += f" (indicator={node['indicator']!r})"
            except (IndexError, KeyError, TypeError):
                node = None
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def _validate(model: type[M], data: dict[str, Any], rel: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # a misspelt key is both "unknown" and "missing": report the unknown key, whose
        # "did you mean" hint points at the fix, rather than the missing one
        errors = exc.errors()
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        key = _key_path(loc, data)
        hint = None
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(sorted(allowed))}"
            problem = "is not a known key"
        elif err["type"] == "enum":
            problem = f"{err['input']!r} is not allowed"
            hint = f"use one of: {err['ctx']['expected']}"
        elif err["type"] == "missing":
            problem = "is required but missing"
        else:
            problem = err["msg"].removeprefix("Value error, ")
            if "input" in err and not isinstance(err["input"], dict | list):
                problem += f" (got {err['input']!r})"
        raise ConfigError(rel, key, problem, hint=hint) from None


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the nested model at ``loc`` (for "did you mean" hints)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        current = next((a for a in (*args, ann) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if current is None:
            return []
    return list(current.model_fields) if current is not None else []


def load_partnership(root: Path | str = DEFAULT_CONFIG_DIR) -> Partnership:
    """Only ``partnership.toml`` (its id, for the store and ledger), checked as load_config does."""
    root = Path(root)
    p_path = root / "partnership.toml"
    if not p_path.is_file():
        raise ConfigError(
            _rel(p_path, root), None, "is missing", hint="pass --config DIR, the partnership's config folder"
        )
    return _validate(Partnership, _read_toml(p_path, root), _rel(p_path, root))


def load_config(root: Path | str = DEFAULT_CONFIG_DIR) -> Config:
    """Load and cross-check every file of a partnership's configuration."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(
            str(root), None, "is not a folder", hint="pass --config DIR, the partnership's config folder"
        )
    files: list[Path] = []

    p_path = root / "partnership.toml"
    if not p_path.exists():
        raise ConfigError(
            _rel(p_path, root), None, "is missing", hint="every config folder needs a partnership.toml"
        )
    files.append(p_path)
    partnership = _validate(Partnership, _read_toml(p_path, root), _rel(p_path, root))

    partners: list[tuple[Partner, str]] = []
    for path in sorted((root / "partners").glob("*.toml")):
        files.append(path)
        rel = _rel(path, root)
        data = _read_toml(path, root)
        partner = _validate(Partner, data, rel)
        indicators = tuple(i.model_copy(update={"owner": partner.id}) for i in partner.indicators)
        partners.append((partner.model_copy(update={"indicators": indicators}), rel))
    if not partners:
        raise ConfigError(
            _rel(root / "partners", root), None, "holds no partner files", hint="add partners/<id>.toml"
        )

    derived: list[Derived] = []
    d_path = root / "derived.toml"
    if d_path.exists():
        files.append(d_path)
        data = _read_toml(d_path, root)
        unknown = set(data) - {"derived"}
        if unknown:
            raise ConfigError(
                _rel(d_path, root), sorted(unknown)[0], "is not a known key", hint="use [[derived]] tables"
            )
        for n, item in enumerate(data.get("derived", [])):
            derived.append(_validate(Derived, item, f"{_rel(d_path, root)}: derived[{n}]"))

    strategies: list[tuple[Strategy, str]] = []
    for path in sorted((root / "strategies").glob("*.toml")):
        files.append(path)
        rel = _rel(path, root)
        strategies.append((_validate(Strategy, _read_toml(path, root), rel), rel))

    _cross_check(partnership, partners, derived, strategies, _rel(d_path, root))

    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return Config(
        root=str(root.resolve()),
        partnership=partnership,
        partners=tuple(p for p, _ in partners),
        derived=tuple(derived),
        strategies=tuple(s for s, _ in strategies),
        checksum=digest.hexdigest(),
    )


def _cross_check(
    partnership: Partnership,
    partners: list[tuple[Partner, str]],
    derived: list[Derived],
    strategies: list[tuple[Strategy, str]],
    derived_file: str,
) -> None:
    """What no single file can check: ids unique across files, and every reference (an
    indicator's source, a derived input, a target's indicator and area) to something defined."""
    known: dict[str, str] = {}  # indicator id -> the file defining it
    for partner, rel in partners:
        _check_partner_indicators(partner, rel, known)
    for n, d in enumerate(derived):
        _check_derived(n, d, derived_file, known)
        known[d.id] = derived_file
    areas = partnership.area_ids
    definitions: dict[str, Indicator | Derived] = {i.id: i for p, _ in partners for i in p.indicators}
    definitions |= {d.id: d for d in derived}
    for strategy, rel in strategies:
        for t_n, target in enumerate(strategy.targets):
            for m_n, m in enumerate(target.measures):
                key = f"targets[{t_n}] (id={target.id!r}).measures[{m_n}]"
                if m.indicator in definitions:
                    _check_baseline_basis(strategy, m, definitions[m.indicator], rel, key)
                _check_measure(m, rel, key, known, areas)


def _check_partner_indicators(partner: Partner, rel: str, known: dict[str, str]) -> None:
    """The partner's indicators are defined nowhere else and name sources it has; adds them to ``known``."""
    for spec in partner.sources:
        # at load, so `evaluate`, `run` and `serve` refuse a mistyped type as `pull` does
        if spec.type not in SOURCE_TYPES:
            raise ConfigError(
                rel,
                f"sources (id={spec.id!r}).type",
                f"{spec.type!r} is not a source type",
                hint=_suggest(spec.type, SOURCE_TYPES),
            )
    source_ids = {s.id for s in partner.sources}
    for n, ind in enumerate(partner.indicators):
        if ind.id in known:
            raise ConfigError(rel, f"indicators[{n}] (id={ind.id!r})", f"is already defined in {known[ind.id]}")
        known[ind.id] = rel
        if ind.source is not None and ind.source not in source_ids:
            raise ConfigError(
                rel,
                f"indicators[{n}] (id={ind.id!r}).source",
                f"{ind.source!r} is not one of this partner's sources",
                hint=_suggest(ind.source, source_ids),
            )


def _check_derived(n: int, d: Derived, derived_file: str, known: dict[str, str]) -> None:
    """A derived indicator is defined nowhere else and uses only indicators defined before it."""
    if d.id in known:
        raise ConfigError(derived_file, f"derived[{n}] (id={d.id!r})", f"is already defined in {known[d.id]}")
    for ref in d.inputs:
        if ref not in known:
            raise ConfigError(
                derived_file,
                f"derived[{n}] (id={d.id!r})",
                f"uses unknown indicator {ref!r}",
                hint=_suggest(ref, known),
            )


def _check_measure(m: Measure, rel: str, key: str, known: dict[str, str], areas: set[str]) -> None:
    """A target's measure names a known indicator and area, and has a target unless it only monitors."""
    if m.indicator not in known:
        raise ConfigError(
            rel,
            f"{key}.indicator",
            f"{m.indicator!r} is not a known indicator",
            hint=_suggest(m.indicator, known),
        )
    if m.area and m.area not in areas:
        raise ConfigError(rel, f"{key}.area", f"{m.area!r} is not a known area", hint=_suggest(m.area, areas))
    if not m.monitor_only and m.change_pct is None and m.target_value is None:
        raise ConfigError(
            rel,
            key,
            f"the measure on {m.indicator!r} has no target",
            hint="give change_pct (e.g. -22) or target_value, or set monitor_only = true",
        )


# A count is compared on 12 months: its rolling 12 months when reported for a month or a
# quarter, the financial year for a year (see reportgen.evaluate.engine). Shares and gaps are
# ratios of sums, so any window gives a comparable figure.
COMPARED_MONTHS = 12
_RATIO_KINDS = (DerivedKind.PERCENTAGE, DerivedKind.RATIO, DerivedKind.GAP)


def _check_baseline_basis(
    strategy: Strategy, measure: Measure, definition: Indicator | Derived, rel: str, key: str
) -> None:
    """Refuse a baseline that cannot be compared with the figures it is compared with.

    A count summed over a quarter baseline (2022-Q2) set against a rolling 12 months would print
    "Up 296%, Off track" for a steady series; the fix is a 12-month baseline or a given value.
    """
    if measure.baseline_value is not None or definition.aggregation is not Aggregation.SUM:
        return
    if isinstance(definition, Derived) and definition.kind in _RATIO_KINDS:
        return
    baseline = strategy.baseline
    if baseline.n_months == COMPARED_MONTHS:
        return
    kind = baseline.kind.value.replace("_", " ")
    raise ConfigError(
        rel,
        "baseline_period",
        f"{strategy.baseline_period!r} is a {kind} ({baseline.n_months} months), but {key} on "
        f"{measure.indicator!r} is a total compared on {COMPARED_MONTHS} months (a rolling 12 months, or a "
        f"financial year), so its change against the baseline would compare {COMPARED_MONTHS} months with "
        f"{baseline.n_months}",
        hint="use a financial year such as '2022/23' as baseline_period, or give the measure a "
        "baseline_value for 12 months",
    )


def _suggest(name: str, options: Iterable[str]) -> str:
    options = list(options)
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"known: {', '.join(sorted(options)[:12])}" + (" ..." if len(options) > 12 else "")
