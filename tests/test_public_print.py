"""The poster and leaflets as printed: the poster is A3 with a 48pt+ headline and 24pt+ body,
one page in PDF and in Word (read back through LibreOffice), its QR code opens the partnership's
web page; and no configured phone number is ever split across two lines, in any leaflet or
poster, PDF or Word, in English, Polish or Urdu, for the demo and the Hartlepool example."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from demo_reports import demo_store
from PIL import Image

from reportgen.config import Config, load_config
from reportgen.pipeline import generate

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data_sources"
HARTLEPOOL = ROOT / "examples" / "hartlepool"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
A3_PT, A4_PT = (841.9, 1190.6), (595.3, 841.9)
VARIANTS = {
    "poster": {"poster": True},
    "poster-a4": {"poster": True, "paper": "A4"},
    "standard": {},
    "large-print": {"large_print": True},
    "pl": {"lang": "pl"},
    "ur": {"lang": "ur"},
}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Each variant's PDF and Word file, rendered once from the demo's real store."""
    root = tmp_path_factory.mktemp("public-print")
    url = demo_store(root)
    out: dict[str, dict[str, Path]] = {}
    for name, variant in VARIANTS.items():
        result = generate("leaflet", "2005-Q1", config_dir=DEMO, store_url=url, out_dir=root / name, variant=variant)
        out[name] = {p.suffix: p for p in result.files if p.suffix in (".pdf", ".docx")}
    return out


