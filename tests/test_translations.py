"""Translated leaflets: the catalogs are complete drafts, and `run leaflet --lang pl|ur`
renders PDF and Word with no English fixed text left, numbers and months in the language,
Urdu laid out right to left in a Noto Arabic-script font, and the draft notice shown."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from demo_reports import DEMO, demo_store
from lxml import etree
from test_render_docx_schema import ORDER, W

from reportgen import translations
from reportgen.cli import cli
from reportgen.i18n import DRAFT_NOTICE, language, load_catalog

SHIPPED = ("pl", "ur")
PERIOD = "2005-Q1"
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")


def normalise(text: str) -> str:
    """Text as read: no-break spaces are spaces, bidi marks dropped, whitespace collapsed."""
    text = text.replace("\u00a0", " ").replace("\u200e", "").replace("\u200f", "")
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    # reading order (not -layout), so a two-column section is read column by column
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def docx_text(path: Path, *, keep_nbsp: bool = False) -> str:
    word = docx.Document(str(path))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in word.sections:
        for part in (section.header, section.footer, section.first_page_footer):
            parts += [p.text for p in part.paragraphs]
    text = "\n".join(parts)
    return text if keep_nbsp else normalise(text)


@pytest.fixture(scope="module")
def leaflets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo leaflet for Q1 2005 in English, Polish (with its alternative formats) and Urdu."""
    root = tmp_path_factory.mktemp("translated")
    store = demo_store(root)
    runner = CliRunner()
    out: dict[str, Path] = {}
    for lang, extra in (("en", []), ("pl", ["--lang", "pl", "--alt-formats"]), ("ur", ["--lang", "ur"])):
        dest = root / f"out-{lang}"
        result = runner.invoke(cli, ["run", "leaflet", "--period", PERIOD, "--config", str(DEMO), "--store", store,
                                     "--out", str(dest), *extra])
        assert result.exit_code == 0, result.output
        out[lang] = dest / "leaflet" / PERIOD
    return out


def _stem(lang: str) -> str:
    return "leaflet" if lang == "en" else f"leaflet-{lang}"


# --- the catalogs ------------------------------------------------------------------------------
@pytest.mark.parametrize("code", SHIPPED)
def test_catalog_is_complete_and_marked_as_a_draft(code: str) -> None:
    assert translations.untranslated(code) == []
    catalog = load_catalog(translations.po_path(code), code)
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []
    assert "DRAFT" in catalog.header_comment and "qualified translator" in catalog.header_comment
    assert language(code).draft
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            got = set(PLACEHOLDER.findall(text))
            # a translation may use a richer form the code also supplies ({month_of})
            assert got - {"{month_of}"} <= wanted, (message.id, text)
            if message.id != "in the 12 months to {month}":
                assert wanted <= got, (message.id, text)


def test_extract_finds_exactly_the_messages_the_catalogs_translate(tmp_path: Path) -> None:
    pot = tmp_path / "reportgen.pot"
    catalog = translations.extract(pot)
    with pot.open("rb") as fh:
        extracted = {m.id for m in read_po(fh) if m.id}
    assert extracted == {m.id for m in catalog if m.id}
    assert "Page {page} of {pages}" in extracted and "Please note:" in extracted  # renderer + template
    for code in SHIPPED:
        shipped = {m.id for m in load_catalog(translations.po_path(code), code) if m.id}
        assert extracted <= shipped, sorted(map(str, extracted - shipped))[:5]


def test_translations_cli_reports_nothing_untranslated() -> None:
    result = CliRunner().invoke(cli, ["translations", "update"])
    assert result.exit_code == 0, result.output
    for code in SHIPPED:
        assert re.search(rf"^{code}: .*\(0 untranslated\)$", result.output, re.M), result.output


def test_unknown_language_is_one_line_naming_the_available_ones(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "leaflet", "--period", PERIOD, "--config", str(DEMO),
                                      "--store", f"sqlite:///{tmp_path / 'none.sqlite'}", "--lang", "xx"])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "'xx'" in lines[0]
    assert all(code in lines[0] for code in ("en", *SHIPPED))


# --- the translated leaflets ---------------------------------------------------------------------
def english_messages_used(english_text: str) -> list[str]:
    """The catalog's messages whose fixed words appear in the English leaflet."""
    catalog = load_catalog(translations.po_path("pl"), "pl")
    used = []
    for message in catalog:
        if not message.id or message.id == DRAFT_NOTICE:  # printed in English on purpose
            continue
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            pieces = [p.strip(" .,:;()") for p in PLACEHOLDER.split(msgid)]
            pieces = [p for p in pieces if len(p) >= 4]
            if pieces and all(re.search(rf"(?<!\w){re.escape(normalise(p))}(?!\w)", english_text) for p in pieces):
                used.append(msgid)
    return used


@pytest.mark.parametrize("code", SHIPPED)
def test_translated_leaflet_has_no_english_fixed_text(leaflets: dict[str, Path], code: str) -> None:
    english = normalise(pdf_text(leaflets["en"] / "leaflet.pdf")) + "\n" + docx_text(leaflets["en"] / "leaflet.docx")
    used = english_messages_used(english)
    assert len(used) > 50, used  # the check is only as good as the messages it covers
    for suffix, read in ((".pdf", lambda p: normalise(pdf_text(p))), (".docx", docx_text)):
        text = read(leaflets[code] / f"{_stem(code)}{suffix}")
        left = [m for m in used if all(
            re.search(rf"(?<!\w){re.escape(normalise(p.strip(' .,:;()')))}(?!\w)", text)
            for p in PLACEHOLDER.split(m) if len(p.strip(" .,:;()")) >= 4)]
        assert left == [], (suffix, left)


