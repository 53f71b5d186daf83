"""Source connectors: each reads one kind of partner data into observations.

A connector is chosen by ``type`` in the partner's config and looked up here. Connector
modules are imported only when used, so ``reportgen --help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from reportgen.errors import ConfigError, LookupFailure
from reportgen.sources.base import Source

if TYPE_CHECKING:
    from reportgen.config.models import Config

# type name -> module that defines and registers it
_MODULES = {
    "csv": "reportgen.sources.csv",
    "excel": "reportgen.sources.excel",
    "sql": "reportgen.sources.sql",
    "policeuk": "reportgen.sources.policeuk",
}


def get_source_class(type_name: str) -> type[Source[Any]]:
    module = _MODULES.get(type_name)
    if module is None:
        raise LookupFailure(
            f"no source connector of type {type_name!r}",
            hint=f"known types: {', '.join(sorted(_MODULES))}",
        )
    importlib.import_module(module)
    return Source.registry[type_name]


def known_types() -> list[str]:
    return sorted(_MODULES)


def check_sources(config: Config) -> None:
    """Check every configured source's type and options before any is read, so a slip in one
    partner's file ("cvs") stops the pull before the others have loaded, and before the store
    is opened. Raises ConfigError naming the partner file and key."""
    import difflib

    for partner in config.partners:
        for spec in partner.sources:
            where = (f"partners/{partner.id}.toml", f"sources (id={spec.id!r}).type")
            if spec.type not in _MODULES:
                close = difflib.get_close_matches(spec.type, list(_MODULES), n=1)
                raise ConfigError(
                    *where,
                    f"{spec.type!r} is not a source type",
                    hint=f"did you mean {close[0]!r}?" if close else f"known types: {', '.join(sorted(_MODULES))}",
                )
            cls = get_source_class(spec.type)
            try:
                cls.Options.model_validate(spec.options)
            except ValidationError as exc:
                err = exc.errors()[0]
                key = ".".join(str(p) for p in err["loc"])
                raise ConfigError(
                    where[0],
                    f"sources (id={spec.id!r}).{key}",
                    err["msg"],
                    hint=f"options of a {spec.type!r} source: {', '.join(cls.Options.model_fields)}",
                ) from None
            # and what a connector checks against the partnership (a police.uk source's
            # ignore_unmatched_lsoas must not list a neighbourhood's code); nothing is read yet
            cls(spec, partner, config)


__all__ = ["Source", "check_sources", "get_source_class", "known_types"]
