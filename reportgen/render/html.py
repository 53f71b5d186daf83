"""Document -> self-contained HTML via Jinja2. Also the first stage of the PDF renderer."""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path
from typing import Literal

import jinja2
from markupsafe import Markup, escape

import reportgen
from reportgen import i18n
from reportgen.document import (
    Cell,
    Chart,
    Document,
    Status,
    cell_status,
    cell_text,
    inline_runs,
    link_spans,
    section_anchors,
)
from reportgen.errors import RenderError
from reportgen.i18n import Language
from reportgen.render.base import Renderer

# reportgen/templates links to the top-level templates/ folder in a checkout and is a real
# folder in an installed wheel, so one path serves both.
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
CSS_DIR = TEMPLATES_DIR / "css"

Target = Literal["screen", "print"]

# Stylesheets are layered: shared components first, then the medium, then the variant.
_STYLESHEETS: dict[tuple[Target, str], tuple[str, ...]] = {
    ("print", "standard"): ("common.css", "print.css"),
    ("print", "large-print"): ("common.css", "print.css", "large-print.css"),
    ("print", "poster"): ("common.css", "print.css", "poster.css"),
    ("print", "web"): ("common.css", "print.css"),
    ("screen", "standard"): ("common.css", "web.css"),
    ("screen", "large-print"): ("common.css", "web.css", "large-print-web.css"),
    ("screen", "poster"): ("common.css", "web.css"),
    ("screen", "web"): ("common.css", "web.css"),
}


@functools.lru_cache(maxsize=8)
def _environment(templates_dir: Path, lang_code: str = i18n.SOURCE_LANGUAGE) -> jinja2.Environment:
    # One per templates folder and language for the process: compiling the template again for
    # every document cost ~30 ms a leaflet in bulk runs.
    lang = i18n.language(lang_code)
    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"],
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["inline"] = inline_markup
    env.filters["kind"] = lambda block: type(block).__name__
    env.filters["cell_text"] = cell_text
    env.filters["cell_status"] = cell_status
    env.filters["long_date"] = lang.long_date
    env.globals["Cell"] = Cell
    # The template's fixed words ("Please note", "Published") speak the document's language.
    env.install_gettext_callables(lang.gettext, lang.ngettext, newstyle=True)  # type: ignore[attr-defined]  # jinja2.ext.i18n adds it
    return env


def inline_markup(text: str) -> Markup:
    """Escape text, turn **bold** into <strong> and [label](href) into a link."""
    out = []
    for span, href in link_spans(text):
        runs = "".join(f"<strong>{escape(t)}</strong>" if bold else str(escape(t)) for t, bold in inline_runs(span))
        out.append(f'<a href="{escape(href)}">{runs}</a>' if href else runs)
    return Markup("".join(out))


_XML_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>[]*(\[[^\]]*\])?\s*>", re.S)
_METADATA = re.compile(r"<metadata\b.*?</metadata>", re.S)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_DIMENSION = re.compile(r'\s(width|height)="[^"]*"')
_IDS = re.compile(r'\bid="([^"]+)"')
_EXTERNAL = re.compile(r"""(?:href|src)\s*=\s*["'](?!#|data:)|url\(\s*['"]?(?!#|data:)""", re.I)


def inline_svg(chart: Chart) -> Markup:
    """Make a chart's SVG safe to inline: one <title>, role=img, ids prefixed, no metadata.

    Ids are prefixed with the chart id because several charts drawn by the same tool
    reuse ids (clip paths, markers), and inline SVGs share one HTML id space.
    """
    try:
        text = chart.svg.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RenderError(f"Chart {chart.id!r}: SVG is not UTF-8 ({exc}).") from exc
    text = _METADATA.sub("", _XML_PROLOG.sub("", text)).strip()
    opening = _SVG_OPEN.search(text)
    if opening is None:
        raise RenderError(f"Chart {chart.id!r}: no <svg> element in the SVG data.")
    if _EXTERNAL.search(text):
        raise RenderError(
            f"Chart {chart.id!r}: the SVG refers to an external resource.",
            hint="Charts must be self-contained; embed images as data: URIs.",
        )
    # Drop the pixel-fixed size so CSS can size the chart (the viewBox keeps the aspect ratio).
    if "viewBox" not in opening.group(0):
        raise RenderError(f"Chart {chart.id!r}: the SVG needs a viewBox so it can be scaled.")
    tag = _DIMENSION.sub("", opening.group(0))
    tag = tag.replace("<svg", f'<svg role="img" aria-labelledby="{chart.id}-svgtitle" class="chart-svg"', 1)
    body = text[opening.end() :]
    for old in sorted(set(_IDS.findall(body)), key=len, reverse=True):
        new = f"{chart.id}-{old}"
        body = body.replace(f'id="{old}"', f'id="{new}"')
        body = body.replace(f"url(#{old})", f"url(#{new})")
        body = body.replace(f'href="#{old}"', f'href="#{new}"')
    title = f'<title id="{chart.id}-svgtitle">{escape(chart.alt_text)}</title>'
    return Markup(text[: opening.start()] + tag + title + body)


_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"


