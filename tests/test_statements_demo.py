"""One month of the demo, every document side by side: the same figure worded the same way
everywhere, and no template glitches anywhere.

The March 2005 run (board pack 2005-03, web page 2005-03, leaflet 2005-Q1 with its plain-text
and Braille versions, annual review 2004/05, each PDF and Word, plus the delivery email's
body) is made once for this module. Each document lists in the manifest the statements it
printed (measure|area|basis|period|compared with -> words); the tests check that

* one key has one wording across every document and the email (a function, not a relation);
* each wording really is in the document's PDF, Word, HTML or text (so no renderer rewords it);
* statements that more than one document makes exist (the check is not vacuous);

and that the glitch checker finds nothing in any file of the run, the leaflet's variants
(large print, poster, every neighbourhood, Polish, Urdu, alternative formats) included.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_reports import DEMO, PUBLISHED_THEN_AND_NOW, demo_store

from reportgen.deliver.base import Parcel
from reportgen.deliver.email import compose
from reportgen.periods import Period
from reportgen.pipeline import Session, generate
from reportgen.reports.glitches import check_document, check_folder, file_text, find_glitches
from reportgen.reports.statements import Basis, Comparison, StatementBook
from reportgen.schedule.config import Delivery, Smtp

pytestmark = pytest.mark.slow

RUNS = (
    ("board-pack", "2005-03", {}),
    ("web", "2005-03", {}),
    ("leaflet", "2005-Q1", {"alt_formats": True}),
    ("annual-review", "2004/05", {}),
)
# The indicators behind the 2002-05 priorities, in the order of the published table.
MEASURES_2002_05 = (
    "house_burglary",
    "vehicle_crime",
    "asb_incidents",
    "dv_incidents",
    "drug_people_in_treatment_year",
    "town_centre_crime",
    "public_transport_incidents",
    "hate_crime",
)
VARIANTS = (
    {"large_print": True},
    {"poster": True},
    {"each_area": True},
    {"lang": "pl", "alt_formats": True},
    {"lang": "ur"},
)


def squash(text: str) -> str:
    """Whitespace-insensitive: PDF text extraction does not keep line breaks or spaces reliably."""
    # hyphens too: a line broken after "fly-" comes back from the PDF as "flytipping"
    return re.sub(r"[\s\-\u00ad]+", "", text.replace("\u00a0", " "))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    folder = tmp_path_factory.mktemp("statements")
    url = demo_store(folder)
    session = Session(DEMO, url)
    results = {}
    try:
        for report, period, variant in RUNS:
            results[report] = generate(report, period, out_dir=folder / "month", session=session, variant=variant)
        variants = []
        for n, variant in enumerate(VARIANTS):
            variants.append(
                generate("leaflet", "2005-Q1", out_dir=folder / f"variant-{n}", session=session, variant=variant)
            )
        yield {"folder": folder, "results": results, "variants": variants, "session": session}
    finally:
        session.close()


def _manifest(result) -> dict:  # noqa: ANN001 - a RunResult
    return json.loads(Path(result.manifest).read_text())


def _email_body(result) -> str:  # noqa: ANN001
    manifest = _manifest(result)
    parcel = Parcel(
        job=result.report,
        report=result.report,
        period=manifest["period"],
        period_label=manifest["period_label"],
        version=1,
        files=tuple(result.files),
        headline=tuple(manifest["headline"]),
        exceptions=tuple(manifest["exceptions"]),
    )
    msg = compose(parcel, Delivery(channel="email", to=("board@example.org",), attach=()), Smtp())
    return msg.get_content()


def _said(run: dict[str, object]) -> list[tuple[str, str, str]]:
    """(where, key, words) for every statement every document and email body printed."""
    out = []
    for report, result in run["results"].items():  # type: ignore[union-attr]
        for stem, statements in _manifest(result).get("statements", {}).items():
            where = f"{report}:{'email' if stem == 'summary' else stem}"
            out += [(where, key, words) for key, words in statements.items()]
    return out


def _said_everywhere(run: dict[str, object]) -> list[tuple[str, str, str]]:
    """:func:`_said`, and the English leaflet variants (large print, poster, every neighbourhood),
    which print the borough's cards and tables again (translated ones speak their own language)."""
    out = _said(run)
    for variant, result in zip(VARIANTS, run["variants"], strict=True):  # type: ignore[call-overload]
        if variant.get("lang"):
            continue
        name = "+".join(variant)
        for stem, statements in _manifest(result).get("statements", {}).items():
            out += [(f"leaflet-{name}:{stem}", key, words) for key, words in statements.items()]
    return out


