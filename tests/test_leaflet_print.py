"""The demo leaflet as printed and as a Word file, in every language and variant: 14pt type at
least everywhere (large print larger), a trend chart with its words, a QR code, two sides that
fold (front: the news and the chart; back from "Crime in detail"), and a Word file with as many
pages as its PDF when LibreOffice lays it out (issue 14, point 4)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pdfplumber
import pytest
from click.testing import CliRunner
from demo_reports import DEMO, demo_store
from docx.oxml.ns import qn
from docx_reading import all_paragraphs, effective_size_pt
from page_rules import page_problems
from scipy.stats import binomtest

from reportgen.cli import cli
from reportgen.evaluate.significance import count_change_significant
from reportgen.i18n import use_language
from reportgen.periods import Period
from reportgen.reports.trend import Trend, trend_words

PERIOD = "2005-Q1"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# stem -> extra command-line options; the smallest size each may print
VARIANTS = {
    "leaflet": ([], 14.0),
    "leaflet-pl": (["--lang", "pl"], 14.0),
    "leaflet-ur": (["--lang", "ur"], 14.0),
    "leaflet-hindley": (["--area", "Hindley"], 14.0),
    "leaflet-large-print": (["--large-print"], 16.0),
}
STANDARD = [s for s in VARIANTS if s != "leaflet-large-print"]


@pytest.fixture(scope="module")
def leaflets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("leaflet-print")
    store = demo_store(root)
    out: dict[str, dict[str, Path]] = {}
    for stem, (options, _) in VARIANTS.items():
        dest = root / "out"
        result = CliRunner().invoke(cli, ["run", "leaflet", "--period", PERIOD, "--config", str(DEMO),
                                          "--store", store, "--out", str(dest), *options])
        assert result.exit_code == 0, result.output
        folder = dest / "leaflet" / PERIOD
        out[stem] = {".pdf": folder / f"{stem}.pdf", ".docx": folder / f"{stem}.docx"}
    return out


# --- type size ---------------------------------------------------------------------------------
@pytest.mark.parametrize("stem", list(VARIANTS))
def test_every_character_of_the_pdf_is_14pt_or_more(leaflets: dict, stem: str) -> None:
    """Every glyph pdfplumber finds, chart labels, tables and page furniture included."""
    smallest = VARIANTS[stem][1]
    with pdfplumber.open(leaflets[stem][".pdf"]) as pdf:
        small = [(n + 1, c["text"], round(c["size"], 1)) for n, page in enumerate(pdf.pages)
                 for c in page.chars if c["text"].strip() and c["size"] < smallest - 0.05]
        chars = sum(len(page.chars) for page in pdf.pages)
    assert chars > 1000  # the check is only as good as what it reads
    assert small == [], small[:10]


@pytest.mark.parametrize("stem", list(VARIANTS))
def test_every_run_of_the_word_file_is_14pt_or_more(leaflets: dict, stem: str) -> None:
    smallest = VARIANTS[stem][1]
    word = docx.Document(str(leaflets[stem][".docx"]))
    paragraphs = list(all_paragraphs(word))
    # all_paragraphs reads one level of table; the leaflet's cards and contacts sit in layout tables
    for table in word.tables:
        for cell in table._cells:
            for inner in cell.tables:
                paragraphs += [p for c in inner._cells for p in c.paragraphs]
    small = [(p.text[:40], size) for p in paragraphs if p.text.strip()
             for size in effective_size_pt(word, p) if size < smallest]
    assert len(paragraphs) > 40
    assert small == [], small[:10]


# --- the two sides --------------------------------------------------------------------------------
def _pages_text(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [" ".join((page.extract_text() or "").split()) for page in pdf.pages]


def test_front_is_the_news_and_the_chart_and_the_back_what_to_do(leaflets: dict) -> None:
    front, back = _pages_text(leaflets["leaflet"][".pdf"])
    for words in ("The headlines", "Crime in Wigan borough since April 2002", "What we are doing"):
        assert words in front
    for words in ("Crime in detail", "Help keep Wigan borough safe", "Contact us",
                  "Scan for the latest figures", "Call 01942 828111 to get this leaflet in large print"):
        assert words in back
    assert back.startswith("Crime in detail")


@pytest.mark.parametrize("stem", list(VARIANTS))
def test_every_page_keeps_the_page_rules(leaflets: dict, stem: str) -> None:
    assert page_problems(leaflets[stem][".pdf"]) == []


@pytest.mark.parametrize("stem", list(VARIANTS))
def test_the_trend_chart_is_in_pdf_and_word_with_its_trend_in_words(leaflets: dict, stem: str) -> None:
    """The PDF's chart image and the Word picture carry the same alt text, which says the trend:
    'went down' for the borough's 21,598 -> 17,444 (an exact Poisson test agrees it is beyond
    chance, as does scipy's binomial test on the split of the two totals)."""
    assert binomtest(17444, 17444 + 21598, 0.5).pvalue < 0.001
    with pdfplumber.open(leaflets[stem][".pdf"]) as pdf:
        alts = _figure_alts(pdf)
    word = docx.Document(str(leaflets[stem][".docx"]))
    word_alts = [d.get("descr") for d in word.element.body.iter(qn("wp:docPr"))]
    trend = [a for a in alts if "12" in a and "QR" not in a]
    assert len(trend) == 1, alts
    assert trend[0] in word_alts
    if stem == "leaflet":
        assert trend[0].startswith("Crime went down: 21,598 crimes in the 12 months to March 2003, "
                                   "17,444 in the 12 months to March 2005.")
        assert "Our target is 15,640 or fewer in the 12 months to March 2008." in trend[0]


