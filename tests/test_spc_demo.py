"""SPC in the demo's documents (issue 11, point 4): rebased limits where the demo has a known step
change, "limits need rebasing" where it has none configured, Making Data Count icons on the board
pack's scorecard, and no SPC wording in any public document."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import numpy as np
import pytest
from click.testing import CliRunner
from demo_reports import DEMO, demo_store
from docx.oxml.ns import qn
from pdf_reading import tagged_elements

from reportgen.cli import cli
from reportgen.document import Cell, Chart, Paragraph, Table, iter_blocks
from reportgen.pipeline import generate
from reportgen.store import Store

pytestmark = pytest.mark.slow
TEN = ["theft_of_vehicle", "theft_from_vehicle", "vehicle_interference", "house_burglary", "cycle_theft",
       "theft_from_person", "criminal_damage", "common_assault", "wounding", "robbery"]  # fmt: skip
SPC_WORDS = re.compile(r"\bSPC\b|special[ -]cause|common[ -]cause|control limit|\bXmR\b|process limit", re.I)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("spc-demo")
    return {"folder": folder, "url": demo_store(folder)}


def _documents(demo: dict[str, object], report: str, period: str, config: Path = DEMO, **kw: object) -> list:
    out = Path(demo["folder"]) / f"out-{config.name}"  # type: ignore[arg-type]
    run = generate(report, period, config_dir=config, store_url=str(demo["url"]), out_dir=out, **kw)
    return [doc for _, doc in run.documents]


def _spc_charts(doc: object) -> list[Chart]:
    return [b for b in iter_blocks(doc.sections) if isinstance(b, Chart) and b.id.startswith("spc-")]  # type: ignore[attr-defined]


def _flagged(chart: Chart) -> tuple[int, int]:
    """(months flagged, months shown) as the chart's alt text tells a reader."""
    every = re.search(r"All (\d+) months show only common-cause", chart.alt_text)
    if every:
        return 0, int(every.group(1))
    some = re.search(r"(\d+) of (\d+) months (?:show special-cause|would be flagged)", chart.alt_text)
    assert some, chart.alt_text
    return int(some.group(1)), int(some.group(2))


def test_recorded_crime_limits_are_rebased_at_april_2004(demo: dict[str, object]) -> None:
    """The evaluation's limits for March 2005 come from April 2004 on only, worked out here from
    the stored counts of the ten offence types with plain pandas."""
    result = CliRunner().invoke(
        cli, ["evaluate", "--period", "2005-03", "--format", "json", "--store", str(demo["url"]), "--config", str(DEMO)]
    )
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.stdout) if r.get("id") == "recorded_crime" and r.get("area") == "borough"]
    assert rows and all(r["spc_mean"] == rows[0]["spc_mean"] for r in rows)  # one series, whichever strategy
    row = rows[0]
    store = Store(str(demo["url"]), partnership="wigan-leigh")
    frame = store.frame(indicators=TEN)
    store.dispose()
    frame = frame[(frame["area"] == "borough") & (frame["period"].str.len() == 7)]
    months = frame.groupby("period")["value"].sum().sort_index()
    since = months.loc["2004-04":"2005-03"].to_numpy(dtype=float)
    assert len(since) == 12
    mean = since.mean()
    mr_bar = np.abs(np.diff(since)).mean()
    assert row["spc_mean"] == pytest.approx(mean)
    assert row["spc_ucl"] == pytest.approx(mean + 2.66 * mr_bar)
    assert row["spc_lcl"] == pytest.approx(mean - 2.66 * mr_bar)
    assert row["spc_needs_rebase"] is False
    # Without the rebase the last 24 months straddle the 13% fall: the mean sits between two levels.
    two_year = months.loc["2003-04":"2005-03"].to_numpy(dtype=float)
    assert abs(row["spc_mean"] - two_year.mean()) > 100


def test_board_pack_and_annual_review_bounds_charts_speak(demo: dict[str, object]) -> None:
    charts = [c for report, period in (("board-pack", "2005-03"), ("annual-review", "2004/05"))
              for doc in _documents(demo, report, period, formats=("html",)) for c in _spc_charts(doc)]  # fmt: skip
    assert len(charts) >= 3
    for chart in charts:
        flagged, shown = _flagged(chart)
        assert shown == 24
        assert 2 * flagged <= shown or "need rebasing" in chart.alt_text, chart.alt_text
    crime = next(c for c in charts if c.id.startswith("spc-recorded_crime"))
    assert "Mean and limits from 12 months, April 2004 to March 2005" in crime.caption
    assert "recalculated from April 2004" in crime.caption
    assert _flagged(crime)[0] <= 6  # 23 of 24 before rebasing (issue 11)


