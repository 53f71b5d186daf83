"""Every alternative format of a public document, written beside it."""

from __future__ import annotations

from pathlib import Path

from reportgen.altformats.audio import AudioTags, render_mp3
from reportgen.altformats.braille import format_brf
from reportgen.altformats.easyread import easy_read_html
from reportgen.altformats.easyread_pdf import easy_read_pdf
from reportgen.altformats.linear import linearise, to_plain_text
from reportgen.document import Document
from reportgen.fsutil import atomic_write_bytes

FORMATS = ("brf", "mp3", "txt", "easy-read.html", "easy-read.pdf")


def write_alt_formats(
    doc: Document, out_dir: Path, stem: str, *, formats: tuple[str, ...] = FORMATS, direction: str = "ltr"
) -> list[Path]:
    """Write the Braille, audio, plain-text and easy-read versions of ``doc``.

    Braille and audio speak English only (liblouis UEB and an en-GB voice), and the
    easy-read PDF's linking sentences are English; for a translated document only the
    plain text and easy-read page are made.
    """
    blocks = linearise(doc)
    english = doc.language.lower().startswith("en")
    written: list[Path] = []
    if "txt" in formats:
        written.append(atomic_write_bytes(out_dir / f"{stem}.txt", to_plain_text(doc).encode("utf-8")))
    if "easy-read.html" in formats:
        html = easy_read_html(doc, direction=direction)
        written.append(atomic_write_bytes(out_dir / f"{stem}-easy-read.html", html.encode("utf-8")))
    if english and "easy-read.pdf" in formats:  # its linking words are English
        pdf = easy_read_pdf(doc, direction=direction)
        written.append(atomic_write_bytes(out_dir / f"{stem}-easy-read.pdf", pdf))
    if english and "brf" in formats:
        written.append(atomic_write_bytes(out_dir / f"{stem}.brf", format_brf(blocks).brf()))
    if english and "mp3" in formats:
        tags = AudioTags(
            title=f"{doc.title}, {doc.period_label}",
            artist=doc.partnership,
            album=doc.kind.replace("-", " ").capitalize(),
            year=str(doc.date.year),
            comment=doc.notice or "",
        )
        written.append(render_mp3(blocks, out_dir / f"{stem}.mp3", tags))
    return written
