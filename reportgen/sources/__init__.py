"""Source connectors: each reads one kind of partner data into observations.

A connector is chosen by ``type`` in the partner's config and looked up here. Connector
modules are imported only when used, so ``reportgen --help`` stays fast.
"""

from __future__ import annotations

import importlib

from reportgen.errors import LookupFailure
from reportgen.sources.base import Source

# type name -> module that defines and registers it
_MODULES = {
    "csv": "reportgen.sources.csv",
    "excel": "reportgen.sources.excel",
    "sql": "reportgen.sources.sql",
    "policeuk": "reportgen.sources.policeuk",
}


def get_source_class(type_name: str) -> type[Source]:
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


__all__ = ["Source", "get_source_class", "known_types"]
