"""LibreOffice opens the Word file and converts it: a second, independent reader of our .docx."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from pdf_reading import squash

from reportgen.document import Document, outline

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("fixture", ["rendered", "rendered_large"])
def test_libreoffice_converts_docx_to_pdf(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path, sample: Document
) -> None:
    source = request.getfixturevalue(fixture)["docx"]
    # A private profile directory, so a desktop LibreOffice running elsewhere cannot interfere.
    profile = (tmp_path / "profile").as_uri()
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = tmp_path / (source.stem + ".pdf")
    assert result.returncode == 0 and converted.exists(), result.stderr
    reader = pypdf.PdfReader(converted)
    text = squash(" ".join(page.extract_text() for page in reader.pages))
    for _, heading in outline(sample).headings:
        assert squash(heading) in text
    # The PAGE/NUMPAGES fields were evaluated, not left as placeholders.
    last = len(reader.pages)
    assert f"Page{last}of{last}" in squash(reader.pages[-1].extract_text())
