"""The contract every renderer honours."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path

from reportgen.document import Document
from reportgen.fsutil import atomic_write_bytes


class Renderer(ABC):
    """Turns a Document into one file format. Subclasses implement ``to_bytes``."""

    #: Registry name, e.g. "pdf".
    name: str = ""
    #: File extension including the dot, e.g. ".pdf".
    suffix: str = ""
    media_type: str = "application/octet-stream"

    @abstractmethod
    def to_bytes(self, doc: Document) -> bytes:
        """Render the whole document in memory; raise RenderError on failure."""

    def render(self, doc: Document, dest: str | os.PathLike[str]) -> Path:
        """Render to ``dest`` atomically: a failure leaves any previous file untouched."""
        data = self.to_bytes(doc)
        return atomic_write_bytes(dest, data)
