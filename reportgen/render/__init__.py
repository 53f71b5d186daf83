"""Renderers chosen by name: ``get_renderer("pdf").render(doc, path)``."""

from __future__ import annotations

import importlib

from reportgen.errors import LookupFailure
from reportgen.render.base import Renderer

# Imported on demand so that asking for the Word renderer does not load WeasyPrint.
_REGISTRY: dict[str, str] = {
    "html": "reportgen.render.html:HtmlRenderer",
    "pdf": "reportgen.render.pdf:PdfRenderer",
    "docx": "reportgen.render.docx:DocxRenderer",
}
RENDERER_NAMES: tuple[str, ...] = tuple(_REGISTRY)


def get_renderer(name: str) -> Renderer:
    """A new renderer for ``name`` ('html', 'pdf' or 'docx')."""
    key = name.strip().lower()
    if key not in _REGISTRY:
        raise LookupFailure(
            f"Unknown renderer {name!r}.", hint=f"Known renderers: {', '.join(RENDERER_NAMES)}."
        )
    module_name, class_name = _REGISTRY[key].split(":")
    cls: type[Renderer] = getattr(importlib.import_module(module_name), class_name)
    return cls()


__all__ = ["RENDERER_NAMES", "Renderer", "get_renderer"]