def _libreoffice_pdf(docx: Path, out: Path) -> Path:
    """Word's file laid out by a second, independent reader (LibreOffice)."""
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(out / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = out / (docx.stem + ".pdf")
    assert done.returncode == 0 and converted.exists(), done.stderr
    return converted


# --- the poster -------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "size"), [("poster", A3_PT), ("poster-a4", A4_PT)])
def test_poster_is_one_page_of_its_paper_with_a_big_headline(printed: dict, name: str, size: tuple) -> None:
    with pdfplumber.open(printed[name][".pdf"]) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        assert (round(float(page.width), 1), round(float(page.height), 1)) == pytest.approx(size, abs=1)
        words = page.extract_words(extra_attrs=["size"])
    # The headline (the document's title) in big type: 48pt or more on A3, 30pt or more on A4.
    big = 48 if name == "poster" else 30
    title = " ".join(w["text"] for w in words if w["size"] >= big - 0.1)
    assert "Crime is falling in Wigan borough" in title
    if name == "poster":
        # Body: nothing on the A3 poster is smaller than 24pt (notice, contacts and bullets too).
        assert min(w["size"] for w in words) >= 24 - 0.1
        text = " ".join(w["text"] for w in words)
        # Three figures at most: distinct statistics (percentages, counts), leaving out phone
        # numbers, 999 and 101, years, the date and "12 months".
        stats = set(re.findall(r"\d[\d,.]*%|\b\d{1,3}(?:,\d{3})+\b|\b\d+\.\d+\b", _PHONE.sub("", text)))
        assert 1 <= len(stats) <= 3, stats


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize(("name", "size"), [("poster", A3_PT), ("poster-a4", A4_PT)])
def test_poster_word_file_is_one_page_too(printed: dict, name: str, size: tuple, tmp_path: Path) -> None:
    converted = _libreoffice_pdf(printed[name][".docx"], tmp_path)
    reader = pypdf.PdfReader(converted)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(size, abs=1)
    assert "Scan for the latest figures" in reader.pages[0].extract_text()


def _qr_modules(image: Image.Image, size: int) -> list[list[bool]]:
    """Sample a cropped QR image (quiet zone removed) at the centre of each module."""
    grey = image.convert("L")
    w, h = grey.size
    return [
        [grey.getpixel((int((x + 0.5) * w / size), int((y + 0.5) * h / size))) < 128 for x in range(size)]
        for y in range(size)
    ]


def _crop_to_code(image: Image.Image) -> Image.Image:
    grey = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    box = grey.getbbox()
    assert box is not None, "no dark modules in the QR image"
    return image.crop(box)


def test_poster_qr_code_opens_the_partnership_web_page(printed: dict) -> None:
    """Where no decoder (zbarimg) is installed, the code drawn in the PDF and in Word is compared,
    module by module, with the QR code of the configured web address, built by segno here."""
    segno = pytest.importorskip("segno")
    web = load_config(DEMO).partnership.contact.web
    url = web if "://" in web else f"https://{web}"
    assert url == "https://www.wiganmbc.gov.uk"
    expected = [[bool(v) for v in row] for row in segno.make(url, error="m", micro=False).matrix]
    size = len(expected)
    # The PDF page drawn at 300 dpi; the code is the square of dark modules right of "Scan for...".
    pdf = printed["poster"][".pdf"]
    with pdfplumber.open(pdf) as opened:
        page = opened.pages[0]
        label = next(w for w in page.extract_words() if w["text"] == "Scan")
        # The code sits left of its label, centred on it: 34mm (96pt) square on A3.
        middle = (label["top"] + label["bottom"]) / 2
        band = (0, middle - 50, label["x0"] - 5, middle + 50)
        picture = page.crop(band).to_image(resolution=300).original
    drawn = _qr_modules(_crop_to_code(picture), size)
    assert drawn == expected, "the PDF's QR code is not the web address's code"
    # Word: the embedded PNG, read from the package.
    with zipfile.ZipFile(printed["poster"][".docx"]) as package:
        pngs = [package.read(n) for n in package.namelist() if n.startswith("word/media/")]
    codes = [_qr_modules(_crop_to_code(Image.open(io.BytesIO(data))), size) for data in pngs]
    assert expected in codes, "the Word file's QR code is not the web address's code"
    # A scanner-independent oracle check: a different address gives a different code.
    other = [[bool(v) for v in row] for row in segno.make(url + "/x", error="m", micro=False).matrix]
    assert other != expected


# --- phone numbers held on one line -----------------------------------------------------------
_PHONE = re.compile(r"\b0\d{2,4}(?:[ \u00a0]\d{3,6}){1,2}\b")


def configured_phones(config: Config) -> set[str]:
    """Every phone number the partnership configures: contacts, formats line, partners, and
    numbers written into the advice and how-to-report lines."""
    p = config.partnership
    found = {p.contact.phone, p.alternative_formats_phone or ""}
    found |= {c.phone for partner in config.partners for c in partner.contacts}
    for line in (*(p.public_advice or ()), *(p.report_crime or ())):
        found |= set(_PHONE.findall(line))
    return {n.replace("\u00a0", " ") for n in found if n and " " in n}


def _lines_of_pdf(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    return re.sub("[\u200e\u200f\u202a-\u202e]", "", text).replace("\u00a0", " ")


def split_numbers(text: str, phones: Iterable[str]) -> tuple[list[str], int]:
    """(numbers found broken across a line end, numbers found whole) in laid-out text."""
    broken, whole = [], 0
    for phone in phones:
        groups = [re.escape(g) for g in phone.split()]
        whole += len(re.findall(r"(?<!\d)" + " ".join(groups) + r"(?!\d)", text))
        # Broken: a line end between (or inside) the groups.
        digits = [re.escape(c) for c in phone.replace(" ", "")]
        anywhere = r"(?<!\d)" + r"[ \n]?".join(digits) + r"(?!\d)"
        broken += [m.group(0) for m in re.finditer(anywhere, text) if "\n" in m.group(0)]
    return broken, whole


def test_split_numbers_finds_a_number_broken_over_two_lines() -> None:
    """The check itself: a number broken as the issue saw it is caught; whole ones are not."""
    assert split_numbers("call Crimestoppers on 0800 555\n111 now", {"0800 555 111"})[0] == ["0800 555\n111"]
    assert split_numbers("the council on 01942\n404021.", {"01942 404021"})[0] == ["01942\n404021"]
    assert split_numbers("Urdu: 01942 40402\n1", {"01942 404021"})[0] == ["01942 40402\n1"]
    assert split_numbers("ring 01942 828111.\nThen", {"01942 828111"}) == ([], 1)


def test_no_phone_number_is_split_in_any_demo_pdf(printed: dict) -> None:
    phones = configured_phones(load_config(DEMO))
    assert {"0800 555 111", "01942 404021", "01942 828111"} <= phones
    for name, files in printed.items():
        broken, whole = split_numbers(_lines_of_pdf(files[".pdf"]), phones)
        assert not broken, f"{name}: phone numbers split across lines: {broken}"
        assert whole >= 1, f"{name}: no configured phone number found on one line"


def _docx_runs_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def test_phone_numbers_in_word_files_are_joined_by_no_break_spaces(printed: dict) -> None:
    """Word lays out text when it opens the file; a no-break space between the digit groups is
    what stops it breaking a number there (the LibreOffice test below checks the layout)."""
    phones = configured_phones(load_config(DEMO))
    for name, files in printed.items():
        text = re.sub("[\u200e\u200f]", "", _docx_runs_text(files[".docx"]))
        found = [p for p in phones if p.replace(" ", "\u00a0") in text]
        plain = [p for p in phones if re.search(r"(?<!\d)" + re.escape(p) + r"(?!\d)", text)]
        assert found, f"{name}: no configured phone number in the Word file"
        assert not plain, f"{name}: phone numbers with a breakable space: {plain}"


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_no_phone_number_is_split_in_word_files_laid_out_by_libreoffice(printed: dict, tmp_path: Path) -> None:
    phones = configured_phones(load_config(DEMO))
    for name in ("standard", "pl", "ur", "poster"):
        converted = _libreoffice_pdf(printed[name][".docx"], tmp_path / name)
        broken, whole = split_numbers(_lines_of_pdf(converted), phones)
        assert not broken, f"{name} (Word): phone numbers split across lines: {broken}"
        assert whole >= 1


@pytest.mark.slow
def test_no_phone_number_is_split_in_any_area_leaflet_or_the_hartlepool_example(tmp_path: Path) -> None:
    url = demo_store(tmp_path)
    result = generate(
        "leaflet",
        "2005-Q1",
        config_dir=DEMO,
        store_url=url,
        out_dir=tmp_path / "areas",
        variant={"each_area": True},
        formats=("pdf",),
    )
    pdfs = [p for p in result.files if p.suffix == ".pdf"]
    assert len(pdfs) == len(load_config(DEMO).partnership.neighbourhoods)
    phones = configured_phones(load_config(DEMO))
    for pdf in pdfs:
        broken, whole = split_numbers(_lines_of_pdf(pdf), phones)
        assert not broken and whole >= 1, (pdf.name, broken)
    from hartlepool_kit import pull

    store = pull(HARTLEPOOL, tmp_path / "hartlepool.sqlite")
    # Hartlepool configures no phone numbers: its leaflet prints the default how-to-report lines.
    hphones = configured_phones(load_config(HARTLEPOOL)) | {"0800 555 111"}
    for variant in ({}, {"poster": True}):
        done = generate(
            "leaflet",
            "2023-Q1",
            config_dir=HARTLEPOOL,
            store_url=store,
            out_dir=tmp_path / "hartlepool",
            variant=variant,
        )
        for path in done.files:
            if path.suffix == ".pdf":
                broken, whole = split_numbers(_lines_of_pdf(path), hphones)
                assert not broken and whole >= 1, (path.name, broken)
            elif path.suffix == ".docx":
                text = _docx_runs_text(path)
                assert not [p for p in hphones if re.search(r"(?<!\d)" + re.escape(p) + r"(?!\d)", text)]
