"""Shared fixtures: the demo board pack rendered once per session in each format."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reportgen.document import Document
from reportgen.render import get_renderer
from reportgen.render.sample import sample_document

# Lets test modules import the helpers that sit beside them (pdf_reading.py).
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def sample() -> Document:
    return sample_document("standard")


@pytest.fixture(scope="session")
def large_sample() -> Document:
    return sample_document("large-print")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory, sample: Document) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rendered")
    return {
        name: get_renderer(name).render(sample, out / f"sample.{name}") for name in ("pdf", "docx", "html")
    }


@pytest.fixture(scope="session")
def rendered_large(tmp_path_factory: pytest.TempPathFactory, large_sample: Document) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rendered-large")
    return {name: get_renderer(name).render(large_sample, out / f"large.{name}") for name in ("pdf", "docx")}