def chart_image(chart: Chart) -> Markup:
    """A chart as an ``<img>`` of its SVG (a data: URI), for the print HTML WeasyPrint lays out.

    Still vector: WeasyPrint draws the SVG image as paths and text, exactly as it draws inline
    SVG. But inline, every element of every chart goes through the page's CSS cascade; as an
    image it does not, which cuts the board pack's layout time by about a quarter (measured:
    tests/benchmarks, docs/performance.md). The alt text becomes the PDF Figure's /Alt.
    """
    markup = inline_svg(chart)  # the same checks: UTF-8, viewBox, nothing external
    text = str(markup)
    opening = _SVG_OPEN.search(text)
    assert opening is not None  # inline_svg guarantees it
    tag = opening.group(0)
    if "xmlns=" not in tag:  # a standalone SVG document needs its namespaces
        tag = tag.replace("<svg", f'<svg xmlns="{_SVG_NS}" xmlns:xlink="{_XLINK_NS}"', 1)
    data = base64.b64encode((text[: opening.start()] + tag + text[opening.end() :]).encode("utf-8")).decode("ascii")
    return Markup(f'<img class="chart-svg" alt="{escape(chart.alt_text)}" src="data:image/svg+xml;base64,{data}">')


def stylesheet_text(doc: Document, target: Target, css_dir: Path = CSS_DIR) -> str:
    names = _STYLESHEETS[(target, doc.variant)]
    lang = i18n.for_tag(doc.language)
    if lang.direction == "rtl":
        names = (*names, "rtl.css")
    try:
        css = "\n".join((css_dir / name).read_text(encoding="utf-8") for name in names)
    except OSError as exc:
        raise RenderError(f"Cannot read stylesheet: {exc}") from exc
    if lang.code != i18n.SOURCE_LANGUAGE and target == "print":
        css += "\n" + _page_number_css(lang)
    if target == "print" and doc.paper != "A4":
        css += f"\n@page {{ size: {doc.paper}; }}"
    return css


def _css_string(text: str) -> str:
    """A CSS string literal (UTF-8 as it is: the stylesheet is inline in UTF-8 HTML)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page_number_css(lang: Language) -> str:
    """The running 'Page X of Y' in the document's language (CSS holds the words), and for a
    draft translation the draft notice in the middle of the page foot."""
    page = lang.gettext("Page {page} of {pages}")
    parts = re.split(r"(\{page\}|\{pages\})", page)
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    content = " ".join(counters.get(p) or _css_string(p) for p in parts if p)
    rule = f"@bottom-right {{ content: {content}; }}"
    if lang.draft:
        # A draft translation says so at the foot of every page, in both languages.
        notice = _css_string(lang.draft_notice())
        rule += (f" @bottom-center {{ content: {notice}; font-size: 7pt; color: #4a5560; width: 50%;"
                 ' font-family: "Liberation Sans", Arial, "Noto Naskh Arabic", "DejaVu Sans", sans-serif;'
                 " text-align: center; }")
    return f"@page {{ {rule} }}\n@page :first {{ {rule} }}"


def render_html(doc: Document, target: Target = "screen", templates_dir: Path = TEMPLATES_DIR) -> str:
    """The HTML for ``doc``: 'screen' for the web page, 'print' as WeasyPrint's input."""
    if not (templates_dir / "base.html.j2").is_file():
        raise RenderError(
            f"No base.html.j2 in the templates folder {templates_dir}.",
            hint="Run from a source checkout, or pass templates_dir to the renderer.",
        )
    lang = i18n.for_tag(doc.language)
    env = _environment(templates_dir, lang.code)
    anchors = section_anchors(doc)
    try:
        template = env.get_template("base.html.j2")
        html = template.render(
            doc=doc,
            target=target,
            css=Markup(stylesheet_text(doc, target, templates_dir / "css")),
            anchor_of=lambda section: anchors[id(section)],
            svg=chart_image if target == "print" else inline_svg,
            icon=chart_image,  # small pictures in table cells: an <img> with alt text, no ids to clash
            Status=Status,
            direction=lang.direction,
            generator=f"reportgen {reportgen.__version__}",
        )
    except jinja2.TemplateError as exc:
        raise RenderError(f"HTML template failed for {doc.title!r}: {exc}") from exc
    return _numbers_ltr(html) if lang.direction == "rtl" else _digit_groups(html)


def _digit_groups(html: str) -> str:
    """Phone numbers held on one line: no-break spaces between digit groups (body text only)."""
    head, sep, body = html.partition("<body")
    return head + sep + re.sub(r">([^<]+)<", lambda m: f">{i18n.keep_digit_groups(m.group(1))}<", body)


def _numbers_ltr(html: str) -> str:
    """Phone numbers read left to right in right-to-left text (text nodes of the body only)."""
    head, sep, body = html.partition("<body")
    return head + sep + re.sub(r">([^<]+)<", lambda m: f">{i18n.keep_numbers_ltr(m.group(1))}<", body)


class HtmlRenderer(Renderer):
    name = "html"
    suffix = ".html"
    media_type = "text/html"

    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.templates_dir = Path(templates_dir)

    def to_bytes(self, doc: Document) -> bytes:
        return render_html(doc, "screen", self.templates_dir).encode("utf-8")