def test_without_rebasing_the_board_pack_says_the_limits_need_rebasing(demo: dict[str, object], tmp_path: Path) -> None:
    root = tmp_path / "norebase"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("data"))
    (root / "data").symlink_to(DEMO / "data")
    for name in ("derived.toml", "partners/police.toml"):
        path = root / name
        path.write_text(path.read_text().replace('spc_rebase = ["2004-04"]\n', ""))
    (doc,) = _documents(demo, "board-pack", "2005-03", config=root, formats=("docx",))
    chart = next(c for c in _spc_charts(doc) if c.id.startswith("spc-recorded_crime"))
    flagged, shown = _flagged(chart)
    assert 2 * flagged > shown  # the step change: most of the 24 months are flagged
    assert "need rebasing" in chart.alt_text and "Mean and limits from 24 months" in chart.caption
    blocks = list(iter_blocks(doc.sections))
    at = blocks.index(chart)
    near = [b.text for b in blocks[at - 2 : at] if isinstance(b, Paragraph)]
    assert any(t.startswith("**Limits need rebasing.**") for t in near), near
    score = next(b for b in blocks if isinstance(b, Table) and b.caption.startswith("Scorecard"))
    first = dict(zip(score.columns, score.rows[0], strict=True))["Variation; assurance"]
    assert isinstance(first, Cell) and first.text.startswith("Limits need rebasing")


def test_scorecard_icons_have_words_and_alt_text_in_pdf_and_word(demo: dict[str, object]) -> None:
    out = Path(demo["folder"]) / "icons"  # type: ignore[arg-type]
    run = generate("board-pack", "2005-03", config_dir=DEMO, store_url=str(demo["url"]), out_dir=out)
    doc = run.documents[0][1]
    score = next(b for b in iter_blocks(doc.sections) if isinstance(b, Table) and b.caption.startswith("Scorecard"))
    column = score.columns.index("Variation; assurance")
    cells = [row[column] for row in score.rows if isinstance(row[column], Cell)]
    assert cells and all(c.icons and c.text for c in cells)
    words = {c.text for c in cells}
    assert "Special cause, improving; hit and miss" in words  # recorded crime, March 2005
    alts = [i.alt_text for c in cells for i in c.icons]
    assert all(a.startswith(("Variation icon: ", "Assurance icon: ")) for a in alts)
    word = docx.Document(str(next(p for p in run.files if p.suffix == ".docx")))
    descr = [d.get("descr") for d in word.element.body.iter(qn("wp:docPr"))]
    assert all(a in descr for a in alts)
    table = next(t for t in word.tables if t.rows[0].cells[-1].text == "Variation; assurance")
    assert "Special cause, improving; hit and miss" in [r.cells[-1].text.strip() for r in table.rows]
    assert column == len(table.columns) - 1
    pdf = next(p for p in run.files if p.suffix == ".pdf")
    figures = [t.alt for t in tagged_elements(pdf) if t.type == "Figure"]
    assert all(a in figures for a in alts)  # each icon is a tagged figure with its alt text


def test_no_spc_wording_in_public_documents(demo: dict[str, object]) -> None:
    """The leaflet (standard, large print, poster), the web page and the easy-read and plain-text
    alternatives speak of 'usual range' and 'unusual months', never SPC's terms."""
    texts: dict[str, str] = {}
    runs = [
        ("web", "2005-03", {}),
        ("leaflet", "2005-Q1", {}),
        ("leaflet", "2005-Q1", {"large_print": True}),
        ("leaflet", "2005-Q1", {"poster": True}),
    ]
    for report, period, variant in runs:
        out = Path(demo["folder"]) / "public" / report / str(len(texts))  # type: ignore[arg-type]
        run = generate(report, period, config_dir=DEMO, store_url=str(demo["url"]), out_dir=out, variant=variant,
                       formats=("html",))  # fmt: skip
        for path in run.files:
            if path.suffix in (".html", ".txt"):
                texts[str(path)] = path.read_text(encoding="utf-8")
        for stem, doc in run.documents:  # alt text and captions as the model carries them
            texts[f"{stem} model"] = " ".join(
                f"{b.title} {b.alt_text} {b.caption}" for b in iter_blocks(doc.sections) if isinstance(b, Chart)
            )
    assert any("web" in k for k in texts) and any("leaflet" in k for k in texts)
    web = next(v for k, v in texts.items() if k.endswith("index.html"))
    assert "usual range" in web  # the web page does show the chart, in residents' words
    for name, text in texts.items():
        text = re.sub(r"data:[^\"')\s]+", "", text)  # embedded images are not words, nor are ids
        text = re.sub(r'\b(?:id|aria-labelledby|href|xlink:href|clip-path)="[^"]*"|url\(#[^)]*\)', "", text)
        found = SPC_WORDS.findall(text)
        assert not found, (name, found[:5])
