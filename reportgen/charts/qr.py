"""A QR code to the partnership's web page, as a document picture: SVG for HTML and PDF (sharp
at any print size), PNG for Word. Drawn with segno; a phone camera reads it from a poster."""

from __future__ import annotations

import io

import segno

from reportgen.document import Chart

# Quiet zone of four modules (the QR standard's minimum) so a scanner finds the code on a
# coloured or busy background.
BORDER = 4
# PNG modules of 12 px: about 300 dpi at the poster's 40 mm, crisp when Word prints it.
PNG_SCALE = 12


def web_url(address: str) -> str:
    """A configured web address as a URL a phone opens: 'www.x.gov.uk' -> 'https://www.x.gov.uk'."""
    address = address.strip()
    return address if "://" in address else f"https://{address}"


def qr_code(url: str, *, title: str, alt_text: str, width_mm: float = 40.0, chart_id: str = "qr-web") -> Chart:
    """``url`` as a QR code picture (error correction M: still reads with a scuff or a crease)."""
    code = segno.make(url, error="m", micro=False)
    svg = io.BytesIO()
    code.save(
        svg,
        kind="svg",
        xmldecl=False,
        omitsize=True,
        border=BORDER,
        dark="#0b0c0c",
        light="#ffffff",
        svgclass=None,
        lineclass=None,
    )
    png = io.BytesIO()
    code.save(png, kind="png", border=BORDER, scale=PNG_SCALE, dark="#0b0c0c", light="#ffffff")
    return Chart(
        id=chart_id,
        title=title,
        alt_text=alt_text,
        svg=svg.getvalue(),
        png=png.getvalue(),
        width_mm=width_mm,
        role="qr",
    )


def matrix(url: str) -> list[list[bool]]:
    """The dark (True) and light modules of ``url``'s code, quiet zone excluded (for checks)."""
    return [[bool(v) for v in row] for row in segno.make(url, error="m", micro=False).matrix]


__all__ = ["BORDER", "matrix", "qr_code", "web_url"]
