"""`reportgen run leaflet --alt-formats`: Braille, audio, plain text and easy read beside
the leaflet, listed in the manifest, and the Braille reads back to the leaflet's figures."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from demo_reports import DEMO, demo_store

from reportgen.altformats.braille import back_translate, brf_lines
from reportgen.cli import cli
from reportgen.config import load_config

PERIOD = "2005-Q1"
NEEDED = ("lou_translate", "espeak-ng", "lame", "pdftotext")

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in NEEDED),
                                reason="liblouis-bin, espeak-ng, lame and poppler-utils are needed")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("alt-formats")
    store = demo_store(root)
    result = CliRunner().invoke(cli, ["run", "leaflet", "--period", PERIOD, "--config", str(DEMO), "--store", store,
                                      "--out", str(root / "out"), "--alt-formats"])
    assert result.exit_code == 0, result.output
    return root / "out" / "leaflet" / PERIOD


def test_every_format_is_written_beside_the_leaflet_and_listed(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = {f["name"]: f for f in manifest["files"]}
    wanted = {"leaflet.pdf": "pdf", "leaflet.docx": "docx", "leaflet.brf": "brf", "leaflet.mp3": "mp3",
              "leaflet.txt": "txt", "leaflet-easy-read.html": "easy-read", "leaflet-easy-read.pdf": "easy-read-pdf"}
    assert {name: f["format"] for name, f in listed.items()} == wanted
    for name, entry in listed.items():
        data = (folder / name).read_bytes()
        assert entry["bytes"] == len(data) > 0
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert all(listed[n]["alternative_for"] == "leaflet" for n in wanted if n.split(".")[-1] not in ("pdf", "docx"))
    assert manifest["variant"] == {"alt_formats": True}
    assert "alt_formats" not in manifest  # nothing to say for an English leaflet
    assert sorted(p.name for p in folder.iterdir()) == sorted([*wanted, "manifest.json"])


def _chart_boxes(page: Any) -> list[dict[str, Any]]:
    """A chart's plot area: a box crossed from side to side by grid lines, with a
    plotted line (a curve) inside it; a table's ruled rows have no curve."""

    def grid_lines(box: dict[str, Any]) -> int:
        return sum(1 for line in page.lines if abs(line["x0"] - box["x0"]) < 1 and abs(line["x1"] - box["x1"]) < 1
                   and box["top"] <= line["top"] <= box["bottom"])

    def plotted(box: dict[str, Any]) -> bool:
        return any(box["x0"] <= c["x0"] and c["x1"] <= box["x1"] + 5 and box["top"] <= c["top"] <= box["bottom"]
                   for c in page.curves)

    # a chart's plot area is tall, with a grid line per tick; a status pill in a table is one row high
    return [box for box in page.rects if box["bottom"] - box["top"] >= 50 and grid_lines(box) >= 3 and plotted(box)]


def _text_outside_charts(pdf: Path) -> str:
    """The PDF's words except those a chart draws (its axis ticks: a chart speaks through its alt
    text, which the Braille carries): the words level with a plot area or just below it (dates)."""
    import pdfplumber

    words: list[str] = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            boxes = _chart_boxes(page)
            for word in page.extract_words():
                middle = (word["top"] + word["bottom"]) / 2
                if not any(box["top"] - 10 <= middle <= box["bottom"] + 25 for box in boxes):
                    words.append(word["text"])
    return " ".join(words)


def test_braille_reads_back_to_the_leaflets_figures_and_phone_number(folder: Path) -> None:
    back = " ".join(back_translate(brf_lines((folder / "leaflet.brf").read_bytes())))
    # page furniture and the publication date are not the leaflet's figures
    body = re.sub(r"Page \d+ of \d+|Published \d+ \w+ \d{4}", "", _text_outside_charts(folder / "leaflet.pdf"))
    figures = {t.rstrip(".,") for t in re.findall(r"\d[\d,.]*%?", body) if len(re.sub(r"\D", "", t)) >= 2}
    assert len(figures) > 20
    missing = sorted(t for t in figures if t not in back)
    assert missing == []
    phone = load_config(DEMO).partnership.alternative_formats_phone
    assert phone and phone in back


def test_audio_and_easy_read_carry_the_headline(folder: Path) -> None:
    from mutagen.mp3 import MP3

    audio = MP3(folder / "leaflet.mp3")
    assert "Community safety in Wigan borough" in str(audio.tags["TIT2"])
    assert audio.info.length > 60  # a two-sided leaflet read aloud takes minutes, not seconds
    html = (folder / "leaflet-easy-read.html").read_text(encoding="utf-8")
    text = (folder / "leaflet.txt").read_text(encoding="utf-8")
    headline = re.search(r"Crime is down \d+%", text)
    assert headline and headline.group(0) in html


def test_scheduled_leaflet_asks_for_alternative_formats() -> None:
    schedules = tomllib.loads((Path(__file__).resolve().parents[1] / "schedules.toml").read_text())
    leaflet = next(j for j in schedules["jobs"] if j["id"] == "leaflet")
    assert leaflet["variant"].get("alt_formats") is True


