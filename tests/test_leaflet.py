"""The quarterly public leaflet, end to end: a real config and SQLite store (tests/publickit.py),
the real evaluation and pipeline, and the PDF and Word files read back."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import docx
import pandas as pd
import pdfplumber
import pytest
from click.testing import CliRunner
from docx_reading import all_paragraphs, effective_italic, effective_size_pt
from pdf_reading import squash, table_rows, tagged_elements
from publickit import HOODS, TYPES, make, observations
from scipy.stats import binomtest

from reportgen.cli import cli
from reportgen.periods import Kind, Period
from reportgen.pipeline import generate
from reportgen.reports.headlines import public_amount

QUARTER = Period.parse("2005-Q1")


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("leaflet")
    _config, store, config_dir = make(root)
    store.dispose()
    url = f"sqlite:///{root / 'store.sqlite'}"
    out = root / "out"

    def run(variant: dict) -> list[Path]:
        return generate("leaflet", QUARTER, config_dir=config_dir, store_url=url, out_dir=out,
                        variant=variant).files

    files = {
        "standard": run({}),
        "large": run({"large_print": True}),
        "tiny": run({"area": "Tiny Estate"}),
        "poster": run({"poster": True}),
        "each": run({"each_area": True}),
    }
    return {"root": root, "url": url, "config_dir": config_dir, "out": out, "files": files}


def pdf(kit: dict, key: str, stem: str | None = None) -> Path:
    paths = [p for p in kit["files"][key] if p.suffix == ".pdf" and (stem is None or p.stem == stem)]
    assert paths, f"no PDF for {key} {stem}"
    return paths[0]


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as doc:
        return " ".join(page.extract_text() or "" for page in doc.pages)


def quarter_total(obs: pd.DataFrame, area: str, quarter: Period, types: list[str] | None = None) -> int:
    keys = {Period(i, i, Kind.MONTH).key for i in quarter.months}
    rows = obs[(obs["area"] == area) & obs["period"].isin(keys)]
    if types is not None:
        rows = rows[rows["indicator"].isin(types)]
    return int(rows["value"].sum())


def test_standard_leaflet_fits_two_a4_sides_in_clear_print(kit: dict) -> None:
    path = pdf(kit, "standard")
    with pdfplumber.open(path) as doc:
        assert len(doc.pages) == 2
        for page in doc.pages:
            assert round(page.width) == 595 and round(page.height) == 842  # A4 in points
            sizes = {round(c["size"], 1) for c in page.chars}
            assert min(sizes) >= 12, sizes
            # Sans serif and upright throughout.
            assert all("Sans" in c["fontname"] for c in page.chars)


def test_headlines_are_computed_from_the_data(kit: dict) -> None:
    obs = observations()
    types = [t[0] for t in TYPES]
    year = Period(QUARTER.end - 11, QUARTER.end, QUARTER.kind)
    now = sum(quarter_total(obs, "borough", q, types) for q in (QUARTER.shift(-3 * k) for k in range(4)))
    before = sum(quarter_total(obs, "borough", q.shift(-12), types)
                 for q in (QUARTER.shift(-3 * k) for k in range(4)))
    assert year.n_months == 12
    pct = round(abs(now - before) / before * 100)
    word = "down" if now < before else "up"
    more = "fewer" if now < before else "more"
    expected = f"Crime is {word} {pct}% on the year before: {public_amount(now - before)} {more} offences."
    text = squash(pdf_text(pdf(kit, "standard")))
    assert squash(expected) in text
    # Card details sit side by side, so read them from the tagged structure (reading order).
    paragraphs = [squash(t.text) for t in tagged_elements(pdf(kit, "standard")) if t.type == "P"]
    assert squash(f"{now:,} offences in the 12 months to March 2005, against {before:,} a year earlier.") \
        in paragraphs
    # The offer of other formats, with the number to ring.
    assert squash("Call 01234 500500 to get this leaflet in large print, Braille, audio or another language.") in text


def test_crime_table_compares_the_quarter_with_last_year(kit: dict) -> None:
    obs = observations()
    tables = table_rows(pdf(kit, "standard"))
    crime = next(t for t in tables if t[0][0] == "Type of crime")
    assert crime[0] == ("Type of crime", "2004", "2005", "Change")
    by_title = {row[0]: row for row in crime[1:]}
    for tid, _title, public, *_ in TYPES:
        now = quarter_total(obs, "borough", QUARTER, [tid])
        then = quarter_total(obs, "borough", QUARTER.shift(-12), [tid])
        row = by_title[public]
        assert row[1] == f"{then:,}" and row[2] == f"{now:,}"
        if round(abs(now - then) / then * 100) >= 1:
            # a verdict only for a change beyond chance (exact Poisson test, at least 20 offences)
            beyond_chance = binomtest(now, now + then, 0.5).pvalue < 0.05 and max(now, then) >= 20
            assert ("(worse)" in row[3]) == (now > then and beyond_chance), row
            assert ("(better)" in row[3]) == (now < then and beyond_chance), row
    # The tagged PDF carries a caption and header cells: what a screen reader announces.
    types = [t.type for t in tagged_elements(pdf(kit, "standard"))]
    assert "Table" in types and "TH" in types and "Caption" in types


def test_word_leaflet_has_the_same_headings_and_tables(kit: dict) -> None:
    path = next(p for p in kit["files"]["standard"] if p.suffix == ".docx")
    word = docx.Document(str(path))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "The headlines" in headings and "Crime in detail" in headings and "Contact us" in headings
    pdf_tables = table_rows(pdf(kit, "standard"))
    crime_pdf = next(t for t in pdf_tables if t[0][0] == "Type of crime")
    crime_word = next(t for t in word.tables if t.rows[0].cells[0].text == "Type of crime")
    word_rows = [tuple(c.text for c in r.cells) for r in crime_word.rows]
    assert [r[:3] for r in word_rows] == [r[:3] for r in crime_pdf]
    assert all(min(effective_size_pt(word, p)) >= 12 for p in all_paragraphs(word) if p.text.strip())


def test_large_print_is_18pt_everywhere_with_no_italics_or_capitals(kit: dict) -> None:
    path = pdf(kit, "large")
    with pdfplumber.open(path) as doc:
        assert len(doc.pages) > 2  # reflowed, not scaled down to fit
        for page in doc.pages:
            for char in page.chars:
                assert char["size"] >= 17.99, (page.page_number, char["text"], char["size"])
                assert not re.search("italic|oblique", char["fontname"], re.I), char["fontname"]
        text = " ".join(p.extract_text() or "" for p in doc.pages)
    assert re.search(r"Page \d+ of \d+", text)  # page numbers are there, and 16pt+ (above)
    shouting = re.findall(r"\b[A-Z]{4,}\b", text)
    assert not shouting, shouting
    word = docx.Document(str(next(p for p in kit["files"]["large"] if p.suffix == ".docx")))
    for paragraph in all_paragraphs(word):
        if paragraph.text.strip():
            assert min(effective_size_pt(word, paragraph)) >= 16, paragraph.text
            assert not any(effective_italic(paragraph)), paragraph.text


def test_poster_is_exactly_one_page(kit: dict) -> None:
    with pdfplumber.open(pdf(kit, "poster")) as doc:
        assert len(doc.pages) == 1
        text = doc.pages[0].extract_text()
    assert "Report a crime" in text and "01234 500500" in text


def test_area_leaflet_has_its_own_figures_and_hides_small_counts(kit: dict) -> None:
    obs = observations()
    path = pdf(kit, "tiny")
    text = squash(pdf_text(path))
    assert squash("Community safety in Tiny Estate") in text
    crime = next(t for t in table_rows(path) if t[0][0] == "Type of crime")
    cells = {row[0]: row for row in crime[1:]}
    small_seen = 0
    for tid, _title, public, threshold, *_ in TYPES:
        for column, quarter in ((2, QUARTER), (1, QUARTER.shift(-12))):
            value = quarter_total(obs, "tiny", quarter, [tid])
            shown = cells[public][column]
            if value < threshold:
                assert shown == f"fewer than {threshold}", (public, value, shown)
                small_seen += 1
            else:
                assert shown in (f"{value:,}", "not shown"), (public, value, shown)
    assert small_seen, "the test partnership should have small counts in Tiny Estate"


def _number(text: str) -> int | None:
    return int(text.replace(",", "")) if re.fullmatch(r"[\d,]+", text) else None


def test_no_small_count_can_be_recovered_from_all_the_leaflets_together(kit: dict) -> None:
    """Read every area leaflet and the borough leaflet back, as an attacker would, and try
    to recover each hidden count as a total minus the published parts."""
    obs = observations()
    published: dict[str, dict[str, tuple]] = {}
    for path in [p for p in kit["files"]["each"] if p.suffix == ".pdf"] + [pdf(kit, "standard")]:
        crime = next(t for t in table_rows(path) if t[0][0] == "Type of crime")
        area = path.stem.removeprefix("leaflet").lstrip("-") or "borough"
        published[area] = {row[0]: row for row in crime[1:]}
    hoods = [h[0] for h in HOODS]
    assert set(published) == {*hoods, "borough"}
    titles = [t[2] for t in TYPES] + ["Total"]
    for column in (1, 2):
        # Across areas, for each type: borough total minus the published areas.
        for title in titles:
            parts = [_number(published[h][title][column]) for h in hoods]
            total = _number(published["borough"][title][column])
            hidden = [h for h, v in zip(hoods, parts, strict=True) if v is None]
            if total is not None and hidden:
                assert len(hidden) >= 2, (title, column, hidden)
                rest = total - sum(v for v in parts if v is not None)
                assert rest >= 5, (title, column, hidden, rest)
        # Within an area: its total minus its published types.
        for area in [*hoods, "borough"]:
            parts = [_number(published[area][t][column]) for t in titles[:-1]]
            total = _number(published[area]["Total"][column])
            if total is not None and any(v is None for v in parts):
                assert sum(v is None for v in parts) >= 2, (area, column)
                assert total - sum(v for v in parts if v is not None) >= 5, (area, column)
    # And every small count in the data really is hidden somewhere it is published.
    quarter_keys = {Period(i, i, Kind.MONTH).key for i in QUARTER.months}
    assert len(quarter_keys) == 3
    for hood in hoods:
        for tid, _t, public, threshold, *_ in TYPES:
            rows = obs[(obs["area"] == hood) & (obs["indicator"] == tid) & obs["period"].isin(quarter_keys)]
            if rows["value"].sum() < threshold:
                assert _number(published[hood][public][2]) is None


def test_each_area_from_the_command_line_with_progress_and_summary(kit: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["run", "leaflet", "--period", "2005-Q1", "--each-area", "--format", "pdf",
                                 "--config", str(kit["config_dir"]), "--store", kit["url"],
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(Path(line).name for line in result.stdout.splitlines() if line.endswith(".pdf"))
    assert written == sorted(f"leaflet-{h[0]}.pdf" for h in HOODS)
    err = result.stderr
    assert "Rendered" in err and f"{len(HOODS)}/{len(HOODS)}" in err  # the progress bar got to the end
    for _id, name, *_ in HOODS:
        assert name in err  # one summary row per area
    assert "figures protected" in err


def test_unknown_area_is_one_clear_error(kit: dict, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "leaflet", "--period", "2005-Q1", "--area", "Atlantis",
                                      "--config", str(kit["config_dir"]), "--store", kit["url"],
                                      "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "No neighbourhood called 'Atlantis'" in result.stderr and "Tiny Estate" in result.stderr


def test_document_date_comes_from_the_data(kit: dict) -> None:
    text = pdf_text(pdf(kit, "poster"))
    assert f"Published {dt.date(2005, 7, 12).day} July 2005" in text


def test_advice_never_claims_a_fall_the_figures_do_not_show(tmp_path: Path) -> None:
    from publickit import write_config

    from reportgen.config import load_config
    from reportgen.reports.leaflet import _advice_section

    config = load_config(write_config(tmp_path / "config"))
    claim = "Crime is falling, so try not to worry."
    partnership = config.partnership.model_copy(update={"public_advice": (claim, "Lock your doors.")})
    config = config.model_copy(update={"partnership": partnership})
    kept = _advice_section(config, falling=True).blocks[0].items
    dropped = _advice_section(config, falling=False).blocks[0].items
    assert claim in kept and claim not in dropped and "Lock your doors." in dropped


@pytest.mark.parametrize("variant", [{}, {"each_area": True}], ids=["one leaflet", "each area"])
def test_leaflet_too_long_for_two_sides_prints_a_shorter_version_in_both_formats(
    tmp_path: Path, variant: dict
) -> None:
    from publickit import make

    _config, store, config_dir = make(tmp_path)
    store.dispose()
    # Three pieces of advice of ~120 words each cannot fit beside the figures; one can.
    long_advice = [f"Advice {n}: " + " ".join(["keep your home and car locked and lit"] * 15) + "."
                   for n in (1, 2, 3)]
    toml = config_dir / "partnership.toml"
    text = toml.read_text()
    start, end = text.index("public_advice = ["), text.index("]", text.index("public_advice = [")) + 1
    toml.write_text(text[:start] + "public_advice = " + repr(long_advice).replace("'", '"') + text[end:])
    result = generate("leaflet", QUARTER, config_dir=config_dir, store_url=f"sqlite:///{tmp_path / 'store.sqlite'}",
                      out_dir=tmp_path / "out", variant=variant)
    pdfs = [p for p in result.files if p.suffix == ".pdf"]
    assert pdfs
    kept: list[int] = []
    for path in pdfs:
        with pdfplumber.open(path) as doc:
            assert len(doc.pages) == 2, path.name
        # Two columns interleave in extracted text, so the advice is counted by its markers.
        printed = re.findall(r"Advice \d", pdf_text(path))
        # (the Word file sets its two help lists side by side in a layout table's cells)
        word = re.findall(r"Advice \d", " ".join(p.text for p in all_paragraphs(docx.Document(path.with_suffix(".docx")))))
        # The Word file keeps exactly the advice the PDF kept.
        assert printed and word == printed, path.name
        kept.append(len(printed))
    # Advice was dropped to fit (a leaflet with fewer figures to show may keep it all).
    assert min(kept) < len(long_advice), kept
    # The documents handed on (to the alternative formats) are the versions printed.
    handed_on = {stem: len(re.findall(r"Advice \d", repr(doc.sections))) for stem, doc in result.documents}
    assert handed_on == {path.stem: n for path, n in zip(pdfs, kept, strict=True)}