# --- one figure, one wording ----------------------------------------------------------------------
def test_each_statement_has_one_wording_across_documents(run) -> None:
    wordings: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for where, key, words in _said_everywhere(run):
        wordings[key][words].append(where)
    clashes = {key: dict(w) for key, w in wordings.items() if len(w) > 1}
    assert not clashes, json.dumps(clashes, indent=1)
    # A table's change cell and a sentence about the same figure agree: the cell's words are
    # the sentence's change ("Up 18%" in the table, "... up 18% on ..." in the text).
    for key, w in wordings.items():
        if key.endswith("#change") and key.removesuffix("#change") in wordings:
            (cell,) = w
            (sentence,) = wordings[key.removesuffix("#change")]
            assert f", {cell[:1].lower()}{cell[1:]} on " in sentence, (key, cell, sentence)


def test_statements_are_shared_between_documents(run) -> None:
    """The check above bites: some figures are spoken of by more than one document or the email,
    and each document and the email say something through the statements."""
    places: dict[str, set[str]] = defaultdict(set)
    for where, key, _ in _said(run):
        places[key.removesuffix("#change")].add(where)
    shared = {k: v for k, v in places.items() if len(v) > 1}
    assert shared, places
    talkers = {where.split(":")[0] for where, _, _ in _said(run)}
    assert talkers == {"board-pack", "web", "leaflet", "annual-review"}
    assert any(where.endswith(":email") for where, _, _ in _said(run))
    # All crime in the 12 months to March 2005: the web page (a month) and the leaflet (a quarter)
    crime = [k for k, v in shared.items() if k.startswith("total_crime|") or "rolling_12_months|2005-03|2004-03" in k]
    assert any({"web:index", "leaflet:leaflet"} <= places[k] for k in crime), shared


def test_every_recorded_statement_is_printed_as_recorded(run) -> None:
    """The words in the manifest are the words in the PDF, Word file, HTML, plain text and email."""
    texts: dict[str, dict[str, str]] = {}
    for report, result in run["results"].items():  # type: ignore[union-attr]
        by_stem: dict[str, dict[str, str]] = defaultdict(dict)
        for path in result.files:
            text = file_text(Path(path))
            if text is not None:
                stem = Path(path).stem.removesuffix("-easy-read")
                by_stem[stem][Path(path).suffix + ("-easy" if "easy-read" in Path(path).name else "")] = text
        texts[report] = by_stem
    missing = []
    checked = 0
    for report, result in run["results"].items():  # type: ignore[union-attr]
        for stem, statements in _manifest(result).get("statements", {}).items():
            if stem == "summary":
                where = {"email": _email_body(result)}
            else:
                where = {k: v for k, v in texts[report][stem].items() if k in (".pdf", ".docx", ".html", ".txt")}
            assert where, (report, stem)
            for key, words in statements.items():
                for fmt, text in where.items():
                    checked += 1
                    if squash(words) not in squash(text):
                        missing.append((report, stem, fmt, key, words))
    assert checked > 100
    assert not missing, missing[:10]


def test_published_figures_are_worded_by_their_statement(run) -> None:
    """An oracle from outside the code: the 2005-08 strategy's published 'where are we now'
    figures for 2001/02 against 2004/05 (House Burglary 2,916 / 2,176 / Down 25% ...)."""
    book = StatementBook(run["session"].evaluation(Period.parse("2004/05")))  # type: ignore[union-attr]
    cells = {key: words for _, key, words in _said(run) if key.endswith("|2004/05|2001/02#change")}
    checked = 0
    for measure, (_, before, now, change) in zip(MEASURES_2002_05, PUBLISHED_THEN_AND_NOW, strict=True):
        statement = book.of(measure, comparison=Comparison.BASELINE, strategy="2002-05")
        assert statement is not None, measure
        assert (statement.value_text, statement.compare_text, statement.change_label) == (now, before, change)
        assert statement.basis is Basis.FINANCIAL_YEAR and statement.compare_period == "2001/02"
        assert f": {now} in 2004/05, {change[:1].lower()}{change[1:]} on {before} in 2001/02 (" in statement.words
        # and the annual review's then-and-now table printed exactly that change
        assert cells[f"{statement.key}#change"] == change
        checked += 1
    assert checked == 8