COLOUR_WORDS = re.compile(r"\b(red|amber|green|on track|off track)\b", re.IGNORECASE)


def test_no_alternative_format_speaks_in_colours_or_jargon(folder: Path) -> None:
    """A status is said in words in every alternative format: never a colour, never "on track"."""
    import pdfplumber
    from mutagen.id3 import ID3

    back = "\n".join(back_translate(brf_lines((folder / "leaflet.brf").read_bytes())))
    texts = {
        "leaflet.brf (back-translated)": back,
        "leaflet.txt": (folder / "leaflet.txt").read_text(encoding="utf-8"),
        "leaflet-easy-read.html": (folder / "leaflet-easy-read.html").read_text(encoding="utf-8"),
        "leaflet.mp3 tags": " ".join(str(f) for f in ID3(folder / "leaflet.mp3").values()),
        "leaflet-easy-read.pdf": "\n".join(p.extract_text() for p in pdfplumber.open(folder / "leaflet-easy-read.pdf").pages),
    }
    for name, text in texts.items():
        assert len(text) > 500 or name.endswith("tags"), name
        assert COLOUR_WORDS.findall(text) == [], name
    # the statuses are there, in words (the leaflet's table has judged rows)
    assert "on course for the target" in texts["leaflet.txt"]


def test_audio_has_a_chapter_per_section_at_a_comfortable_rate(folder: Path) -> None:
    """CHAP frames, listed in order by a CTOC, one per top-level heading of the plain text,
    starting where the audio actually is; spoken at about 150-160 words a minute (140-170 allowed), pauses included."""
    from mutagen.id3 import ID3
    from mutagen.mp3 import MP3

    from reportgen.altformats.speech import to_speech

    mp3 = folder / "leaflet.mp3"
    length_ms = MP3(mp3).info.length * 1000
    tags = ID3(mp3)
    (toc,) = tags.getall("CTOC")
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    ordered = [chaps[i] for i in toc.child_element_ids]
    assert len(ordered) == len(chaps) >= 4
    starts = [c.start_time for c in ordered]
    assert starts[0] == 0 and starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all(c.end_time <= length_ms + 100 for c in ordered) and ordered[-1].end_time > length_ms - 1500
    # a pause of at least a second between one chapter's end and the next one's start
    assert all(b.start_time - a.end_time >= 1000 for a, b in zip(ordered, ordered[1:], strict=False))
    # chapter titles are the title and the level-1 headings of the plain text, in order
    text = (folder / "leaflet.txt").read_text(encoding="utf-8").splitlines()
    headings = [text[i - 1] for i, line in enumerate(text) if line and set(line) == {"="}]
    assert [str(c.sub_frames.getall("TIT2")[0]) for c in ordered] == headings
    # rate: the words of the text as spoken, over the whole file's duration
    words = [w for w in to_speech("\n".join(text)).split() if re.search(r"[A-Za-z0-9]", w) and set(w) != {"="}]
    rate = len(words) / (length_ms / 60000)
    # about 150-160 (the speed is set for that); the exact figure moves with the text's words
    assert 140 <= rate <= 170, rate


def test_easy_read_pdf_has_a_picture_beside_every_idea_large_text_and_no_rates(folder: Path, tmp_path: Path) -> None:
    import pdfplumber
    from pdf_reading import tagged_elements
    from PIL import Image

    from reportgen.altformats.easyread_pdf import PICTOGRAMS

    path = folder / "leaflet-easy-read.pdf"
    dpi = 72  # one pixel a point
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(path), str(tmp_path / "p")], check=True)
    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
        sizes = {round(c["size"], 1) for page in pdf.pages for c in page.chars}
        for page in pdf.pages:
            image = Image.open(next(tmp_path.glob(f"p-*{page.page_number}.png"))).convert("L")
            lines = [line for line in page.extract_text_lines() if not line["text"].startswith("Page ")]
            ideas = [line for line in lines if line["x0"] > 100]  # the text column beside the pictures
            assert ideas, page.page_number
            for idea in ideas:  # every line of text has ink in the picture column beside it
                band = image.crop((30, int(idea["top"]), int(idea["x0"]) - 8, int(idea["bottom"])))
                dark = sum(band.histogram()[:100])  # pixels darker than mid-grey
                assert dark > 20, (page.page_number, idea["text"])
    # the pictures are decoration (Artifacts): the words carry the meaning, read once
    assert not [t for t in tagged_elements(path) if t.type == "Figure"]
    assert min(sizes) >= 14, sorted(sizes)
    # counts and plain comparisons, never a rate
    assert not re.search(r"per 1,000|for every 1,000|for every 100\b", text)
    assert "Burglaries of homes: 585 in 2005." in " ".join(text.split())
    assert "Fewer than in 2004, when there were 752." in " ".join(text.split())
    # the pictures ship with the package as SVG files drawn for it
    from importlib import resources

    shipped = {p.name for p in resources.files("reportgen.altformats").joinpath("pictograms").iterdir()}
    assert {f"{name}.svg" for name in PICTOGRAMS} <= shipped
