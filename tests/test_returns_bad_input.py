"""Every kind of bad input a partner can send: each is rejected with a clear message that
names the place, the command exits non-zero, the file is quarantined with its error
report, and the store's bytes are exactly as they were."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from returns_fixtures import REPO, file_digest, fill_template, write_config

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.periods import Period
from reportgen.returns.ingest import ingest_file
from reportgen.returns.template import write_template
from reportgen.store import Store


class Setup:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.root = write_config(tmp / "cfg")
        self.db = tmp / "store.sqlite"
        self.url = f"sqlite:///{self.db}"
        self.data = tmp / "returns"
        config = load_config(self.root)
        # the store already holds February, so "unchanged" means unchanged, not still empty
        feb = write_template(config, "council", [Period.parse("2022-02")], tmp / "feb.xlsx").path
        store = Store(self.url, partnership="testborough-csp")
        assert (
            ingest_file(config, store, fill_template(feb), data_dir=tmp / "setup-returns").status == "loaded"
        )
        store.dispose()
        self.blank = write_template(config, "council", [Period.parse("2022-03")], tmp / "blank.xlsx").path
        self.good = fill_template(self.blank, tmp / "good.xlsx")

    def workbook(self, name: str = "council-march.xlsx", **values: object) -> Path:
        """A filled March return with some cells typed differently."""
        return fill_template(self.blank, self.tmp / name, values=values)

    def ingest(self, path: Path, *extra: str):  # type: ignore[no-untyped-def]
        args = ["returns", "ingest", "--config", str(self.root), "--store", self.url]
        return CliRunner().invoke(cli, [*args, "--data-dir", str(self.data), *extra, str(path)])

    def assert_rejected(self, path: Path, *messages: str, extra: tuple[str, ...] = ()) -> str:
        before = file_digest(self.db)
        result = self.ingest(path, *extra)
        assert result.exit_code != 0, result.output
        for message in messages:
            assert message in result.output
        assert "1 rejected" in result.output
        assert file_digest(self.db) == before, "the store changed"
        if path.is_file():
            kept = [p for p in (self.data / "quarantine").iterdir() if p.name.endswith(".errors.txt")]
            assert len(kept) == 1
            report = kept[0].read_text()
            assert "nothing from this file was loaded" in report
            for message in messages:
                assert message in report
        return result.output


@pytest.fixture
def s(tmp_path: Path) -> Setup:
    return Setup(tmp_path)


def test_the_good_file_is_accepted(s: Setup) -> None:
    before = file_digest(s.db)
    result = s.ingest(s.good)
    assert result.exit_code == 0, result.output
    assert file_digest(s.db) != before


def test_wrong_sheet(s: Setup) -> None:
    wb = openpyxl.load_workbook(s.good)
    wb["Return"].title = "Sheet1"
    wb.save(s.tmp / "renamed.xlsx")
    s.assert_rejected(
        s.tmp / "renamed.xlsx", "has no sheet 'Return'", "sheets found: 'Instructions', 'Sheet1'"
    )


def test_missing_sheet(s: Setup) -> None:
    wb = openpyxl.load_workbook(s.good)
    del wb["Return"]
    wb.save(s.tmp / "no-return.xlsx")
    s.assert_rejected(s.tmp / "no-return.xlsx", "has no sheet 'Return'")


def test_text_in_a_value_cell(s: Setup) -> None:
    s.assert_rejected(
        s.workbook(D5="twelve"), "council-march.xlsx, sheet 'Return': D5: 'twelve' is not a number"
    )


def test_blank_value_cell(s: Setup) -> None:
    s.assert_rejected(s.workbook(D3=None), "D3: '' is blank: every value cell needs a number")


def test_negative_count(s: Setup) -> None:
    s.assert_rejected(s.workbook(D2=-3), "D2: '-3' is negative")


def test_percentage_above_100(s: Setup) -> None:
    wb = openpyxl.load_workbook(s.good)
    ws = wb["Return"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "cleanliness")
    ws.cell(row, 4, 140)
    wb.save(s.tmp / "pct.xlsx")
    s.assert_rejected(s.tmp / "pct.xlsx", f"D{row}: '140' is above 100 for a percentage")


def test_every_problem_is_listed_in_the_report(s: Setup) -> None:
    path = s.workbook(D2="x", D3=-1, D4=None)
    output = s.assert_rejected(path, "D2: 'x' is not a number")
    assert "(and 2 more problems)" in output
    report = next((s.data / "quarantine").glob("*.errors.txt")).read_text()
    assert "D3: '-1' is negative" in report and "D4: '' is blank" in report
    assert "D2" in output


def test_period_outside_the_return(s: Setup) -> None:
    s.assert_rejected(s.workbook(C2="2021-01"), "C2: '2021-01' is not a period this return covers")


def test_unknown_indicator(s: Setup) -> None:
    s.assert_rejected(s.workbook(A2="graffitti"), "A2: 'graffitti' is not a known indicator")


def test_indicator_of_another_partner(s: Setup) -> None:
    s.assert_rejected(s.workbook(A2="burglary"), "A2: 'burglary' is not an indicator council owns")


def test_unknown_area(s: Setup) -> None:
    s.assert_rejected(s.workbook(B2="westside"), "B2: 'westside' is not a known area")


def test_duplicate_rows(s: Setup) -> None:
    wb = openpyxl.load_workbook(s.good)
    ws = wb["Return"]
    last = ws.max_row
    for col in range(1, 5):
        ws.cell(last + 1, col, ws.cell(2, col).value)
    ws.cell(last + 1, 4, 99)
    wb.save(s.tmp / "dup.xlsx")
    s.assert_rejected(
        s.tmp / "dup.xlsx",
        f"row {last + 1}: a second value for {ws.cell(2, 1).value} / {ws.cell(2, 2).value} / 2022-03",
        "(the first is at row 2)",
    )


def test_empty_file(s: Setup) -> None:
    (s.tmp / "empty.xlsx").write_bytes(b"")
    s.assert_rejected(s.tmp / "empty.xlsx", "empty.xlsx: is empty (0 bytes)")


def test_workbook_with_no_rows(s: Setup) -> None:
    wb = openpyxl.load_workbook(s.blank)
    ws = wb["Return"]
    ws.delete_rows(2, ws.max_row)
    wb.save(s.tmp / "header-only.xlsx")
    s.assert_rejected(s.tmp / "header-only.xlsx", "has a header on row 1 but no rows of data below it")


def test_truncated_xlsx(s: Setup) -> None:
    data = s.good.read_bytes()
    (s.tmp / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    s.assert_rejected(s.tmp / "truncated.xlsx", "truncated.xlsx: is not a readable .xlsx workbook")


def test_corrupted_xlsx_bytes(s: Setup) -> None:
    data = bytearray(s.good.read_bytes())
    for i in range(0, len(data), 97):
        data[i] ^= 0x5A
    (s.tmp / "corrupt.xlsx").write_bytes(bytes(data))
    # The template's bytes differ run to run (it is stamped with the time), so the flipped bytes
    # land in different places: the zip may not open at all, or open with a sheet that cannot be read.
    output = s.assert_rejected(s.tmp / "corrupt.xlsx", "corrupt.xlsx")
    assert "is not a readable .xlsx workbook" in output or "cannot be read" in output, output


def test_corrupted_sheet_inside_a_valid_zip(s: Setup) -> None:
    target = s.tmp / "bad-sheet.xlsx"
    with zipfile.ZipFile(s.good) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                body = body[: len(body) // 2]  # the Return sheet's XML cut off half way
            dst.writestr(item, body)
    output = s.assert_rejected(target, "bad-sheet.xlsx")
    assert "cannot be read" in output or "is not a readable .xlsx workbook" in output


def test_not_a_workbook_at_all(s: Setup) -> None:
    (s.tmp / "letter.xlsx").write_text("Dear partnership, please find our figures attached.")
    s.assert_rejected(s.tmp / "letter.xlsx", "letter.xlsx: is not a readable .xlsx workbook")


def test_csv_in_the_wrong_encoding(s: Setup) -> None:
    path = s.tmp / "council.csv"
    text = "indicator,area,period,value,notes\ngraffiti,borough,2022-03,12,Cost £40 to clean\n"
    path.write_bytes(text.encode("cp1252"))
    s.assert_rejected(
        path,
        "council.csv: is not valid utf-8 text (found byte 0xa3)",
        "save the file as 'CSV UTF-8'",
        extra=("--partner", "council", "--period", "2022-03"),
    )


def test_csv_return_in_utf8_is_accepted(s: Setup) -> None:
    path = s.tmp / "council.csv"
    path.write_text("indicator,area,period,value,notes\ngraffiti,borough,2022-03,12,Cost £40 to clean\n")
    result = s.ingest(path, "--partner", "council", "--period", "2022-03")
    assert result.exit_code == 0, result.output
    assert Store(s.url, partnership="testborough-csp").history("graffiti", "borough", "2022-03")["value"].tolist() == [12.0]


def _ingest_in_subprocess(s: Setup, path: Path, *extra: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run the real command in a fresh interpreter; return it and its peak memory (MB)."""
    script = (
        "import resource, sys\n"
        "from reportgen.cli import main\n"
        "try:\n    main()\n"
        "finally:\n"
        "    print(f'peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}',"
        " file=sys.stderr)\n"
    )
    args = ["returns", "ingest", "--config", str(s.root), "--store", s.url, "--data-dir", str(s.data)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    command = [sys.executable, "-c", script, *args, *extra, str(path)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    peak = float(re.search(r"peak_rss_mb=(\d+)", proc.stderr)[1])
    return proc, peak


def test_csv_of_millions_of_rows_is_refused_with_bounded_memory(s: Setup) -> None:
    path = s.tmp / "huge.csv"
    with path.open("w") as fh:
        fh.write("indicator,area,period,value\n")
        block = "graffiti,borough,2022-03,1\n" * 100_000
        for _ in range(20):  # 2,000,000 rows, 54 MB
            fh.write(block)
    before = file_digest(s.db)
    proc, peak = _ingest_in_subprocess(s, path, "--partner", "council", "--period", "2022-03")
    assert proc.returncode != 0
    assert "huge.csv: has more than 10,000 rows; refused without reading further" in proc.stderr
    assert file_digest(s.db) == before
    # bounded: no more than ingesting a normal return, where reading it whole would take over 1 GB
    _, normal = _ingest_in_subprocess(s, s.good)
    assert peak < normal + 50, f"peak {peak:.0f} MB, a normal return {normal:.0f} MB"


def _huge_xlsx(path: Path, rows: int) -> None:
    """A real .xlsx whose Return sheet has a header and ``rows`` rows, written as raw
    SpreadsheetML (openpyxl would take minutes). Like every file Excel writes, it states
    its size in a <dimension> element (without one, openpyxl scans the whole sheet
    before reading a row: slow, though still in bounded memory)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets>'
            '<sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            head = "".join(
                f'<c r="{c}1" t="inlineStr"><is><t>{t}</t></is></c>'
                for c, t in zip("ABCD", ("Indicator", "Area", "Period", "Value"), strict=True)
            )
            fh.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}>'
                f'<dimension ref="A1:D{rows + 1}"/><sheetData>'
                f'<row r="1">{head}</row>'.encode()
            )
            for start in range(2, rows + 2, 50_000):
                fh.write(
                    "".join(
                        f'<row r="{n}"><c r="D{n}"><v>1</v></c></row>'
                        for n in range(start, min(start + 50_000, rows + 2))
                    ).encode()
                )
            fh.write(b"</sheetData></worksheet>")


def test_xlsx_of_millions_of_rows_is_refused_with_bounded_memory(s: Setup) -> None:
    path = s.tmp / "huge.xlsx"
    _huge_xlsx(path, 2_000_000)
    before = file_digest(s.db)
    proc, peak = _ingest_in_subprocess(s, path)
    assert proc.returncode != 0
    assert "huge.xlsx, sheet 'Return': has more than 10,000 rows of data" in proc.stderr
    assert file_digest(s.db) == before
    _, normal = _ingest_in_subprocess(s, s.good)
    assert peak < normal + 50, f"peak {peak:.0f} MB, a normal return {normal:.0f} MB"


@pytest.mark.parametrize("text", ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A3)"])
def test_formula_text_in_a_value_cell_is_never_evaluated(s: Setup, text: str) -> None:
    wb = openpyxl.load_workbook(s.good)
    ws = wb["Return"]
    ws["D2"] = text
    ws["D2"].data_type = "s"  # typed as text, the way a CSV export or a pasted value arrives
    wb.save(s.tmp / "formula.xlsx")
    s.assert_rejected(s.tmp / "formula.xlsx", f"D2: {text!r} is not a number (text that looks like a formula")
    report = next((s.data / "quarantine").glob("*.errors.json")).read_text()
    assert text.replace("'", "\\'") in report or text in report  # kept as text, for the sender to see


def test_formula_text_in_a_label_cell_is_stored_as_text_and_rejected(s: Setup) -> None:
    wb = openpyxl.load_workbook(s.good)
    ws = wb["Return"]
    ws["A2"] = '=HYPERLINK("http://evil.example","graffiti")'
    ws["A2"].data_type = "s"
    wb.save(s.tmp / "label.xlsx")
    s.assert_rejected(
        s.tmp / "label.xlsx", 'A2: \'=HYPERLINK("http://evil.example","graffiti")\' is not a known'
    )


def test_a_real_formula_without_a_saved_result_is_not_evaluated(s: Setup) -> None:
    wb = openpyxl.load_workbook(s.good)
    wb["Return"]["D2"] = "=SUM(1,2)"  # a formula cell; openpyxl saves no calculated value
    wb.save(s.tmp / "live.xlsx")
    s.assert_rejected(s.tmp / "live.xlsx", "D2: '' is blank")


@pytest.mark.parametrize(
    "name",
    ["..%2F..%2Fescape.xlsx", "council\u202eslx.xlsx", "return; rm -rf ~.xlsx", "....xlsx", "new\nline.xlsx"],
)
def test_odd_file_names_stay_inside_the_quarantine(s: Setup, name: str) -> None:
    inner = s.tmp / "inbox" / "deep"
    inner.mkdir(parents=True)
    path = inner / name
    shutil.copy(s.workbook(D2="bad"), path)
    # also reach it through "../" in the path given
    via = s.tmp / "inbox" / "deep" / ".." / "deep" / name
    s.assert_rejected(via, "D2: 'bad' is not a number")
    quarantine = (s.data / "quarantine").resolve()
    for kept in quarantine.iterdir():
        assert kept.resolve().parent == quarantine
        assert all(ch.isalnum() or ch in "._-" for ch in kept.name)
    assert not (s.tmp / "escape.xlsx").exists() and not list(s.tmp.glob("*escape*"))


def test_an_odd_file_name_with_good_content_is_archived_safely(s: Setup) -> None:
    path = s.tmp / "..council march (final!).xlsx"
    shutil.copy(s.good, path)
    result = s.ingest(path)
    assert result.exit_code == 0, result.output
    archive = (s.data / "archive" / "council").resolve()
    names = [p.name for p in archive.iterdir()]
    assert any(n.endswith("-council_march_final.xlsx") for n in names), names


def test_a_file_that_does_not_exist(s: Setup) -> None:
    s.assert_rejected(s.tmp / "nowhere.xlsx", "nowhere.xlsx: does not exist")


def test_a_file_that_is_not_a_return(s: Setup) -> None:
    (s.tmp / "notes.txt").write_text("figures to follow")
    s.assert_rejected(s.tmp / "notes.txt", "notes.txt: is not a data return: expected .xlsx or .csv")
