"""`run all --period 2005-03` on the demo partnership, rendered once and read back.

Reads the real PDF (pdfplumber's structure tree, pypdf) and Word files (python-docx) and
checks what a board member and a screen reader get: the published "then and now" table,
exceptions before the scorecard, headings/tables/figures alike in both formats, tags,
styles, page furniture, and that a second run gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pandas as pd
import pdfplumber
import pypdf
import pytest
from click.testing import CliRunner
from demo_reports import DEMO, PUBLISHED_THEN_AND_NOW, demo_store, plain
from docx.oxml.ns import qn
from pdf_reading import squash, table_rows, tagged_elements

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.document import Document, outline
from reportgen.periods import Period
from reportgen.pipeline import RunResult, Session, generate, read_manifest
from reportgen.store import Store

pytestmark = pytest.mark.slow
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
REPORTS = ("board-pack", "annual-review")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """`reportgen run all --period 2005-03` through the CLI, plus the documents it built."""
    folder = tmp_path_factory.mktemp("demo-run")
    url = demo_store(folder)
    out = folder / "outputs"
    result = CliRunner().invoke(
        cli, ["run", "all", "--period", "2005-03", "--config", str(DEMO), "--store", url, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    # The documents themselves (the model both renderers read), built by the same pipeline.
    documents = {}
    session = Session(DEMO, url)
    for report, period in (("board-pack", "2005-03"), ("annual-review", "2004/05")):
        run = generate(report, period, out_dir=folder / "again", session=session)
        documents[report] = run
    session.close()
    return {"url": url, "out": out, "stdout": result.stdout, "runs": documents}


def _run(demo: dict[str, object], report: str) -> RunResult:
    return demo["runs"][report]  # type: ignore[index]


def _doc(demo: dict[str, object], report: str) -> Document:
    return _run(demo, report).documents[0][1]


def _file(demo: dict[str, object], report: str, suffix: str) -> Path:
    folder = {"board-pack": "2005-03", "annual-review": "2004_05"}[report]
    (path,) = (Path(demo["out"]) / report / folder).glob(f"*{suffix}")  # type: ignore[arg-type]
    return path


# --- files and manifest -------------------------------------------------------------------------
@pytest.mark.parametrize("report", REPORTS)
def test_run_all_writes_pdf_and_word_with_a_manifest(demo: dict[str, object], report: str) -> None:
    pdf, word = _file(demo, report, ".pdf"), _file(demo, report, ".docx")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert word.read_bytes().startswith(b"PK")
    assert str(pdf) in demo["stdout"] and str(word) in demo["stdout"]  # type: ignore[operator]
    manifest = read_manifest(pdf.parent / "manifest.json")
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == {pdf.name, word.name}
    for path in (pdf, word):
        assert listed[path.name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not [p for p in pdf.parent.parent.iterdir() if p.name.startswith(".")], (
        "temporary folder left behind"
    )


def test_manifest_records_inputs_data_time_config_and_versions(demo: dict[str, object]) -> None:
    manifest = read_manifest(_file(demo, "board-pack", ".pdf").parent / "manifest.json")
    config = load_config(DEMO)
    assert manifest["config"]["checksum"] == config.checksum != ""
    sources = {(s["partner"], s["source"]) for s in manifest["inputs"]}
    assert {(p.id, f"{p.id}/{s.id}") for p in config.partners for s in p.sources} == sources
    assert all(s["checksum"] for s in manifest["inputs"])
    store = Store(str(demo["url"]), partnership="wigan-leigh")
    frame = store.frame()
    store.dispose()
    # the data's time is when partners sent it (the returns' received dates), not the load time
    newest = frame.loc[frame["period_end"] <= Period.parse("2005-03").end, "received_at"].max()
    assert pd.Timestamp(manifest["data_as_at"]) == pd.Timestamp(newest)
    assert manifest["document_date"] == pd.Timestamp(newest).date().isoformat()
    assert {"reportgen", "weasyprint", "python-docx", "matplotlib"} <= set(manifest["versions"])
    assert {"evaluate", "build", "charts", "render", "total"} <= set(manifest["timings"])
    assert manifest["charts"] >= 5


def test_run_all_reports_what_it_skips_or_renders(demo: dict[str, object]) -> None:
    rendered = {p.name for p in Path(demo["out"]).iterdir()}  # type: ignore[arg-type]
    assert {"board-pack", "annual-review"} <= rendered


def test_same_data_and_period_give_the_same_files(demo: dict[str, object]) -> None:
    """The second generate() (a new session, same store) wrote byte-identical documents."""
    for report in REPORTS:
        first = {
            f.suffix: f.read_bytes() for f in (_file(demo, report, ".pdf"), _file(demo, report, ".docx"))
        }
        again = {p.suffix: p.read_bytes() for p in _run(demo, report).files}
        assert again == first, report


# --- the annual review's published table -----------------------------------------------------------
def _then_and_now(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [tuple(plain(c) for c in row[:4]) for row in rows]


def test_annual_review_pdf_table_reads_as_published(demo: dict[str, object]) -> None:
    tables = table_rows(_file(demo, "annual-review", ".pdf"))
    (table,) = [t for t in tables if t and t[0][0] == "Priority"]
    assert [squash(c) for c in table[0][1:4]] == ["2001/02", "2004/05", "Upordown?"]
    assert [tuple(squash(c) for c in row) for row in _then_and_now(table[1:])] == [
        tuple(squash(c) for c in row) for row in PUBLISHED_THEN_AND_NOW
    ]
    # Line by line in the page text too, spaces and all ("Down 25%" never breaks).
    text = plain(
        "\n".join(p.extract_text() for p in pypdf.PdfReader(_file(demo, "annual-review", ".pdf")).pages)
    )
    for name, then, now, change in PUBLISHED_THEN_AND_NOW:
        if len(name) < 30:  # long names wrap inside their cell
            assert f"{name} {then} {now} {change}" in text


def test_annual_review_word_table_reads_as_published(demo: dict[str, object]) -> None:
    word = docx.Document(str(_file(demo, "annual-review", ".docx")))
    (table,) = [t for t in word.tables if t.rows[0].cells[0].text == "Priority"]
    rows = [tuple(c.text for c in row.cells) for row in table.rows]
    assert _then_and_now(rows[1:]) == PUBLISHED_THEN_AND_NOW
    assert table.style.name == "Table Grid"


def test_then_and_now_marks_each_priority_by_symbol_and_word(demo: dict[str, object]) -> None:
    word = docx.Document(str(_file(demo, "annual-review", ".docx")))
    (table,) = [t for t in word.tables if t.rows[0].cells[0].text == "Priority"]
    met = {row.cells[0].text: plain(row.cells[4].text) for row in list(table.rows)[1:]}
    # Anti-social behaviour fell 2% against a 5% target: the one priority not met.
    assert met["Anti-Social Behaviour"] == "\u25a0 No, target not met"
    assert met["House Burglary"] == "\u25cf Yes, target met"
    assert sum(v.endswith("target met") and v.startswith("\u25cf") for v in met.values()) == 7


# --- the board pack ---------------------------------------------------------------------------------
def test_board_pack_puts_exceptions_first(demo: dict[str, object]) -> None:
    # The title is H1; the document's top-level sections are H2.
    headings = [t.text for t in tagged_elements(_file(demo, "board-pack", ".pdf")) if t.type == "H2"]
    start = headings.index("Summary")
    assert headings[start + 1] == "Exceptions"
    assert headings[start + 2] == "Scorecard"
    assert headings[start + 3].startswith("Target 1")
    assert headings[-2:] == ["Data-quality annex", "Definitions"]


def test_board_pack_scorecard_figure_comes_from_the_data(demo: dict[str, object]) -> None:
    """Recorded crime in the scorecard is the sum of its configured crime types over the
    12 months to March 2005, straight from the store."""
    config = load_config(DEMO)
    types = next(d.of for d in config.derived if d.id == "recorded_crime")
    store = Store(str(demo["url"]), partnership="wigan-leigh")
    frame = store.frame(indicators=list(types))
    store.dispose()
    months = Period.parse("2005-03").rolling_12()
    window = frame[(frame["area"] == "borough") & frame["period_start"].between(months.start, months.end)]
    expected = f"{window['value'].sum():,.0f}"
    tables = table_rows(_file(demo, "board-pack", ".pdf"))
    (card,) = [t for t in tables if t[0][0] == "Big target"]
    crime = next(row for row in card if row[0].startswith("1."))
    assert plain(crime[2]) == expected


def test_board_pack_exceptions_name_the_off_track_measures(demo: dict[str, object]) -> None:
    run = _run(demo, "board-pack")
    tables = table_rows(_file(demo, "board-pack", ".pdf"))
    (exceptions,) = [t for t in tables if t[0][:3] == ("Measure", "Big target", "Issue")]
    # the run's lines (the email) word a measure by its public title, as the statements do; the
    # board's table by its full title: compare the measures they name
    config = load_config(DEMO)
    names = {}
    for ind in config.indicators.values():
        for title in (ind.title, getattr(ind, "public_title", "")):
            if title:
                names[squash(title)] = ind.id
    listed = {names.get(squash(row[0]), squash(row[0])) for row in exceptions[1:]}
    from_run = {names.get(squash(line.split(":")[0]), line) for line in run.exceptions if "off track" in line}
    assert from_run and from_run <= listed


def test_data_quality_annex_lists_every_partner(demo: dict[str, object]) -> None:
    tables = table_rows(_file(demo, "board-pack", ".pdf"))
    (annex,) = [t for t in tables if t[0][:2] == ("Partner", "Owed")]
    config = load_config(DEMO)
    partners = {p.name for p in config.partners}
    assert {squash(row[0]) for row in annex[1:]} == {squash(name) for name in partners}
    owed = sum(int(row[1]) for row in annex[1:])
    assert owed == sum(len(p.indicators) for p in config.partners)
    # Each row's counts add up to what was owed.
    assert all(sum(int(c) for c in row[2:6]) == int(row[1]) for row in annex[1:])


def test_board_pack_is_dated_when_the_data_was_received_not_loaded(demo: dict[str, object]) -> None:
    """The March 2005 pack is dated by its newest return (April 2005), in its cover text and
    its PDF metadata, though the demo data were all loaded today."""
    store = Store(str(demo["url"]), partnership="wigan-leigh")
    frame = store.frame()
    store.dispose()
    used = frame[frame["period_end"] <= Period.parse("2005-03").end]
    received = pd.Timestamp(used["received_at"].max())
    assert (received.year, received.month) == (2005, 4)
    assert pd.Timestamp(used["loaded_at"].min()).year > 2005  # loaded long after
    path = _file(demo, "board-pack", ".pdf")
    reader = pypdf.PdfReader(path)
    assert str(reader.metadata["/CreationDate"]).startswith(f"D:{received:%Y%m%d}")
    cover = reader.pages[0].extract_text()
    assert f"Published {received.day} {received:%B %Y}" in cover
    assert str(pd.Timestamp.now().year) not in cover


def test_data_quality_annex_shows_the_designed_late_returns_only(demo: dict[str, object]) -> None:
    from reportgen.demo import LATE_RETURNS

    config = load_config(DEMO)
    files = {Path(str(s.options["path"])).name: p for p in config.partners for s in p.sources}
    late_partners = {squash(files[name].name) for name, _ in LATE_RETURNS}
    tables = table_rows(_file(demo, "board-pack", ".pdf"))
    (annex,) = [t for t in tables if t[0][:2] == ("Partner", "Owed")]
    late = {squash(row[0]) for row in annex[1:] if int(row[3]) > 0}
    assert late == late_partners
    on_time = sum(int(row[2]) for row in annex[1:])
    owed = sum(int(row[1]) for row in annex[1:])
    assert on_time >= 0.9 * owed  # mostly on time: the demo's returns meet their deadlines
    assert all(int(row[5]) == 0 for row in annex[1:])  # nothing missing: every return arrived


def test_replaying_a_day_before_the_late_returns_shows_them_missing(demo: dict[str, object]) -> None:
    """A session "received by" 25 April 2005 sees only what partners had sent by then: the
    designed late returns (26 and 28 April) are missing and overdue, the rest on time."""
    import datetime as dt

    from reportgen.demo import LATE_RETURNS

    config = load_config(DEMO)
    files = {Path(str(s.options["path"])).name: p.id for p in config.partners for s in p.sources}
    session = Session(DEMO, str(demo["url"]), received_by=dt.datetime(2005, 4, 25, 23, 59, tzinfo=dt.UTC))
    try:
        status = session.returns_status(Period.parse("2005-03"))
        as_at = session.data_as_at(Period.parse("2005-03"))
    finally:
        session.close()
    assert status is not None and as_at is not None and as_at < dt.datetime(2005, 4, 26, tzinfo=dt.UTC)
    missing = status[status["status"] != "received"]
    assert set(missing["status"]) == {"missing"} and missing["overdue"].all()
    assert set(missing["partner"]) == {files[name] for name, _ in LATE_RETURNS}


def test_board_pack_pages_have_numbers_and_a_running_header(demo: dict[str, object]) -> None:
    reader = pypdf.PdfReader(_file(demo, "board-pack", ".pdf"))
    pages = len(reader.pages)
    assert pages > 5
    for number in (2, pages):
        text = reader.pages[number - 1].extract_text()
        assert f"Page {number} of {pages}" in text
        assert "Performance board pack" in text
    assert "Contents" in reader.pages[0].extract_text()


# --- both formats say the same, accessibly --------------------------------------------------------------
@pytest.mark.parametrize("report", REPORTS)
def test_pdf_and_word_carry_the_same_headings_tables_and_figures(
    demo: dict[str, object], report: str
) -> None:
    doc = _doc(demo, report)
    expected = outline(doc)
    pdf = _file(demo, report, ".pdf")
    tags = tagged_elements(pdf)
    levels = {"H1": 1, "H2": 2, "H3": 3, "H4": 4}
    pdf_headings = [squash(t.text) for t in tags if t.type in levels]
    assert pdf_headings == [squash(text) for _, text in expected.headings]
    word = docx.Document(str(_file(demo, report, ".docx")))
    word_headings = [
        p.text
        for p in word.paragraphs
        if p.style.name in ("Title", "TOC Heading") or p.style.name.startswith("Heading ")
    ]
    assert word_headings == [text for _, text in expected.headings]
    assert _body_rows(table_rows(pdf)) == _body_rows(expected.tables)
    assert [tuple(tuple(c.text for c in r.cells) for r in t.rows) for t in word.tables] == list(
        expected.tables
    )
    alts = [alt for _, alt in expected.figures]
    assert alts and [t.alt for t in tags if t.type == "Figure"] == alts
    assert [d.get("descr") for d in word.element.body.iter(qn("wp:docPr"))] == alts


@pytest.mark.parametrize("report", REPORTS)
def test_pdf_is_tagged_with_title_language_and_table_headers(demo: dict[str, object], report: str) -> None:
    doc = _doc(demo, report)
    reader = pypdf.PdfReader(_file(demo, report, ".pdf"))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == doc.title
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    tags = tagged_elements(_file(demo, report, ".pdf"))
    assert sum(t.type == "TH" for t in tags) >= sum(len(t.columns) for t in _tables(doc))
    headings = [int(t.type[1]) for t in tags if re.fullmatch(r"H[1-6]", t.type)]
    assert all(b - a <= 1 for a, b in zip(headings, headings[1:], strict=False)), "heading levels skip"


def _body_rows(tables: object) -> list[tuple[str, ...]]:
    """Every table row in reading order, header rows left out: the PDF reader joins tables
    that continue on the next page by their repeated header, which also joins two tables
    with the same columns that happen to start on different pages."""
    headers = {tuple(squash(c) for c in t[0]) for t in tables if t}
    rows = [tuple(squash(c) for c in r) for t in tables for r in t]
    return [r for r in rows if r not in headers]


def _tables(doc: Document) -> list:
    from reportgen.document import Table, iter_blocks

    return [b for b in iter_blocks(doc.sections) if isinstance(b, Table)]


@pytest.mark.parametrize("report", REPORTS)
def test_word_uses_real_styles(demo: dict[str, object], report: str) -> None:
    word = docx.Document(str(_file(demo, report, ".docx")))
    used = {p.style.name for p in word.paragraphs}
    assert {"Heading 1", "Heading 2", "Caption"} <= used
    assert {t.style.name for t in word.tables} == {"Table Grid"}
    assert word.core_properties.title == _doc(demo, report).title
    assert word.core_properties.language == "en-GB"


def test_chart_alt_text_states_the_message_in_numbers(demo: dict[str, object]) -> None:
    figures = dict(outline(_doc(demo, "annual-review")).figures)
    track = next(alt for title, alt in figures.items() if "10-year track" in title)
    assert track.startswith("All recorded crime per 1,000 residents, 1995/96 to 2004/05: Wigan borough ")
    assert "Greater Manchester" in track and re.search(
        r"(rose|fell) from [\d.,]+ to (a (peak|low) of )?[\d.,]+", track
    )
    bounds = next(alt for title, alt in figures.items() if "historical bounds" in title)
    assert re.search(r"each month, April 2003 to March 2005: [\d,]+ in March 2005", bounds)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_every_word_file(demo: dict[str, object], tmp_path: Path) -> None:
    sources = [_file(demo, report, ".docx") for report in REPORTS]
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, sources),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for source, report in zip(sources, REPORTS, strict=True):
        converted = tmp_path / f"{source.stem}.pdf"
        assert converted.exists(), result.stderr
        text = squash(" ".join(p.extract_text() for p in pypdf.PdfReader(converted).pages))
        assert squash(_doc(demo, report).title) in text


def test_manifest_json_is_valid_json_with_the_period(demo: dict[str, object]) -> None:
    path = _file(demo, "annual-review", ".pdf").parent / "manifest.json"
    data = json.loads(path.read_text())
    assert data["report"] == "annual-review" and data["period"] == "2004/05"
    assert data["headline"] and all(line.startswith("Target ") for line in data["headline"])


def test_staff_commentary_is_merged_in_its_place(demo: dict[str, object]) -> None:
    doc = _doc(demo, "annual-review")
    titles = [s.title for s in doc.sections]
    assert titles[0] == "Introduction"
    assert titles[-2:] == ["Looking ahead", "Definitions"]
    drugs = next(s for s in doc.sections if s.id == "drugs")
    first = drugs.blocks[0]
    folder = DEMO / "commentary" / "2004_05"
    assert first.text == " ".join((folder / "drugs.md").read_text().split())
    word = docx.Document(str(_file(demo, "annual-review", ".docx")))
    bullets = [p.text for p in word.paragraphs if "priority neighbourhoods, where crime" in p.text]
    assert bullets, "the Looking ahead bullets are in the Word file"


@pytest.mark.parametrize("report", REPORTS)
def test_nothing_runs_off_the_page(demo: dict[str, object], report: str) -> None:
    """Wide tables must wrap, not overflow: every character lies inside the right margin."""
    with pdfplumber.open(_file(demo, report, ".pdf")) as pdf:
        for page in pdf.pages:
            right = max((c["x1"] for c in page.chars), default=0)
            assert right <= page.width - 30, f"page {page.page_number} text reaches x={right:.0f}"


def test_run_replays_a_reporting_day_with_received_by(demo: dict[str, object], tmp_path: Path) -> None:
    """A pack re-made "as on 5 April 2005" uses only what partners had sent by the end of that day."""
    full = read_manifest(Path(demo["out"]) / "board-pack" / "2005-03" / "manifest.json")  # type: ignore[arg-type]
    args = ["run", "board-pack", "--period", "2005-03", "--config", str(DEMO), "--store", str(demo["url"]),
            "--out", str(tmp_path), "--format", "pdf", "--received-by", "2005-04-05"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    replay = read_manifest(tmp_path / "board-pack" / "2005-03" / "manifest.json")
    assert replay["received_by"].startswith("2005-04-05T23:59:59")
    # The newest data used was received by then; the full run had later returns.
    assert replay["data_as_at"] <= replay["received_by"] < full["data_as_at"]
    full_obs = Store(str(demo["url"]), partnership="wigan-leigh").frame()
    late = full_obs[(full_obs["period"] == "2005-03") & (full_obs["received_at"] > replay["received_by"])]
    assert not late.empty, "the demo has March returns sent after 5 April"
    bad = CliRunner().invoke(cli, [*args[:-1], "soon"])
    assert bad.exit_code != 0 and "--received-by" in bad.output
