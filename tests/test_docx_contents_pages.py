"""The Word contents shows page numbers as soon as the file is opened: LibreOffice's PDF
conversion of the .docx prints, beside each title, the page its heading is on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from reportgen.render import get_renderer
from reportgen.render.sample import sample_document

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice Writer is needed")


def test_libreoffice_conversion_prints_each_contents_entry_with_its_headings_page(tmp_path: Path) -> None:
    doc = sample_document(repeat=3)
    assert doc.toc
    source = tmp_path / "pack.docx"
    source.write_bytes(get_renderer("docx").to_bytes(doc))
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with pdfplumber.open(tmp_path / "pack.pdf") as pdf:
        pages = [(page.extract_text() or "").splitlines() for page in pdf.pages]
    titles = [s.title for s in doc.sections]
    contents_page = next(i for i, lines in enumerate(pages) if doc.contents_title in lines)
    listed: dict[str, int] = {}
    for line in pages[contents_page]:
        match = re.fullmatch(r"(.+?)\s*\.{3,}\s*(\d+)", line)
        if match and match.group(1) in titles:
            listed[match.group(1)] = int(match.group(2))
    assert list(listed) == titles, pages[contents_page]
    # the oracle: the page (1-based) where each heading's line first stands alone, in order
    # (a contents line carries dots and a number, so it never stands alone)
    actual: dict[str, int] = {}
    search_from = contents_page
    for title in titles:
        for number in range(search_from, len(pages)):
            if any(line.strip() == title for line in pages[number]):
                actual[title] = number + 1
                search_from = number
                break
    assert listed == actual
    assert len(set(listed.values())) > 2  # the entries do not all point at one page
