"""Word styles for reportgen documents.

All the look lives in named styles so staff editing the file get a consistent document,
and the large-print variant is made by changing style sizes rather than individual runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt, RGBColor, Twips
from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle

FONT = "Arial"  # Liberation Sans, used for the PDF, is metric-compatible and substitutes for it.

NAVY = "12355B"
TEAL = "00677F"
INK = "1B1F24"
MUTED = "4A5560"
WHITE = "FFFFFF"
TINT = "EEF4F7"

# (text colour, background tint, edge) per status tone; same values as templates/css/common.css.
TONE_COLOURS = {
    "good": ("0D5A2C", "DCEFE2", "2E8540"),
    "warn": ("6A4500", "FFF0CC", "C77700"),
    "bad": ("8B1A1A", "FBE0E0", "C0392B"),
    "neutral": ("3D4652", "ECEEF1", "7B8794"),
}
CALLOUT_TONE = {
    "info": ("12355B", "E6F0F8", "00677F"),
    "warning": TONE_COLOURS["warn"],
    "success": TONE_COLOURS["good"],
}


@dataclass(frozen=True)
class Sizes:
    """Point sizes for each role; one instance per variant."""

    body: float
    title: float
    h1: float
    h2: float
    h3: float
    small: float  # captions, notes, header/footer
    table: float  # table text
    figure: float  # headline numbers
    line: float  # line spacing multiple


STANDARD = Sizes(body=12, title=26, h1=18, h2=14, h3=12.5, small=10.5, table=10.5, figure=22, line=1.15)
LEAFLET = Sizes(body=14, title=28, h1=20, h2=16, h3=14, small=12, table=12, figure=24, line=1.2)
LARGE_PRINT = Sizes(body=18, title=32, h1=26, h2=22, h3=20, small=18, table=16, figure=30, line=1.35)


# The poster is read from a few steps away: a 48pt headline and 24pt body on A3 (the PDF's
# sizes, templates/css/poster.css); on A4 about two thirds (15pt: Word sets lines a little taller).
POSTER_A3 = Sizes(body=24, title=48, h1=30, h2=28, h3=24, small=24, table=24, figure=48, line=1.1)
POSTER_A4 = Sizes(body=15, title=30, h1=19, h2=17, h3=15, small=15, table=15, figure=30, line=1.05)


def sizes_for(variant: str, kind: str, paper: str = "A4") -> Sizes:
    if variant == "large-print":
        return LARGE_PRINT
    if variant == "poster":
        return POSTER_A3 if paper == "A3" else POSTER_A4
    if kind == "leaflet":
        return LEAFLET
    return STANDARD


def _set_fonts(rpr: BaseOxmlElement) -> None:
    """Name the font explicitly; theme font attributes would otherwise win over it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)


@overload
def _style(
    doc: WordDocument, name: str, kind: Literal[WD_STYLE_TYPE.PARAGRAPH] = ..., base: str | None = ...
) -> ParagraphStyle: ...
@overload
def _style(
    doc: WordDocument, name: str, kind: Literal[WD_STYLE_TYPE.CHARACTER], base: str | None = ...
) -> CharacterStyle: ...
def _style(
    doc: WordDocument, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH, base: str | None = "Normal"
) -> CharacterStyle:
    styles = doc.styles
    if name in [s.name for s in styles]:
        style = styles[name]
    else:
        style = styles.add_style(name, kind)
        if base:
            style.base_style = styles[base]
    return style


def _look(style: CharacterStyle, size: float, *, bold: bool | None = None, color: str = INK) -> None:
    font = style.font
    font.size = Pt(size)
    font.bold = bold
    # Explicit "not italic" / "not all caps" so nothing inherited from Word's defaults sneaks in.
    font.italic = False
    font.all_caps = False
    font.color.rgb = RGBColor.from_string(color)
    _set_fonts(style.element.get_or_add_rPr())
    for attr in ("themeColor", "themeShade", "themeTint"):
        color_el = style.element.rPr.find(qn("w:color"))
        if color_el is not None and color_el.get(qn(f"w:{attr}")) is not None:
            del color_el.attrib[qn(f"w:{attr}")]


def _spacing(style: ParagraphStyle, before: float = 0, after: float = 6, keep_next: bool = False) -> None:
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep_next


def _border_and_shade(style: BaseStyle, edge: str, fill: str, side: str = "left", width: int = 24) -> None:
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:shd"):
        old = ppr.find(qn(tag))
        if old is not None:
            ppr.remove(old)
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(width)), ("w:space", "8"), ("w:color", edge)):
        line.set(qn(key), value)
    borders.append(line)
    shade = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shade.set(qn(key), value)
    # Word rejects pPr children out of schema order: pBdr and shd come before these.
    successor = next((ppr.find(qn(t)) for t in _AFTER_SHD if ppr.find(qn(t)) is not None), None)
    if successor is not None:
        successor.addprevious(borders)
        successor.addprevious(shade)
    else:
        ppr.append(borders)
        ppr.append(shade)


_AFTER_SHD = (
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _defaults(doc: WordDocument, language: str) -> None:
    """Font and language on docDefaults, so even unstyled text is Arial in the right language."""
    styles_el = doc.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    _set_fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)


