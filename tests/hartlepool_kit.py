"""The Hartlepool example (13 months of real police.uk data, March 2022 to March 2023) copied
into a temporary folder and pulled into a real SQLite store, and ways to read back what the
documents made from it say (PDF through pdfplumber, Word through python-docx)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pdfplumber
from click.testing import CliRunner
from docx import Document as open_docx
from docx_reading import all_paragraphs
from pdf_reading import squash
from returns_fixtures import REPO
from sharedkit import copy_of, shared

from reportgen.cli import cli

EXAMPLE = REPO / "examples" / "hartlepool"


def copy_example(dest: Path) -> Path:
    """A copy of the example's config and data that a test may edit."""
    shutil.copytree(EXAMPLE, dest)
    return dest


def pull(root: Path, store: Path) -> str:
    """``reportgen pull`` of the config in ``root`` into ``store``; returns the store's URL. The
    example itself (not an edited copy) is pulled once per test session and copied."""
    if Path(root).resolve() == EXAMPLE.resolve():
        pulled = shared("hartlepool-pulled", lambda folder: _pull(EXAMPLE, folder / "hartlepool.sqlite"))
        return f"sqlite:///{copy_of(pulled / 'hartlepool.sqlite', store)}"
    return _pull(root, store)


def _pull(root: Path, store: Path) -> str:
    url = f"sqlite:///{store}"
    result = CliRunner().invoke(cli, ["pull", "--config", str(root), "--store", url])
    assert result.exit_code == 0, result.output
    return url


def run(*args: str) -> tuple[int, str, str]:
    """``reportgen ARGS`` in this process: exit code, stdout, stderr."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def police_months() -> list[str]:
    """The months the bundled police.uk files hold, read from the files themselves."""
    months: set[str] = set()
    for path in sorted((EXAMPLE / "data" / "police-uk").glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            months |= set(pd.read_csv(fh, usecols=["Month"], dtype=str)["Month"])
    return sorted(months)


def police_rows() -> pd.DataFrame:
    """Every row of the bundled police.uk files (Month, LSOA code, Crime type)."""
    frames = []
    for path in sorted((EXAMPLE / "data" / "police-uk").glob("*.csv.gz")):
        frames.append(pd.read_csv(path, usecols=["Month", "LSOA code", "Crime type"], dtype=str))
    return pd.concat(frames, ignore_index=True)


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return " ".join(page.extract_text() or "" for page in pdf.pages)


def pdf_pages(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def docx_text(path: Path) -> str:
    return " ".join(p.text for p in all_paragraphs(open_docx(str(path))))


def in_both(sentence: str, pdf: Path, docx: Path) -> bool:
    """Whether ``sentence`` is in the PDF (spacing-insensitive: PDF extraction drops spaces)
    and, exactly, in the Word file."""
    return squash(sentence) in squash(pdf_text(pdf)) and sentence in docx_text(docx)
