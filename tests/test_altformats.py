"""Braille, audio and plain text made from a document model."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest

from reportgen.altformats.braille import CELLS, LINES, back_translate, brf_lines, format_brf
from reportgen.altformats.linear import linearise, plain, to_plain_text
from reportgen.altformats.speech import to_speech
from reportgen.document import Cell, Document, Section, Status, Table
from reportgen.render.sample import sample_document


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("1,500 people", "one thousand five hundred people"),
        ("down 13% on last year", "down thirteen per cent on last year"),
        ("ring 01942 828111", "ring zero one nine four two, eight two eight, one one one"),
        ("Tel: 0161 872 5050.", "Tel: zero one six one, eight seven two, five zero five zero."),
        ("in 2004/05", "in two thousand and four to two thousand and five"),
        ("fewer than 5", "fewer than five"),
        ("4,095 fewer offences", "four thousand and ninety five fewer offences"),
        ("since 1995", "since nineteen ninety five"),
        ("12.5 per 1,000 residents", "twelve point five per thousand residents"),
        ("call 999", "call nine nine nine"),
        ("Up 169%", "Up one hundred and sixty nine per cent"),
        ("the 5th working day", "the fifth working day"),
        ("£1,200.50", "one thousand two hundred pounds and fifty pence"),
    ],
)
def test_numbers_are_spoken_as_a_person_would(text: str, spoken: str) -> None:
    assert to_speech(text) == spoken


def test_tables_are_read_row_by_row_with_status_words() -> None:
    doc = Document(
        kind="leaflet", title="T", partnership="P", period_label="March 2005", date=__import__("datetime").date(2005, 4, 1),
        sections=(Section("Figures", (Table("Crime", ("Type", "Then", "Now", "Status"),
                                             (("Burglary", "2,916", "2,176", Cell("Down 25%", Status.GREEN)),)),)),),
    )
    items = [b.text for b in linearise(doc) if b.kind == "item"]
    assert items == ["Burglary: Then, 2,916; Now, 2,176; Status, on course for the target, Down 25%."]


@pytest.fixture(scope="module")
def sample() -> Document:
    return sample_document("standard", kind="leaflet")


@pytest.mark.skipif(shutil.which("lou_translate") is None, reason="liblouis-bin (lou_translate) is not installed")
def test_brf_layout_and_back_translation(sample: Document) -> None:
    blocks = linearise(sample)
    brf = format_brf(blocks).brf()
    pages = brf.decode("ascii").split("\f")
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        lines = page.split("\r\n")[:-1]
        assert len(lines) == LINES
        assert all(len(line) <= CELLS for line in lines)
        assert lines[-1].strip() == "#" + "".join("jabcdefghi"[int(d)] for d in str(number))
    back = " ".join(back_translate(brf_lines(brf)))
    source = " ".join(b.text for b in blocks)
    # every figure and phone number comes back exactly
    for token in re.findall(r"\d[\d,.]*%?|0\d{3,4} \d{6}", source):
        assert token.rstrip(".,") in back, token
    similarity = difflib.SequenceMatcher(None, source.lower(), back.lower()).ratio()
    assert similarity > 0.9, similarity


@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("lame")), reason="espeak-ng and lame are needed")
def test_mp3_has_tags_and_a_duration_that_fits_the_text(sample: Document, tmp_path: Path) -> None:
    from mutagen.mp3 import MP3

    from reportgen.altformats.audio import AudioTags, render_mp3, script

    blocks = linearise(sample)[:12]
    dest = render_mp3(blocks, tmp_path / "leaflet.mp3", AudioTags("Leaflet", "Test CSP", "Community safety", "2005"))
    audio = MP3(dest)
    assert str(audio.tags["TIT2"]) == "Leaflet" and str(audio.tags["TPE1"]) == "Test CSP"
    words = len(re.sub(r"<[^>]+>", " ", script(blocks)).split())
    expected_minutes = words / 150
    assert 0.6 * expected_minutes * 60 < audio.info.length < 1.6 * expected_minutes * 60 + 5
    assert not list(tmp_path.glob("*.tmp"))


def test_plain_text_keeps_every_heading_and_figure(sample: Document) -> None:
    text = to_plain_text(sample)
    for b in linearise(sample):
        if b.kind in ("title", "heading"):
            assert b.text in text
    assert all(len(line) <= 72 for line in text.splitlines())
    assert "\u25cf" not in text and "**" not in text
    assert plain("**Down** 25% \u25b2") == "Down 25%"


@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("lame") and shutil.which("lou_translate")),
                    reason="espeak-ng, lame and liblouis are needed")
def test_all_formats_written_atomically(sample: Document, tmp_path: Path) -> None:
    from reportgen.altformats.produce import write_alt_formats

    files = write_alt_formats(sample, tmp_path, "leaflet")
    assert sorted(p.name for p in files) == sorted(
        ["leaflet.brf", "leaflet.mp3", "leaflet.txt", "leaflet-easy-read.html", "leaflet-easy-read.pdf"]
    )
    html = (tmp_path / "leaflet-easy-read.html").read_text()
    first_headline = next(b for b in linearise(sample) if b.kind == "paragraph" and ":" in b.text)
    assert html.index("The big numbers") < html.index("<h2>", html.index("The big numbers") + 1)
    assert first_headline.text.split(":")[0] in html
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))
