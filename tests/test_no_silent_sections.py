"""No silent sections: on the Hartlepool example (13 months of real police.uk data), a part
of a document that cannot be computed says why in one line, in the PDF, the Word file and the
run's output; nothing vanishes; a document with no figures at all is refused.

Expected figures come from the police.uk files themselves (pandas over the raw rows), not from
the evaluation engine."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from docx import Document as open_docx
from hartlepool_kit import (
    copy_example,
    docx_text,
    in_both,
    pdf_pages,
    pdf_text,
    police_months,
    police_rows,
    pull,
    run,
)
from pdf_reading import squash, table_rows

from reportgen.config import load_config
from reportgen.document import Document, Section, Unavailable, has_figures, outline, unavailable
from reportgen.render.docx import document_to_docx

GAP_HEADING = "Priority neighbourhood gap"


@pytest.fixture(scope="module")
def hartlepool(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("hartlepool")
    root = copy_example(base / "config")
    return {"root": root, "url": pull(root, base / "store.sqlite"), "out": base / "out"}


def render(h: dict, report: str, period: str) -> tuple[int, str, str, Path]:
    code, out, err = run(
        "run",
        report,
        "--period",
        period,
        "--config",
        str(h["root"]),
        "--store",
        h["url"],
        "--out",
        str(h["out"]),
        "--executor",
        "local://1",
    )
    return code, out, err, h["out"]


@pytest.fixture(scope="module")
def march_pack(hartlepool: dict) -> dict:
    code, out, err, folder = render(hartlepool, "board-pack", "2023-03")
    assert code == 0, err
    folder = folder / "board-pack" / "2023-03"
    return {"pdf": folder / "board-pack-2023-03.pdf", "docx": folder / "board-pack-2023-03.docx", "stderr": err}


def crimes_in_year(lsoas: set[str] | None) -> int:
    """Recorded crime (every type but anti-social behaviour) April 2022 to March 2023, from the files."""
    rows = police_rows()
    rows = rows[
        (rows["Month"] >= "2022-04") & (rows["Month"] <= "2023-03") & (rows["Crime type"] != "Anti-social behaviour")
    ]
    if lsoas is not None:
        rows = rows[rows["LSOA code"].isin(lsoas)]
    return len(rows)


def test_gap_table_is_there_when_all_crime_is_itself_a_target(hartlepool: dict, march_pack: dict) -> None:
    config = load_config(hartlepool["root"])
    # the situation that made it vanish: all crime is the measure of big target 1
    assert any(m.indicator == "all_crime" for t in config.strategies[0].targets for m in t.measures)
    priority = config.partnership.priority_areas
    expected = {a.name: f"{crimes_in_year(set(a.lsoas)):,}" for a in priority}
    expected["Hartlepool"] = f"{crimes_in_year(None):,}"
    assert expected["Hartlepool"] == "13,978"  # every non-ASB row of the twelve files, counted by hand once

    pdf_tables = [
        t for t in table_rows(march_pack["pdf"]) if t and t[0][:3] == ("Neighbourhood", "Residents", "Crimes")
    ]
    assert len(pdf_tables) == 1
    got = {row[0]: row[2] for row in pdf_tables[0][1:]}
    # no cell prints a missing value as a word ("None", "nan"): there is no year before 2022/23 here
    assert not [c for row in pdf_tables[0] for c in row if c.strip() in ("None", "nan", "No data")]
    assert "A year earlier the gap was" not in pdf_text(march_pack["pdf"])
    for name, crimes in expected.items():
        assert got[name] == crimes, (name, got)

    word = open_docx(str(march_pack["docx"]))
    word_tables = [
        t for t in word.tables if [c.text for c in t.rows[0].cells][:3] == ["Neighbourhood", "Residents", "Crimes"]
    ]
    assert len(word_tables) == 1
    word_got = {r.cells[0].text: r.cells[2].text for r in word_tables[0].rows[1:]}
    assert {k: word_got[k] for k in expected} == expected
    assert "Priority neighbourhood gap" in docx_text(march_pack["docx"])


def test_spc_caption_states_its_number_of_points(march_pack: dict) -> None:
    months = len(police_months())  # 13 monthly files, fewer than the 24 an XmR chart can use
    assert months == 13
    sentence = f"Mean and limits from {months} months, March 2022 to March 2023"
    assert in_both(sentence, march_pack["pdf"], march_pack["docx"])


def test_no_lateness_annex_when_no_data_returns_are_owed(march_pack: dict) -> None:
    # police.uk files are a feed, not a return partners submit by a deadline: nothing is "late"
    # (before, every month of every indicator was: "Of 12 data returns owed for March 2023, 12 late")
    for text in (pdf_text(march_pack["pdf"]), docx_text(march_pack["docx"])):
        assert re.search(r"\blate\b", text, re.IGNORECASE) is None, text
    assert "late" not in march_pack["stderr"]
    assert in_both("No data returns are owed for March 2023", march_pack["pdf"], march_pack["docx"])
    assert in_both("Data present for March 2023, by partner", march_pack["pdf"], march_pack["docx"])


def test_incomplete_rolling_year_says_not_enough_months_not_no_data(hartlepool: dict) -> None:
    code, _out, err, folder = render(hartlepool, "board-pack", "2022-12")
    assert code == 0, err
    held = [m for m in police_months() if "2022-01" <= m <= "2022-12"]
    assert len(held) == 10  # March to December 2022: the files start in March
    reason = f"not enough months yet ({len(held)} of 12)"
    pdf = folder / "board-pack" / "2022-12" / "board-pack-2022-12.pdf"
    docx = folder / "board-pack" / "2022-12" / "board-pack-2022-12.docx"
    assert in_both(f"All crime: {reason}", pdf, docx)
    assert in_both(f"Not enough months yet ({len(held)} of 12)", pdf, docx)  # the exceptions table
    for text in (pdf_text(pdf), docx_text(docx)):
        assert "nodatafordecember2022" not in squash(text).lower()
    # the gap table cannot be computed either, and says so where it would be, and on stderr
    line = f"The priority neighbourhood gap table is not shown: {reason} for all crime in Hartlepool."
    assert in_both(line, pdf, docx)
    assert f"unavailable: {line}" in err
    manifest = json.loads((folder / "board-pack" / "2022-12" / "manifest.json").read_text())
    assert line in manifest["unavailable"]


def test_annual_review_of_a_13_month_partnership_shows_what_it_can(hartlepool: dict) -> None:
    code, _out, err, folder = render(hartlepool, "annual-review", "2022/23")
    assert code == 0, err
    pdf = folder / "annual-review" / "2022_23" / "annual-review-2022-23.pdf"
    docx = folder / "annual-review" / "2022_23" / "annual-review-2022-23.docx"
    assert pdf_pages(pdf) > 3  # it was cover, contents and definitions only
    for heading in (
        "Progress against the big targets, 2022/23",
        "Recent change against historical bounds",
        GAP_HEADING,
    ):
        assert in_both(heading, pdf, docx), heading
    assert in_both("2022/23 is the baseline year of the Illustrative community safety targets", pdf, docx)
    # the baseline of target 1, all crime in 2022/23, counted from the files
    baseline = f"{crimes_in_year(None):,}"
    scorecard = next(t for t in table_rows(pdf) if t and t[0][0] == "Big target")
    assert scorecard[1][1] == baseline
    # the one part that needs more than a year says why, once, in place and on stderr
    why = (
        "Crime over ten years is not shown: it needs recorded crime per 1,000 residents for at least two "
        "complete financial years, and 1 is held."
    )
    assert in_both(why, pdf, docx)
    assert f"unavailable: {why}" in err


def test_a_document_with_no_figures_is_refused_naming_what_is_missing(hartlepool: dict) -> None:
    # 2021/22 ends before the first police.uk file: nothing in the annual review can be computed
    code, out, err, folder = render(hartlepool, "annual-review", "2021/22")
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("Rendering")]
    assert len(lines) == 1, err
    assert "would carry no figures at all" in lines[0]
    assert (
        "Crime over ten years is not shown" in lines[0] and "priority neighbourhood gap table is not shown" in lines[0]
    )
    assert out == "" and not (folder / "annual-review" / "2021_22").exists()


def test_unavailable_element_reads_the_same_in_every_format(tmp_path: Path) -> None:
    from reportgen.altformats.linear import to_plain_text
    from reportgen.render.html import render_html

    gone = Unavailable("The drugs chart", "no data for 2004/05")
    doc = Document(
        kind="board-pack",
        title="T",
        partnership="P",
        period_label="March 2005",
        date=dt.date(2005, 4, 1),
        sections=(Section("Drugs", (gone,)),),
    )
    assert gone.text == "The drugs chart is not shown: no data for 2004/05."
    assert unavailable(doc) == [gone] and not has_figures(doc)
    assert gone.text in render_html(doc)
    path = tmp_path / "t.docx"
    path.write_bytes(document_to_docx(doc))
    assert gone.text in docx_text(path)
    assert gone.text in to_plain_text(doc)
    assert outline(doc).headings == ((0, "T"), (1, "Drugs"))


def test_board_pack_footer_leaves_out_questions_without_a_contact(hartlepool: dict, march_pack: dict) -> None:
    contact = load_config(hartlepool["root"]).partnership.contact
    assert not contact.phone and not contact.email
    for text in (pdf_text(march_pack["pdf"]), docx_text(march_pack["docx"])):
        assert "Questions:" not in text and "Questions" not in squash(text)
    assert in_both(
        "Prepared by Safer Hartlepool Partnership from partners' data", march_pack["pdf"], march_pack["docx"]
    )
