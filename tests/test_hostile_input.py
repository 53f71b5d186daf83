"""Hostile or careless input found by an adversarial review (issue 13, point 5): each is refused
in one clear line naming the file (and sheet, cell or line), with a non-zero exit, the store's
bytes unchanged and the file quarantined; or, for text that becomes links and CSV exports,
neutralised."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from returns_fixtures import file_digest
from test_returns_bad_input import Setup

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.document import link_spans
from reportgen.periods import Period
from reportgen.returns import signing
from reportgen.returns.ingest import ingest_file
from reportgen.returns.template import write_template
from reportgen.store import Store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def s(tmp_path: Path) -> Setup:
    return Setup(tmp_path)


def _about(path: Path, out: Path, **changes: str | None) -> Path:
    """A copy of a return whose hidden About sheet has some fields changed (None: removed)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["About"]
    for row in list(ws.iter_rows()):
        key = row[0].value
        if key in changes:
            if changes[key] is None:
                row[0].value = row[1].value = None
            else:
                row[1].value = changes[key]
    wb.save(out)
    return out


# --- values ----------------------------------------------------------------------------------
def test_a_fractional_count_is_refused(s: Setup) -> None:
    s.assert_rejected(s.workbook(D2=12.5), "D2: '12.5' is not a whole number, and a count must be")


def test_an_absurd_value_is_refused_naming_the_plausible_range(s: Setup) -> None:
    out = s.assert_rejected(s.workbook(D2=1e30), "D2:", "is outside the plausible range")
    assert "1,000,000,000" in out  # the range it had to be in, so the sender can see why


def test_a_partners_own_plausible_range_is_used(s: Setup) -> None:
    partner = s.root / "partners" / "council.toml"
    text = partner.read_text().replace(
        'id = "graffiti"\ntitle = "Graffiti reports"',
        'id = "graffiti"\ntitle = "Graffiti reports"\nplausible_range = [0, 50]',
    )
    partner.write_text(text)
    wb = openpyxl.load_workbook(s.blank)
    graffiti = next(r for r in range(2, 40) if wb["Return"].cell(r, 1).value == "graffiti")
    s.assert_rejected(s.workbook(**{f"D{graffiti}": 51}), f"D{graffiti}: '51' is outside the plausible range 0 to 50")


def test_a_csv_return_with_two_value_columns_is_refused(s: Setup) -> None:
    path = s.tmp / "council.csv"
    path.write_text("indicator,area,period,value,value\ngraffiti,borough,2022-03,12,99\n")
    s.assert_rejected(
        path,
        "council.csv: has 2 columns named 'value' (columns D and E)",
        extra=("--partner", "council", "--period", "2022-03"),
    )


# --- the About sheet ---------------------------------------------------------------------------
def test_an_about_sheet_edited_to_widen_the_periods_is_refused(s: Setup) -> None:
    edited = _about(s.good, s.tmp / "widened.xlsx", periods="1999-01,2022-03")
    s.assert_rejected(edited, "sheet 'About'", "was changed after the template was made")


def test_an_unsigned_about_sheet_naming_an_impossible_period_is_refused(s: Setup) -> None:
    unsigned = _about(s.good, s.tmp / "unsigned.xlsx", signature=None, periods="2999-01")
    s.assert_rejected(unsigned, "unsigned.xlsx, sheet 'About'", "'2999-01'", "no partner can owe")


def test_an_about_sheet_naming_no_period_names_the_file(s: Setup) -> None:
    unsigned = _about(s.good, s.tmp / "garbled.xlsx", signature=None, periods="March")
    s.assert_rejected(unsigned, "garbled.xlsx, sheet 'About'", "'March', which is not a period")


def test_an_about_sheet_naming_an_unknown_partner_names_the_file(s: Setup) -> None:
    # Before: "no partner 'nobody'" with exit 1, not saying which of the files sent it was.
    unsigned = _about(s.good, s.tmp / "stranger.xlsx", signature=None, partner="nobody")
    out = s.assert_rejected(unsigned, "stranger.xlsx, sheet 'About': names partner 'nobody'", "council, police")
    assert s.ingest(unsigned).exit_code == 3, out


def test_a_csv_sent_as_from_an_unknown_partner_names_the_file(s: Setup) -> None:
    path = s.tmp / "march.csv"
    path.write_text("indicator,area,period,value\ngraffiti,borough,2022-03,12\n")
    s.assert_rejected(
        path,
        "march.csv: was sent as from partner 'counsil' (--partner)",
        extra=("--partner", "counsil", "--period", "2022-03"),
    )


def test_the_signing_key_is_made_once_per_deployment_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(signing.KEY_ENV)
    data = tmp_path / "returns"
    first = signing.signing_key(data)
    assert signing.signing_key(data) == first and len(first) == 64
    assert (data / signing.KEY_FILE).stat().st_mode & 0o077 == 0
    meta = {"partner": "council", "periods": "2022-03"}
    meta["signature"] = signing.signature(meta, first)
    assert signing.verify(meta, first)
    assert not signing.verify({**meta, "periods": "1999-01,2022-03"}, first)
    assert not signing.verify(meta, signing.signing_key(tmp_path / "another-deployment"))