def test_polish_numbers_months_and_plurals(leaflets: dict[str, Path]) -> None:
    english = docx_text(leaflets["en"] / "leaflet.docx")
    polish = docx_text(leaflets["pl"] / "leaflet-pl.docx", keep_nbsp=True)
    catalog = load_catalog(translations.po_path("pl"), "pl")
    fixed = " ".join(" ".join(m.id) if isinstance(m.id, tuple) else m.id for m in catalog if m.id)
    # figures from the data, not numbers in the fixed text ("for every 1,000 people")
    thousands = sorted(set(re.findall(r"\b\d{1,3},\d{3}\b", english)) - set(re.findall(r"\d,\d{3}", fixed)))
    assert thousands, "the English leaflet has no figures over 999"
    for figure in thousands:
        # Babel's Polish grouping: a no-break space ("4 095"), never a comma
        assert figure.replace(",", "\u00a0") in polish, figure
        assert figure not in polish
    rates = re.findall(r"\b\d+\.\d\b", english)
    assert rates and all(r.replace(".", ",") in polish for r in rates)
    assert "styczeń–marzec 2005" in polish and "marca 2005" in polish  # standalone and in-sentence months
    assert "przestępstw" in polish
    pl = language("pl")
    assert pl.gettext(DRAFT_NOTICE) in polish and DRAFT_NOTICE in polish


def test_polish_alternative_formats_are_text_and_easy_read_only(leaflets: dict[str, Path]) -> None:
    manifest = json.loads((leaflets["pl"] / "manifest.json").read_text())
    names = {f["name"]: f["format"] for f in manifest["files"]}
    assert names["leaflet-pl.txt"] == "txt" and names["leaflet-pl-easy-read.html"] == "easy-read"
    assert not any(n.endswith((".brf", ".mp3")) for n in names)
    assert any("English only" in note for note in manifest["alt_formats"])
    text = (leaflets["pl"] / "leaflet-pl.txt").read_text(encoding="utf-8")
    assert "Najważniejsze informacje" in text


def test_urdu_pdf_is_right_to_left_in_a_noto_arabic_font(leaflets: dict[str, Path]) -> None:
    pdf = leaflets["ur"] / "leaflet-ur.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Noto-(Nastaliq-Urdu|Naskh-Arabic)", fonts), fonts
    with pdfplumber.open(pdf) as opened:
        assert opened.doc.catalog.get("Lang") == b"ur"
    pages = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+2$", pages, re.M), "the two-sided leaflet must stay on two sides"
    width = float(re.search(r"Page size:\s+([\d.]+)", pages).group(1))  # type: ignore[union-attr]
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    lines: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    page = 0
    for row in bbox.splitlines():
        if row.strip().startswith("<page"):
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', row)
        if m:
            lines.setdefault((page, round(float(m.group(2)))), []).append(
                (float(m.group(1)), float(m.group(3)), unicodedata.normalize("NFKC", m.group(4))))
    # Short lines wholly in Urdu (headings, table cells' first column) sit against the right margin.
    short = [words for words in lines.values()
             if all(ARABIC_SCRIPT.search(w) for _, _, w in words)
             and max(x for _, x, _ in words) - min(x for x, _, _ in words) < width * 0.25]
    assert len(short) >= 5
    right = [words for words in short if min(x for x, _, _ in words) > width / 2]
    assert len(right) / len(short) > 0.6, (len(right), len(short))


def test_urdu_word_document_is_bidi_with_a_complex_script_font(leaflets: dict[str, Path]) -> None:
    path = leaflets["ur"] / "leaflet-ur.docx"
    with zipfile.ZipFile(path) as package:
        body = package.read("word/document.xml").decode()
        styles = package.read("word/styles.xml").decode()
        parts = {n: package.read(n) for n in package.namelist() if re.match(r"word/(document|styles|header\d*|footer\d*)\.xml$", n)}
    # Word refuses property elements out of schema order: bidi, rtl, bCs and szCs included
    for name, xml in parts.items():
        root = etree.fromstring(xml)
        for tag, sequence in ORDER.items():
            rank = {child: i for i, child in enumerate(sequence.split())}
            for element in root.iter(W + tag):
                positions = [rank[c.tag[len(W):]] for c in element if c.tag.startswith(W) and c.tag[len(W):] in rank]
                assert positions == sorted(positions), (name, tag, [c.tag[len(W):] for c in element])
    assert body.count("<w:bidi/>") >= 20 and "<w:rtl/>" in body and "<w:bidiVisual/>" in body
    assert 'w:cs="Noto Nastaliq Urdu"' in styles and 'w:bidi="ur"' in styles
    text = docx_text(path, keep_nbsp=True)
    assert ARABIC_SCRIPT.search(text)
    # a phone number keeps its reading order: a left-to-right mark holds its digit groups together
    assert "01942\u200e\u00a0828111" in text
    ur = language("ur")
    assert normalise(ur.gettext(DRAFT_NOTICE)) in normalise(text) and DRAFT_NOTICE in normalise(text)
