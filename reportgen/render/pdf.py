"""Document -> tagged PDF (PDF/UA-1) with WeasyPrint, never touching the network."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from reportgen.document import Document
from reportgen.errors import RenderError
from reportgen.render.base import Renderer
from reportgen.render.html import TEMPLATES_DIR, render_html

log = logging.getLogger(__name__)

# PDF/UA-1 turns on tagging (structure tree, MarkInfo, DisplayDocTitle) and writes the
# XMP identification that screen-reader-aware validators look for.
PDF_VARIANT = "pdf/ua-1"


class OfflineFetcher(URLFetcher):
    """Serves data: URIs only and stops the render on anything else.

    A document that silently missed an image or a stylesheet would be wrong in a way
    nobody notices, and reports must render identically on machines without internet.
    """

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> object:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise FatalURLFetchingError(f"refused to fetch {url!r}: documents must be self-contained")


# PDFs laid out recently in this process, by their HTML: a builder that lays a document out
# to check it fits (the two-sided leaflet) leaves the result here, and the pipeline's render,
# in this process or a forked worker, reuses it instead of laying the same HTML out again.
_RECENT: dict[str, tuple[bytes, int]] = {}
_RECENT_MAX = 64


def laid_out(html: str, *, title: str = "") -> tuple[bytes, int]:
    """PDF bytes and page count for ``html`` (memoised for the last few documents)."""
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()
    if key in _RECENT:
        return _RECENT[key]
    try:
        document = weasyprint.HTML(string=html, url_fetcher=OfflineFetcher()).render()
    except FatalURLFetchingError as exc:
        raise RenderError(f"PDF of {title!r} needs an external resource: {exc}") from None
    except Exception as exc:  # WeasyPrint raises many kinds; the caller needs one.
        raise RenderError(f"WeasyPrint could not lay out {title!r}: {exc}") from exc
    log.debug("laid out %r in %d pages", title, len(document.pages))
    try:
        result = (document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages))
    except Exception as exc:
        raise RenderError(f"WeasyPrint could not write the PDF of {title!r}: {exc}") from exc
    if len(_RECENT) >= _RECENT_MAX:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[key] = result
    return result


def html_to_pdf(html: str, *, max_pages: int | None = None, title: str = "") -> bytes:
    """Lay out ``html`` and return PDF bytes; ``max_pages`` guards single-page formats."""
    data, pages = laid_out(html, title=title)
    if max_pages is not None and pages > max_pages:
        raise RenderError(
            f"{title!r} runs to {pages} pages but must fit on {max_pages}.",
            hint="Shorten the text or use fewer headlines for the poster.",
        )
    return data


class PdfRenderer(Renderer):
    name = "pdf"
    suffix = ".pdf"
    media_type = "application/pdf"

    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.templates_dir = Path(templates_dir)

    def to_bytes(self, doc: Document) -> bytes:
        html = render_html(doc, "print", self.templates_dir)
        return html_to_pdf(html, max_pages=1 if doc.variant == "poster" else None, title=doc.title)