# --- workbooks that would take the machine ------------------------------------------------------
def test_a_zip_bomb_in_shared_strings_is_refused_unread(s: Setup) -> None:
    bomb = s.tmp / "bomb.xlsx"
    with zipfile.ZipFile(s.good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            if name != "xl/sharedStrings.xml":
                out.writestr(name, src.read(name))
        # 64 MiB of one repeated string packs to about 64 KB
        out.writestr("xl/sharedStrings.xml", b"<sst><si><t>" + b"A" * (64 * 2**20) + b"</t></si></sst>")
    assert bomb.stat().st_size < 2**20
    s.assert_rejected(bomb, "bomb.xlsx: member 'xl/sharedStrings.xml' unpacks", "likely zip bomb")


# --- a crash between the store's commit and the archive ----------------------------------------
def test_a_crash_before_archiving_is_finished_on_the_next_send(s: Setup) -> None:
    config = load_config(s.root)
    store = Store(s.url, partnership=config.partnership.id)
    first = ingest_file(config, store, s.good, data_dir=s.data)
    assert first.status == "loaded" and first.kept_at is not None
    # what a crash after the commit and before the rename leaves: loaded, but nothing archived
    for kept in (s.data / "archive").rglob("*"):
        if kept.is_file():
            kept.unlink()
    again = ingest_file(config, store, s.good, data_dir=s.data)
    assert again.status == "unchanged"
    assert again.kept_at is not None and again.kept_at.read_bytes() == s.good.read_bytes()
    sidecar = Path(str(again.kept_at) + ".sha256").read_text()
    assert sidecar.startswith(first.checksum)
    # and a third send finds that archive rather than making another
    assert ingest_file(config, store, s.good, data_dir=s.data).kept_at == again.kept_at


# --- configuration files --------------------------------------------------------------------------
def _evaluate(root: Path, tmp: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["evaluate", "--config", str(root), "--store", f"sqlite:///{tmp / 's.sqlite'}", "--period", "2022-03"]
    )
    return result.exit_code, result.output


def test_a_config_file_that_is_not_utf8_is_one_line(s: Setup) -> None:
    (s.root / "partnership.toml").write_bytes("name = 'Caf\u00e9'\n".encode("latin-1"))
    code, out = _evaluate(s.root, s.tmp)
    assert code == 2, out
    assert "partnership.toml: is not UTF-8 text (byte 0xe9 on line 1)" in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1


def test_a_deeply_nested_config_file_is_one_line(s: Setup) -> None:
    (s.root / "partnership.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    code, out = _evaluate(s.root, s.tmp)
    assert code == 2, out
    assert "partnership.toml: nests tables or arrays more than 24 deep" in out
    assert "Traceback" not in out


def test_a_deeply_nested_schedules_file_is_one_line(tmp_path: Path) -> None:
    schedules = tmp_path / "schedules.toml"
    schedules.write_text("x = " + "[" * 3000 + "]" * 3000 + "\n")
    result = CliRunner().invoke(cli, ["schedules", "--schedules", str(schedules)])
    assert result.exit_code == 2, result.output
    assert "nests tables or arrays" in result.output and "Traceback" not in result.output


# --- text that becomes links -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", "JavaScript:alert(1)", "file:///etc/passwd", "data:text/html,x", "//evil.example"]
)
def test_public_advice_with_a_dangerous_link_is_refused_at_config_load(s: Setup, href: str) -> None:
    path = s.root / "partnership.toml"
    path.write_text(f'public_advice = ["Read [our advice]({href}) first"]\n' + path.read_text())
    code, out = _evaluate(s.root, s.tmp)
    assert code == 2, out
    assert "public_advice" in out and "links may only be https, http or mailto" in out


def test_commentary_with_a_dangerous_link_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    from reportgen.errors import DataError
    from reportgen.reports import commentary

    folder = tmp_path / "commentary" / "2005-03"
    folder.mkdir(parents=True)
    (folder / "drugs.md").write_text("# Drugs\n\nFine text.\nSee [this](file:///etc/passwd).\n")
    with pytest.raises(DataError) as caught:
        commentary.load(tmp_path, Period.parse("2005-03"))
    assert "drugs.md" in str(caught.value) and "row 4" in str(caught.value)
    assert "file:///etc/passwd" in str(caught.value)


def test_a_dangerous_link_that_gets_through_is_never_live() -> None:
    spans = link_spans("See [x](javascript:alert(1)) or [site](https://example.org) or [doc](leaflet.pdf)")
    assert ("x", None) in spans
    assert ("site", "https://example.org") in spans and ("doc", "leaflet.pdf") in spans


# --- CSV exports ----------------------------------------------------------------------------------------
def test_evaluate_csv_neutralises_formula_text(s: Setup, tmp_path: Path) -> None:
    path = s.root / "partnership.toml"
    path.write_text(path.read_text().replace('name = "North"', 'name = "=HYPERLINK(\\"http://x\\",\\"y\\")"'))
    db = tmp_path / "csv.sqlite"
    assert (
        CliRunner()
        .invoke(
            cli,
            [
                "returns",
                "ingest",
                "--config",
                str(s.root),
                "--store",
                f"sqlite:///{db}",
                "--data-dir",
                str(tmp_path / "r"),
                str(s.good),
            ],
        )
        .exit_code
        == 0
    )
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "--config",
            str(s.root),
            "--store",
            f"sqlite:///{db}",
            "--period",
            "2022-03",
            "--area",
            "all",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    import csv
    import io

    cells = [c for row in csv.reader(io.StringIO(result.output)) for c in row]
    assert any(c.startswith("'=HYPERLINK(") for c in cells), "the area name should be there, neutralised"
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_template_and_ingest_agree_across_a_fresh_deployment_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the tests' shared key: a template made with a deployment's key file is accepted
    by ingest on that deployment (the key file is found, not remade)."""
    from returns_fixtures import fill_template, write_config

    monkeypatch.delenv(signing.KEY_ENV)
    root = write_config(tmp_path / "cfg")
    config = load_config(root)
    data = tmp_path / "returns"
    made = write_template(
        config,
        "council",
        [Period.parse("2022-03")],
        tmp_path / "t.xlsx",
        data_dir=data,
        now=dt.datetime(2022, 4, 1, tzinfo=dt.UTC),
    )
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}", partnership=config.partnership.id)
    result = ingest_file(config, store, fill_template(made.path), data_dir=data)
    assert result.status == "loaded", result.problems
    assert file_digest(tmp_path / "s.sqlite")


def test_a_mistyped_source_type_stops_the_pull_before_any_partner_loads(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "cfg"
    shutil.copytree(REPO / "data_sources", root, ignore=shutil.ignore_patterns("commentary"))
    fire = root / "partners" / "fire.toml"
    fire.write_text(fire.read_text().replace('type = "csv"', 'type = "cvs"', 1))
    db = tmp_path / "s.sqlite"
    result = CliRunner().invoke(cli, ["pull", "--config", str(root), "--store", f"sqlite:///{db}"])
    assert result.exit_code == 2, result.output
    assert "partners/fire.toml: sources (id='incidents').type: 'cvs' is not a source type" in result.output
    assert "did you mean 'csv'?" in result.output
    assert not db.exists(), "refused before the store was opened, so no partner loaded"
    assert not db.exists(), "nothing was loaded, not even an empty store made"


@pytest.mark.parametrize("command", [["evaluate", "--period", "2005-03"], ["run", "board-pack", "--period", "2005-03"]])
def test_a_mistyped_source_type_is_refused_when_the_config_loads(tmp_path: Path, command: list[str]) -> None:
    """Not only `pull`: every command that loads the config names the slip, before anything runs."""
    import shutil

    root = tmp_path / "cfg"
    shutil.copytree(REPO / "data_sources", root, ignore=shutil.ignore_patterns("commentary"))
    fire = root / "partners" / "fire.toml"
    fire.write_text(fire.read_text().replace('type = "csv"', 'type = "cvs"', 1))
    db = tmp_path / "s.sqlite"
    result = CliRunner().invoke(cli, [*command, "--config", str(root), "--store", f"sqlite:///{db}"])
    assert result.exit_code != 0, result.output
    assert "partners/fire.toml: sources (id='incidents').type: 'cvs' is not a source type" in result.output
    assert "did you mean 'csv'?" in result.output


def test_the_config_knows_exactly_the_connectors_that_exist() -> None:
    from reportgen.config.models import SOURCE_TYPES
    from reportgen.sources import get_source_class, known_types

    assert sorted(SOURCE_TYPES) == known_types()
    for name in SOURCE_TYPES:  # each name really imports a registered connector
        assert get_source_class(name).type_name == name


def test_a_broken_police_uk_row_is_named_by_its_real_line(tmp_path: Path) -> None:
    """An unterminated quote on line 300 of a real Cleveland file: the error names line 300, not
    'after line 1' (where the chunk the reader was on began)."""
    import gzip

    from reportgen.errors import DataError
    from reportgen.sources.policeuk import _chunks

    source = REPO / "examples" / "hartlepool" / "data" / "police-uk" / "2022-03-cleveland-street.csv.gz"
    lines = gzip.decompress(source.read_bytes()).decode("utf-8").splitlines()
    assert "On or near" in lines[299]
    lines[299] = lines[299].replace("On or near", '"On or near', 1)  # the 300th line of the file
    broken = tmp_path / "2022-03-cleveland-street.csv"
    broken.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        list(_chunks(broken, ["Month", "Crime type", "LSOA code"], 1_000_000))
    assert "line 300: is not a well-formed police.uk row" in str(caught.value)
    assert "after line 1" not in str(caught.value)