def test_one_comparison_when_the_baseline_is_the_year_before(run) -> None:
    """For 2004/05 the 2003/04 baseline is also the year earlier: one statement, one wording."""
    book = StatementBook(run["session"].evaluation(Period.parse("2004/05")))  # type: ignore[union-attr]
    frame = book.evaluation.indicators
    rows = frame[
        (frame["strategy"] == "2005-08")
        & (frame["area"] == "borough")
        & (frame["baseline_period"] == "2003/04")
        & (frame["period"] == "2004/05")
    ]
    assert len(rows) >= 10
    for _, row in rows.iterrows():
        assert book.about(row, Comparison.BASELINE) is book.about(row, Comparison.YEAR_EARLIER)


def test_privacy_note_only_where_something_was_withheld(run) -> None:
    """A leaflet says a figure is hidden to protect privacy only if it hid one; a missing
    year-earlier figure is called that, never 'not shown'."""
    for result in run["variants"][2:3]:  # every neighbourhood
        for stem, doc in result.documents:
            text = " ".join(b.text for s in doc.sections for b in s.blocks if hasattr(b, "text"))
            notes = " ".join(n for s in doc.sections for b in s.blocks for n in getattr(b, "notes", ()))
            cells = [
                str(getattr(c, "text", c))
                for s in doc.sections
                for b in s.blocks
                for r in getattr(b, "rows", ())
                for c in r
            ]
            withheld = any("fewer than" in c or c.startswith("not shown") for c in cells) or "fewer than" in text
            assert ("protect privacy" in notes) == withheld, (stem, notes, cells)


# --- no glitches ----------------------------------------------------------------------------------
def test_no_glitches_in_any_file_of_the_run(run) -> None:
    found = check_folder(run["folder"])  # type: ignore[arg-type]
    assert not found, "\n".join(map(str, found[:30]))


def test_no_count_that_disagrees_with_its_list(run) -> None:
    found = []
    for result in [*run["results"].values(), *run["variants"]]:  # type: ignore[union-attr]
        for stem, doc in result.documents:
            found += check_document(doc, stem)
            found += [g for d in doc.shorter for g in check_document(d, stem)]
    assert not found, found


def test_the_run_covers_every_kind_of_file(run) -> None:
    suffixes = {p.suffix for p in Path(run["folder"]).rglob("*") if p.is_file()}  # type: ignore[arg-type]
    assert {".pdf", ".docx", ".html", ".txt", ".brf"} <= suffixes
    names = {p.name for p in Path(run["folder"]).rglob("*.pdf")}  # type: ignore[arg-type]
    assert any("large-print" in n for n in names) and any(n.startswith("poster") for n in names)
    assert any(n.endswith("-pl.pdf") for n in names) and any(n.endswith("-ur.pdf") for n in names)
    assert len([n for n in names if n.startswith("leaflet-") and "-p" not in n[-6:]]) >= 20  # each area


# --- the checker itself, on text made by hand ------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Number each month each month, April 2003", "words repeated"),
        ("Target 3: Drugs DRUGS - Increase", "word repeated"),
        ("Safer Hartlepool Partnership: phone .", "ends where a value should be"),
        ("For large print please ring .", "space before a full stop"),
        ("For large print please ring .", "ends where a value should be"),
        ("Questions: .", "nothing after a colon"),
        ("Owner: None", "Python None"),
        ("Latest: nan", "not a number"),
        ("Hello {{ name }}", "unfilled placeholder"),
        ("Crime (rolling) ()", "empty bracket"),
        ("House burglary improved. (and 1 more, see the table)", "'and 1 more'"),
        ("The gap: 44.2, worse than the threshold of 33.0", "without its unit"),
        ("Scorecard: latest figures are for the 2004/05 unless stated", "the + financial year"),
        ("At risk. OFFENDING - Improve all 14 of the indicators set.", "capitals"),
    ],
)
def test_checker_finds_each_glitch(text: str, rule: str) -> None:
    assert any(rule in g.rule for g in find_glitches(text, "x")), find_glitches(text, "x")


def test_checker_passes_clean_text() -> None:
    clean = (
        "Crime is down 13% on the year before: over 4,100 fewer offences. The gap: 44.2%, worse than "
        "the aim of no more than 33% by 2007/08. Recorded crime: 17,444 against a trajectory of 18,948 "
        "(target 15,640 by 2007/08). Questions: 01942 828111. The 2004/05 annual review. "
        "On track On track. No data. Offending: improve all 14 of the indicators set."
    )
    assert find_glitches(clean, "x") == []


