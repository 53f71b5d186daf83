"""Config that cannot print nonsense: a baseline that cannot be compared is refused at load
naming file, key and why; contact sentences whose phone or email is not configured are left
out; one manifest per output folder lists every variant written there, even when runs race."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from hartlepool_kit import copy_example, docx_text, in_both, pdf_text, pull, run
from pdf_reading import squash

from reportgen.config import load_config
from reportgen.errors import ConfigError
from reportgen.manifest import MANIFEST_NAME, write_merged
from reportgen.reports.leaflet import formats_line

STRATEGY = "strategies/illustrative.toml"


@pytest.fixture(scope="module")
def hartlepool(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("hartlepool")
    root = copy_example(base / "config")
    return {"root": root, "url": pull(root, base / "store.sqlite"), "base": base}


def set_baseline(root: Path, period: str) -> None:
    path = root / STRATEGY
    text = path.read_text()
    path.write_text(re.sub(r'^baseline_period = ".*"$', f'baseline_period = "{period}"', text, flags=re.M))


# --- baselines ------------------------------------------------------------------------------------
def test_quarter_baseline_for_a_count_is_refused_naming_file_key_and_why(hartlepool: dict, tmp_path: Path) -> None:
    root = copy_example(tmp_path / "quarter")
    set_baseline(root, "2022-Q2")
    code, out, err = run("evaluate", "--config", str(root), "--store", hartlepool["url"], "--period", "2023-03")
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    line = lines[0]
    assert f"quarter/{STRATEGY}: baseline_period: '2022-Q2' is a quarter (3 months)" in line
    assert "targets[0] (id='all-crime').measures[0] on 'all_crime'" in line
    assert "compare 12 months with 3" in line and "Hint: use a financial year such as '2022/23'" in line
    # what it used to print instead: a steady year of crime against one quarter of it
    assert "296%" not in err


def test_comparable_baselines_still_load(tmp_path: Path) -> None:
    # a 12-month baseline, or a quarter baseline for a measure that is a share (the gap), loads
    root = copy_example(tmp_path / "year")
    set_baseline(root, "2022/23")
    assert load_config(root).strategies[0].baseline_period == "2022/23"
    gap_only = copy_example(tmp_path / "gap")
    text = (gap_only / STRATEGY).read_text()
    head, _, _ = text.partition("[[targets]]")
    gap = text[text.index('id = "priority-neighbourhoods"') :]
    (gap_only / STRATEGY).write_text(head + "[[targets]]\n" + gap.replace("number = 4", "number = 1"))
    set_baseline(gap_only, "2022-Q2")
    assert load_config(gap_only).strategies[0].baseline_period == "2022-Q2"
    # and a count with a given 12-month baseline value does not depend on the period's length
    given = copy_example(tmp_path / "given")
    set_baseline(given, "2022-Q2")
    path = given / STRATEGY
    path.write_text(
        path.read_text().replace(
            '{ indicator = "all_crime", change_pct = -10 }',
            '{ indicator = "all_crime", change_pct = -10, baseline_value = 13978 }',
        )
    )
    with pytest.raises(ConfigError, match=r"targets\[1\] \(id='asb'\)"):  # the next count is still refused
        load_config(given)


# --- contacts -------------------------------------------------------------------------------------
def leaflet(h: dict, out: Path, *flags: str) -> tuple[int, str, str]:
    return run("run", "leaflet", "--period", "2023-Q1", "--config", str(h["root"]), "--store", h["url"],
               "--out", str(out), "--executor", "local://1", *flags)  # fmt: skip


@pytest.fixture(scope="module")
def leaflets(hartlepool: dict) -> dict:
    """The standard, poster and large-print leaflets for 2023-Q1, one after another in one folder."""
    out = hartlepool["base"] / "out"
    errors = [leaflet(hartlepool, out, *flags) for flags in ((), ("--poster",), ("--large-print",))]
    for code, _out, err in errors:
        assert code == 0, err
    return {"folder": out / "leaflet" / "2023-Q1"}


def test_empty_phone_and_email_leave_their_sentences_out(hartlepool: dict, leaflets: dict) -> None:
    contact = load_config(hartlepool["root"]).partnership.contact
    assert contact.phone == "" and contact.email == ""  # the example gives neither
    folder = leaflets["folder"]
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == 3
    for pdf in pdfs:
        docx = pdf.with_suffix(".docx")
        for text in (pdf_text(pdf), docx_text(docx)):
            flat = squash(text)
            assert "Pleasering" not in flat and "phone." not in flat and "Questions:" not in text
        assert in_both("Contact us", pdf, docx) or in_both("Find out more", pdf, docx)


def test_a_configured_phone_is_offered(hartlepool: dict) -> None:
    config = load_config(hartlepool["root"])
    contact = config.partnership.contact.model_copy(update={"phone": "01429 266522"})
    partnership = config.partnership.model_copy(update={"contact": contact})
    with_phone = config.model_copy(update={"partnership": partnership})
    line = formats_line(with_phone)
    assert "01429 266522" in line and "large print" in line
    assert formats_line(config) == ""


# --- one manifest per folder ----------------------------------------------------------------------
def test_one_manifest_lists_every_variant_written_to_the_folder(leaflets: dict) -> None:
    folder = leaflets["folder"]
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    on_disk = sorted(p.name for p in folder.iterdir() if p.suffix in (".pdf", ".docx"))
    assert len(on_disk) == 6  # standard, poster and large print, each PDF and Word
    assert sorted(f["name"] for f in manifest["files"]) == on_disk
    variants = [v["variant"] for v in manifest["variants"]]
    assert variants == [{}, {"poster": True}, {"large_print": True}]
    standard = next(v for v in manifest["variants"] if v["variant"] == {})
    assert sorted(f["name"] for f in standard["files"]) == ["leaflet.docx", "leaflet.pdf"]
    assert manifest["variant"] == {"large_print": True}  # the top level is still the latest run


def test_rewriting_a_variant_replaces_only_its_own_entry(tmp_path: Path) -> None:
    folder = tmp_path / "leaflet" / "2005-Q1"
    folder.mkdir(parents=True)

    def entry(variant: dict, names: list[str], stamp: str) -> dict:
        for name in names:
            (folder / name).write_text(stamp)
        files = [{"name": n, "sha256": stamp} for n in names]
        return {"report": "leaflet", "variant": variant, "version": None, "generated_at": stamp, "files": files}

    write_merged(folder, entry({}, ["leaflet.pdf"], "first"))
    write_merged(folder, entry({"area": "hindley"}, ["leaflet-hindley.pdf"], "second"))
    write_merged(folder, entry({}, ["leaflet.pdf"], "third"))
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert [(v["variant"], v["generated_at"]) for v in manifest["variants"]] == [
        ({"area": "hindley"}, "second"),
        ({}, "third"),
    ]
    assert [f["name"] for f in manifest["files"]] == ["leaflet-hindley.pdf", "leaflet.pdf"]
    # a variant whose files have since been removed is no longer listed
    (folder / "leaflet-hindley.pdf").unlink()
    write_merged(folder, entry({"poster": True}, ["leaflet-poster.pdf"], "fourth"))
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert [v["generated_at"] for v in manifest["variants"]] == ["third", "fourth"]


def test_runs_racing_on_one_folder_are_all_listed(tmp_path: Path) -> None:
    folder = tmp_path / "leaflet" / "2005-Q1"
    folder.mkdir(parents=True)
    n = 12
    start = threading.Barrier(n)
    failures: list[BaseException] = []

    def one(i: int) -> None:
        name = f"leaflet-area-{i}.pdf"
        (folder / name).write_text(str(i))
        start.wait()
        try:
            write_merged(folder, {"variant": {"area": f"area-{i}"}, "version": None, "files": [{"name": name}]})
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert sorted(f["name"] for f in manifest["files"]) == sorted(f"leaflet-area-{i}.pdf" for i in range(n))
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
