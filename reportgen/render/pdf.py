"""Document -> tagged PDF (PDF/UA-1) with WeasyPrint, never touching the network."""

from __future__ import annotations

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


def laid_out(html: str, *, title: str = "") -> tuple[bytes, int]:
    """PDF bytes and page count for ``html``."""
    try:
        document = weasyprint.HTML(string=html, url_fetcher=OfflineFetcher()).render()
    except FatalURLFetchingError as exc:
        raise RenderError(f"PDF of {title!r} needs an external resource: {exc}") from None
    except Exception as exc:  # WeasyPrint raises many kinds; the caller needs one.
        raise RenderError(f"WeasyPrint could not lay out {title!r}: {exc}") from exc
    log.debug("laid out %r in %d pages", title, len(document.pages))
    try:
        return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)
    except Exception as exc:
        raise RenderError(f"WeasyPrint could not write the PDF of {title!r}: {exc}") from exc


def html_to_pdf(html: str, *, title: str = "") -> bytes:
    """Lay out ``html`` and return the PDF's bytes."""
    return laid_out(html, title=title)[0]


class PdfRenderer(Renderer):
    name = "pdf"
    suffix = ".pdf"
    media_type = "application/pdf"

    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.templates_dir = Path(templates_dir)

    def to_bytes(self, doc: Document) -> bytes:
        return self.fit(doc)[0]

    def fit(self, doc: Document) -> tuple[bytes, int]:
        """The PDF of the first of ``doc.versions()`` within ``doc.page_limit``, and its index.

        Each version is laid out once, longest first, so a leaflet keeps as much of its
        optional text as fits. A document without a limit is laid out once.
        """
        versions = doc.versions()
        pages = 0
        for choice, version in enumerate(versions):
            data, pages = laid_out(render_html(version, "print", self.templates_dir), title=version.title)
            if doc.page_limit is None or pages <= doc.page_limit:
                return data, choice
        if len(versions) == 1:
            raise RenderError(
                f"{doc.title!r} runs to {pages} pages but must fit on {doc.page_limit}.",
                hint="Shorten the text, or give the document shorter versions to fall back on.",
            )
        # The shortest version is still the best there is: print it and say so.
        log.warning("%s: still %d pages after shortening; check the text", doc.title, pages)
        return data, len(versions) - 1