# --- the board pack's tables and survey figures --------------------------------------------------
def _files(run, report: str, suffix: str) -> list[Path]:  # noqa: ANN001
    return [Path(p) for p in run["results"][report].files if Path(p).suffix == suffix]  # type: ignore[index]


def _word_rows(path: Path) -> list[list[str]]:
    import docx

    return [[c.text for c in row.cells] for t in docx.Document(str(path)).tables for row in t.rows]


# The citizens' panel 2004/05 as the strategy publishes it (536 asked) and the counts behind the
# demo, with the 95% Wilson interval worked by hand (docs/statistics.md):
# 150 of 536: centre 0.281417, half-width 0.037902 -> 24.35% to 31.93%.
POLICE_2004_05 = "28% (150 of 536; 95% interval 24.4% to 31.9%)"
POLICE_2004_05_CELL = "28% (150 of 536; 24.4% to 31.9%)"  # the table's note names the interval


def test_board_pack_prints_survey_sample_and_interval(run) -> None:
    """PDF and Word: the survey measure's figure carries its sample and 95% interval, its change
    is 'no significant change' (p = 0.87, docs/statistics.md) in the sentence and the table."""
    (pdf,) = _files(run, "board-pack", ".pdf")
    (word,) = _files(run, "board-pack", ".docx")
    sentence = (
        f"People who think the police do a good job: {POLICE_2004_05} in 2004/05, up 0.4 points on "
        "28% (151 of 548) in 2003/04 (no significant change)"
    )
    for text in (file_text(pdf), file_text(word)):
        assert squash(sentence) in squash(text or "")
        assert squash("95% confidence interval") in squash(text or "")  # the table's note says what it is
    rows = [r for r in _word_rows(word) if r[0].startswith("Residents rating the police")]
    assert rows, "the Target 2 table"
    assert rows[0][2] == POLICE_2004_05_CELL
    assert rows[0][6] == "No significant change"
    # and an interval is printed only for the survey: treatment completions keep their plain figure
    completions = [r for r in _word_rows(word) if r[0].startswith("Discharges from drug treatment that were")]
    assert completions and " to " not in completions[0][2] and "(113 of 343)" in completions[0][2]


def test_board_pack_latest_and_direction_cells_are_the_statements(run) -> None:
    """Every Latest and Direction cell of the board pack's tables is a recorded statement figure,
    and the Word table prints exactly the recorded words."""
    manifest = _manifest(run["results"]["board-pack"])  # type: ignore[index]
    said = manifest["statements"]["board-pack-2005-03"]
    figures = {v for k, v in said.items() if k.endswith("#figure")}
    directions = {v for k, v in said.items() if k.endswith("#direction")}
    assert len(figures) >= 20 and {"Improving", "No significant change"} <= directions
    (word,) = _files(run, "board-pack", ".docx")
    # measure rows (not the header, nor a composite target's "0 of 4 improved")
    import docx

    tables = [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(str(word)).tables]
    tables = [t for t in tables if len(t[0]) == 8 and t[0][2] == "Latest" and t[0][6] == "Direction"]
    table_rows = [r for t in tables for r in t[1:] if not r[2].endswith("improved")]
    assert len(table_rows) >= 25
    for row in table_rows:
        latest, direction = row[2], row[6]
        if latest in ("No data", "\u2013") or latest.startswith("Only "):
            continue
        # the figure, then its basis where it is not the table's common one
        assert any(latest == f or latest.startswith(f"{f} (") for f in figures), row
        assert direction in directions, row


def test_people_in_treatment_say_what_they_count(run) -> None:
    """1,500 (different people treated at any time in 2004/05, the old strategy's priority) and 731
    (the caseload on the last day of March 2005) are two measures: each says what it counts."""
    (review,) = _files(run, "annual-review", ".pdf")
    (pack,) = _files(run, "board-pack", ".pdf")
    text = squash(file_text(review) or "")
    assert squash(
        "Drug and Alcohol Misuse (people in treatment): different people in drug or alcohol treatment at any "
        "time in the year."
    ) in text
    caseload = (
        "People in drug treatment on the day (the caseload): 731 at the end of March 2005, up 17% on 625 at "
        "the end of March 2004 (improved)"
    )
    assert squash(caseload) in text
    assert squash(caseload) in squash(file_text(pack) or "")
    # one statement, said by both documents, although one reports a quarter and the other a year
    places = {where for where, key, words in _said(run) if key.startswith("drug_in_treatment|") and words == caseload}
    assert {"board-pack:board-pack-2005-03", "annual-review:annual-review-2004-05"} <= places, places
    assert squash("731 in 2004/05") not in text
    assert squash("731 in January to March 2005") not in squash(file_text(pack) or "")


