"""Every page of every printed document keeps the page rules (tests/page_rules.py): headings kept
with what follows, tables split with at least three rows each side, no page less than a third
full unless it ends the document, no text outside the page box.

The documents: the demo's board pack, annual review and leaflets (standard, large print, each
neighbourhood, poster, Polish, Urdu) and the Hartlepool example's board pack and leaflet, PDF only,
each rendered once for the module. The rules themselves are checked first on PDFs made to break
them, so a check that finds nothing is not a check that cannot find anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_reports import DEMO, demo_store
from hartlepool_kit import EXAMPLE, pull
from page_rules import page_problems
from weasyprint import HTML

from reportgen.charts.fit import label_problems
from reportgen.pipeline import Session, generate

pytestmark = pytest.mark.slow

LEAFLET_VARIANTS: dict[str, dict[str, object]] = {
    "standard": {},
    "large-print": {"large_print": True},
    "each-area": {"each_area": True},
    "poster": {"poster": True},
    "polish": {"lang": "pl"},
    "urdu": {"lang": "ur"},
}


def _pdfs(run_result: object) -> list[Path]:
    return sorted(p for p in run_result.files if str(p).endswith(".pdf"))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    folder = tmp_path_factory.mktemp("page-rules")
    out: dict[str, list[Path]] = {}
    session = Session(DEMO, demo_store(folder))
    try:
        for report, period in (("board-pack", "2005-03"), ("annual-review", "2004/05")):
            run = generate(report, period, out_dir=folder / "demo", session=session, formats=("pdf",))
            out[f"demo {report}"] = _pdfs(run)
        # the drawn figures (kept while no Word file asks for their PNGs), for the label check
        CHARTS.update(session.charts._figures)
        for name, variant in LEAFLET_VARIANTS.items():
            run = generate(
                "leaflet", "2005-Q1", out_dir=folder / "demo" / name, session=session, variant=variant, formats=("pdf",)
            )
            out[f"demo leaflet {name}"] = _pdfs(run)
    finally:
        session.close()
    url = pull(EXAMPLE, folder / "hartlepool.sqlite")
    session = Session(EXAMPLE, url)
    try:
        for report, period in (("board-pack", "2023-03"), ("leaflet", "2023-Q1")):
            run = generate(report, period, out_dir=folder / "hartlepool", session=session, formats=("pdf",))
            out[f"hartlepool {report}"] = _pdfs(run)
    finally:
        session.close()
    return out


CHARTS: dict[str, object] = {}


@pytest.mark.usefixtures("documents")  # rendering the documents fills CHARTS
def test_no_chart_label_collides_in_the_demo() -> None:
    assert len(CHARTS) >= 10, "the demo's board pack and annual review draw at least ten charts"
    problems = [f"{key}: {p}" for key, fig in CHARTS.items() for p in label_problems(fig)]
    assert not problems, "\n".join(problems)


DOCUMENTS = ["demo board-pack", "demo annual-review", *(f"demo leaflet {n}" for n in LEAFLET_VARIANTS)]
DOCUMENTS += ["hartlepool board-pack", "hartlepool leaflet"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_page_keeps_the_page_rules(documents: dict[str, list[Path]], name: str) -> None:
    pdfs = documents[name]
    assert pdfs, f"{name}: no PDF was made"
    problems = [f"{pdf.name}: {line}" for pdf in pdfs for line in page_problems(pdf)]
    assert not problems, "\n".join(problems)


# --- the check itself, on PDFs made to break each rule ---------------------------------------

_CSS = """
@page { size: A5; margin: 20mm 15mm 20mm 15mm; @bottom-right { content: "Page " counter(page) " of " counter(pages); } }
body { font: 11pt sans-serif; } h2 { font-size: 16pt; } td, th { padding: 2pt; }
thead { display: table-header-group; }
"""


def _pdf(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "t.pdf"
    HTML(string=f"<html lang=en><style>{_CSS}</style><body>{body}</body></html>").write_pdf(
        path, pdf_variant="pdf/ua-1"
    )
    return path


def _para(n: int) -> str:
    return "".join(f"<p>Paragraph {i} of text that fills the page with ordinary words.</p>" for i in range(n))


def _table(rows: int) -> str:
    body = "".join(f"<tr><td>Row {i}</td><td>{i * 7}</td></tr>" for i in range(rows))
    return f"<table><caption>Made up</caption><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>{body}</tbody></table>"


def test_a_page_that_breaks_no_rule_passes(tmp_path: Path) -> None:
    assert page_problems(_pdf(tmp_path, "<h2>One</h2>" + _para(6))) == []


def test_a_heading_alone_at_the_foot_of_a_page_is_found(tmp_path: Path) -> None:
    # fill the page to just above the foot, then a heading whose paragraph must go over
    # heights found by trying: the heading fits above the foot, its first paragraph does not
    body = '<div style="height: 142mm"></div><p>Above.</p><h2 style="break-after: auto">Stranded</h2>' + _para(6)
    problems = page_problems(_pdf(tmp_path, body))
    assert any('heading "Stranded" alone at the foot' in p and p.startswith("page 1:") for p in problems), problems


def test_a_table_split_leaving_one_row_is_found(tmp_path: Path) -> None:
    # the caption, header and one row fit under the box; the other rows go over
    body = '<div style="height: 139mm; border: 1px solid black"></div>' + _table(30).replace(
        "<td>", '<td style="height: 10mm">', 1
    )
    pdf = _pdf(tmp_path, body)
    problems = page_problems(pdf)
    assert any('"Made up" split over pages' in p and "leaves 1 row on page 1" in p for p in problems), problems


def test_a_near_empty_page_that_is_not_the_last_is_found(tmp_path: Path) -> None:
    body = "<p>Alone on its page.</p><div style='break-before: page'></div>" + _para(12)
    problems = page_problems(_pdf(tmp_path, body))
    assert any(p.startswith("page 1:") and "full" in p for p in problems), problems


def test_text_outside_the_page_box_is_found(tmp_path: Path) -> None:
    body = _para(3) + '<p style="margin-left: 140mm; white-space: nowrap">Runs off the right edge</p>'
    problems = page_problems(_pdf(tmp_path, body))
    assert any("outside the page box" in p for p in problems), problems
