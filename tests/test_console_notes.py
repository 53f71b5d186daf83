"""A partner marks a figure "not available" in the console's upload, with a reason, and
support sees it in the month at a glance: on the demo store in SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from console_kit import csrf_of, make_app, pulled, settings_for, sign_in  # noqa: F401 (fixture)
from returns_fixtures import value_for
from starlette.testclient import TestClient

REASON = "Crime system migration: <b>March</b> figures not extracted"


def _filled(workbook: bytes) -> tuple[bytes, str, str]:
    """The downloaded return with every value filled, one left blank with a reason and one
    noted; returns the file and the (indicator, area) marked not available."""
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    ws = wb["Return"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value and ws.cell(r, 4).value is None:
            ws.cell(r, 4, value_for(ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 3).value))
    ws["D2"] = None
    ws["I2"] = REASON
    ws["I3"] = "Includes a one-off operation"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), str(ws["A2"].value), str(ws["E2"].value)


def test_not_available_through_the_console(tmp_path: Path, pulled: Path, db_url: str) -> None:  # noqa: F811
    store = None if db_url.startswith("sqlite") else db_url
    app = make_app(settings_for(tmp_path, pulled, store=store), tmp_path)
    police = TestClient(app, follow_redirects=False)
    assert sign_in(police, "police1").status_code == 303
    page = police.get("/partner/police?period=2005-03")
    assert "leave its Value cell blank" in page.text
    workbook = police.get("/partner/police/template?period=2005-03")
    assert workbook.status_code == 200
    data, _indicator, title = _filled(workbook.content)
    sent = police.post("/partner/police/upload", data={"csrf": csrf_of(page.text), "period": "2005-03"},
                       files={"return": ("police.xlsx", data, "application/octet-stream")})  # fmt: skip
    assert sent.status_code == 200, sent.text
    assert "1 not available" in sent.text and "marked not available, with your reasons" in sent.text
    # the partner's own page lists it, escaped
    assert "Crime system migration: &lt;b&gt;March&lt;/b&gt; figures not extracted" in sent.text
    assert "<b>March</b>" not in sent.text
    owed = sent.text.split("What you owe")[1].split("Your notes")[0]
    row = next(r for r in owed.split("<tr>") if title in r)
    assert "Not available" in row  # the row the partner answered "not available" says so

    support = TestClient(app, follow_redirects=False)
    assert sign_in(support, "support1").status_code == 303
    month = support.get("/support?period=2005-03").text
    assert "Partners&#39; notes" in month or "Partners' notes" in month
    notes = month.split('id="notes"')[1].split('id="scorecard"')[0]
    # deadlines as people write them: police's is 10 days after March (partners/police.toml)
    returns = month.split('id="notes"')[0]
    assert "10 April 2005" in returns and "2005-04-10" not in returns
    assert "10 April 2005" in sent.text  # and on the partner's own page
    assert "Not available" in notes and "Crime system migration: &lt;b&gt;March&lt;/b&gt;" in notes
    assert "Includes a one-off operation" in notes and title in notes
    # the scorecard gives each reason of a target as its own item, never run together
    scorecard = month.split('id="scorecard"')[1].split("</table>")[0]
    cells = [row.split("<td>")[-1] for row in scorecard.split("<tr>")[2:]]
    assert cells and all(cell.count("<li>") == cell.count("</li>") for cell in cells)
    assert any(cell.count("<li>") >= 2 for cell in cells), "a target with several measures lists each"

    # the evaluation (and so the board pack) gives the partner's reason, for the figure and for
    # the sums it is part of: vehicle crime is theft of and from vehicles and interference
    from reportgen.evaluate.engine import evaluate_store
    from reportgen.periods import Period

    con = app.state.console
    evaluation = evaluate_store(con.config, con.store, Period.parse("2005-03"))
    rows = evaluation.indicators.set_index(["id", "area"])
    assert rows.loc[("theft_of_vehicle", "borough"), "missing_reason"] == f"not available: {REASON}"
    assert rows.loc[("vehicle_crime", "borough"), "missing_reason"] == f"not available: {title}: {REASON}"
    reasons = " ".join(" ".join(r) for r in evaluation.targets["reasons"])
    assert f"not available: {title}: {REASON}" in reasons
    assert "no data for March 2005" not in reasons.split("Vehicle crime")[1][:40]

    # the next download brings the reason back, so a resubmission keeps it
    again = openpyxl.load_workbook(io.BytesIO(police.get("/partner/police/template?period=2005-03").content))
    assert again["Return"]["I2"].value == REASON and again["Return"]["D2"].value is None
    app.state.console.store.dispose()
    app.state.console.db.engine.dispose()