def install_styles(doc: WordDocument, sizes: Sizes, language: str, text_width_twips: int) -> None:
    """Define or restyle every style the Word renderer uses."""
    _defaults(doc, language)
    normal = doc.styles["Normal"]
    _look(normal, sizes.body)
    _spacing(normal, after=6)
    normal.paragraph_format.line_spacing = sizes.line

    title = doc.styles["Title"]
    _look(title, sizes.title, bold=True, color=NAVY)
    _spacing(title, before=4, after=6)
    _border_and_shade(title, TEAL, WHITE, side="bottom", width=24)

    subtitle = doc.styles["Subtitle"]
    _look(subtitle, max(sizes.body + 2, sizes.h3), color=NAVY)
    numpr = subtitle.element.get_or_add_pPr().find(qn("w:numPr"))
    if numpr is not None:
        numpr.getparent().remove(numpr)
    _spacing(subtitle, after=6)

    for level, size, before in ((1, sizes.h1, 18), (2, sizes.h2, 14), (3, sizes.h3, 10)):
        heading = doc.styles[f"Heading {level}"]
        _look(heading, size, bold=True, color=NAVY)
        _spacing(heading, before=before, after=6, keep_next=True)
    _border_and_shade(doc.styles["Heading 1"], TEAL, WHITE, side="bottom", width=12)
    contents = doc.styles["TOC Heading"]
    _look(contents, sizes.h1, bold=True, color=NAVY)
    toc1 = _style(doc, "TOC 1")
    _look(toc1, sizes.body)
    _spacing(toc1, after=4)
    toc1.paragraph_format.tab_stops.add_tab_stop(
        Twips(text_width_twips), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )

    bullet = doc.styles["List Bullet"]
    _look(bullet, sizes.body)
    _spacing(bullet, after=3)

    partnership = _style(doc, "Masthead Partnership")
    _look(partnership, sizes.body, bold=True, color=TEAL)
    _spacing(partnership, after=2)
    meta = _style(doc, "Masthead Meta")
    _look(meta, sizes.body, color=INK)
    _spacing(meta, after=12)
    notice = _style(doc, "Notice")
    _look(notice, sizes.body, color=TONE_COLOURS["warn"][0])
    _spacing(notice, before=0, after=12)
    _border_and_shade(notice, TONE_COLOURS["warn"][2], TONE_COLOURS["warn"][1])

    caption = doc.styles["Caption"]
    _look(caption, max(sizes.small, sizes.body - 1), bold=True, color=NAVY)
    _spacing(caption, before=10, after=4, keep_next=True)
    figure = _style(doc, "Figure")
    _look(figure, sizes.body)
    _spacing(figure, after=4)
    note = _style(doc, "Note")
    _look(note, sizes.small, color=MUTED)
    _spacing(note, after=10)

    table_text = _style(doc, "Table Text")
    _look(table_text, sizes.table)
    _spacing(table_text, before=2, after=2)
    table_text.paragraph_format.line_spacing = 1.0
    table_heading = _style(doc, "Table Heading", base="Table Text")
    _look(table_heading, sizes.table, bold=True, color=WHITE)
    row_heading = _style(doc, "Table Row Heading", base="Table Text")
    _look(row_heading, sizes.table, bold=True)

    figure_style = _style(doc, "Headline Figure")
    _look(figure_style, sizes.figure, bold=True, color=NAVY)
    _spacing(figure_style, before=10, after=0, keep_next=True)
    label = _style(doc, "Headline Label")
    _look(label, sizes.body, bold=True)
    _spacing(label, after=2, keep_next=True)
    detail = _style(doc, "Headline Detail")
    _look(detail, max(sizes.small, sizes.body - 1), color=MUTED)
    _spacing(detail, after=4)

    for kind, (fg, bg, edge) in CALLOUT_TONE.items():
        callout = _style(doc, f"Callout {kind.title()}")
        _look(callout, sizes.body, color=fg)
        _spacing(callout, after=0)
        _border_and_shade(callout, edge, bg)

    term = _style(doc, "Definition Term")
    _look(term, sizes.body, bold=True, color=NAVY)
    _spacing(term, before=6, after=0, keep_next=True)
    definition = _style(doc, "Definition")
    _look(definition, sizes.body)
    definition.paragraph_format.left_indent = Pt(18)

    contact_name = _style(doc, "Contact Name")
    _look(contact_name, sizes.body, bold=True, color=NAVY)
    _spacing(contact_name, before=8, after=0, keep_next=True)
    contact = _style(doc, "Contact Detail")
    _look(contact, sizes.body)
    _spacing(contact, after=0)

    for name in ("Header", "Footer"):
        furniture = doc.styles[name]
        _look(furniture, max(sizes.small - 1.5, 9) if sizes.small < 12 else sizes.small, color=MUTED)
        tabs = furniture.element.get_or_add_pPr().find(qn("w:tabs"))
        if tabs is not None:
            tabs.getparent().remove(tabs)
        furniture.paragraph_format.tab_stops.add_tab_stop(Twips(text_width_twips), WD_TAB_ALIGNMENT.RIGHT)

    strong = doc.styles["Strong"]
    strong.font.bold = True
    for tone, (fg, _bg, _edge) in TONE_COLOURS.items():
        chip = _style(doc, f"Status {tone.title()}", WD_STYLE_TYPE.CHARACTER, base=None)
        chip.font.bold = True
        chip.font.italic = False
        chip.font.color.rgb = RGBColor.from_string(fg)