# --- the public documents' own tables ----------------------------------------------------------------
def test_public_tables_are_worded_by_statements(run) -> None:
    """The leaflet's crime-type and comparison tables and the web page's month-by-month and
    comparison tables print the change cells the statements recorded, and the same figure in the
    standard leaflet, its large print and the poster has one wording (checked above)."""
    said = defaultdict(dict)
    for where, key, words in _said_everywhere(run):
        said[where][key] = words
    leaflet, web = said["leaflet:leaflet"], said["web:index"]
    # every crime type of the borough this quarter, the total, and the three places compared
    quarter = [k for k in leaflet if "|quarter|2005-Q1|2004-Q1#cell" in k]
    assert len(quarter) >= 10 + 1, sorted(leaflet)
    # the comparison table is in the large print (the standard leaflet has room for its sentence)
    large = said["leaflet-large_print:leaflet-large-print"]
    assert len([k for k in large if k.startswith("all_crime_per_1000|") and k.endswith("#cell")]) == 3
    month = [k for k in web if "|month|" in k and k.endswith("#cell")]
    assert len(month) >= 12 + 3, sorted(web)
    assert set(quarter) <= set(large)  # the large print says the same figures, worded alike
    # the Word leaflet's tables print exactly the recorded cells
    (word,) = [p for p in _files(run, "leaflet", ".docx") if p.name == "leaflet.docx"]
    cells = {r[-1].split("\xa0", 1)[-1] for r in _word_rows(word) if len(r) == 4}  # after the glyph
    recorded = {leaflet[k] for k in quarter}
    assert recorded <= cells, recorded - cells
    # the web page's HTML prints its recorded cells
    (page,) = _files(run, "web", ".html")
    html = squash(file_text(page) or "")
    assert all(squash(web[k]) in html for k in month)


def test_twelve_month_crime_is_one_figure_on_the_web_page_and_leaflet(run) -> None:
    """An oracle from outside the code: the strategy's "13% reduction in all crime in the past 12
    months". The web page's and the leaflet's cards and lead sentences say that figure alike."""
    said = {(where, key): words for where, key, words in _said(run)}
    key = "all_crime|borough|rolling_12_months|2005-03|2004-03"
    assert said[("web:index", f"{key}#change")] == said[("leaflet:leaflet", f"{key}#change")] == "Down 13%"
    assert said[("web:index", f"{key}#figure")] == said[("leaflet:leaflet", f"{key}#figure")]
    for report, name in (("web", "index.html"), ("leaflet", "leaflet.pdf")):
        (path,) = [p for p in run["results"][report].files if Path(p).name == name]  # type: ignore[index]
        text = squash(file_text(Path(path)) or "")
        assert squash("Crime is down 13% on the year before") in text
        assert squash(said[("web:index", f"{key}#figure")]) in text


def test_pdf_table_cells_read_side_by_side_are_not_a_repeat() -> None:
    """pdftotext gives two table cells' lines interleaved: 'neighbourhoods' ending one cell's line
    and starting the other's is not a repeated word; on one line it is."""
    interleaved = "6. Priority\ncrime in priority neighbourhoods\nneighbourhoods\nand the borough average"
    assert find_glitches(interleaved, "x.pdf", repeats_within_lines=True) == []
    assert find_glitches("crime in priority neighbourhoods neighbourhoods and", "x.pdf", repeats_within_lines=True)
    assert find_glitches(interleaved, "x.docx")  # running text: a repeat across lines is still one


def test_web_target_table_says_when_a_change_could_be_chance(run) -> None:
    """Treatment completions rose from 78 of 279 to 113 of 343 since the 2003/04 baseline: a
    two-proportion test (statsmodels, the oracle) cannot tell that from chance at 5%, so the web
    page's target table says so beside the change, as the board pack says "no significant change"."""
    import re

    from statsmodels.stats.proportion import proportions_ztest

    _z, p = proportions_ztest([113, 78], [343, 279])
    assert p > 0.05
    (page,) = _files(run, "web", ".html")
    html = squash(file_text(page) or "")
    row = squash("3. Help more people complete drug treatment successfully")
    said = squash("points since 2003/04, which could be chance")
    assert re.search(re.escape(row) + r".{0,40}Up[\d.]+" + re.escape(said), html), "the drugs target row"