def _figure_alts(pdf: pdfplumber.PDF) -> list[str]:
    alts: list[str] = []

    def walk(element: dict) -> None:
        if element.get("type") == "Figure" and element.get("alt_text"):
            alts.append(element["alt_text"])
        for child in element.get("children", ()):
            walk(child)

    for root in pdf.structure_tree:
        walk(root)
    return alts


# --- the words of the trend -------------------------------------------------------------------------
@pytest.mark.parametrize(("first", "last", "words"), [
    (21598, 17444, "Crime went down"),
    (400, 460, "Crime went up"),
    (100, 110, "Crime stayed about the same"),  # 110 against 100 is within chance
])
def test_a_small_change_is_not_dressed_as_a_trend(first: int, last: int, words: str) -> None:
    trend = Trend("all_crime", "x", (Period.parse("2003-Q1"), Period.parse("2005-Q1")), (first, last), None)
    with use_language("en"):
        said, beyond = trend_words(trend)
    assert said.startswith(words)
    # Oracle: the split of the two totals, tested with scipy's exact binomial test.
    assert beyond == (binomtest(last, first + last, 0.5).pvalue < 0.05)
    assert beyond == bool(count_change_significant(last, first)[0])
    if not beyond:
        assert "can happen by chance" in said


# --- Word: as many pages as the PDF --------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("stem", STANDARD)
def test_word_file_has_as_many_pages_as_the_pdf(leaflets: dict, stem: str, tmp_path: Path) -> None:
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(leaflets[stem][".docx"])],
                          capture_output=True, text=True, timeout=180, check=False)
    converted = tmp_path / f"{stem}.pdf"
    assert done.returncode == 0 and converted.exists(), done.stderr
    with pdfplumber.open(leaflets[stem][".pdf"]) as pdf, pdfplumber.open(converted) as word:
        assert len(pdf.pages) == 2
        assert len(word.pages) == len(pdf.pages)
        # The back starts on page 2 in Word too, and the QR code's label is on it.
        back = " ".join((word.pages[1].extract_text() or "").split())
    assert re.search(r"\d{5}\s828111", back)  # the partnership's number, on the back
