"""Right-to-left Word documents (Urdu): bidi paragraphs, rtl runs and complex-script fonts.

Word lays out a paragraph right to left only when its properties say ``w:bidi``; a run is
shaped as Arabic-script text with the complex-script font (``w:rFonts w:cs``), size
(``w:szCs``) and weight (``w:bCs``) only when it says ``w:rtl``. The Word writer builds
the document as usual and this pass adds those properties, so left-to-right output is
untouched. Runs holding only Latin text (phone numbers, e-mail addresses) keep their own
direction so they read as written.
"""

from __future__ import annotations

import re

from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from reportgen.i18n import keep_numbers_ltr

# Noto Nastaliq Urdu is Debian's fonts-noto-core Urdu face; Word falls back if it is missing.
URDU_FONT = "Noto Nastaliq Urdu"
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")

# Schema order of pPr and rPr children (ECMA-376 CT_PPrBase / CT_RPr): Word rejects files
# whose children are out of order.
_PPR_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                   "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                   "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                   "w:pPrChange")
_TBLPR_AFTER_BIDI_VISUAL = ("w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc",
                            "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                            "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
_RPR_AFTER_RTL = ("w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
_RPR_AFTER_BCS = ("w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike", "w:outline",
                  "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish",
                  "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
                  "w:szCs", *("w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
                              "w:vertAlign", "w:rtl"), *_RPR_AFTER_RTL)


def _insert_before(parent: BaseOxmlElement, child: BaseOxmlElement, successors: tuple[str, ...]) -> None:
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def _flag(parent: BaseOxmlElement, tag: str, successors: tuple[str, ...]) -> None:
    if parent.find(qn(tag)) is None:
        _insert_before(parent, OxmlElement(tag), successors)


def _complex_script_properties(rpr: BaseOxmlElement) -> None:
    """Bold and size for complex-script text mirror the Latin ones (Word keeps them apart)."""
    if rpr.find(qn("w:b")) is not None:
        _flag(rpr, "w:bCs", _RPR_AFTER_BCS)
    size = rpr.find(qn("w:sz"))
    if size is not None and rpr.find(qn("w:szCs")) is None:
        cs = OxmlElement("w:szCs")
        cs.set(qn("w:val"), size.get(qn("w:val")))
        size.addnext(cs)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        fonts.set(qn("w:cs"), URDU_FONT)


def make_rtl(word: WordDocument, tag: str) -> None:
    """Mark every paragraph bidi, every Arabic-script run rtl, and set the complex-script
    font, sizes and language throughout the styles."""
    styles = word.styles.element
    for rpr in styles.iter(qn("w:rPr")):
        _complex_script_properties(rpr)
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:bidi"), tag)
    for ppr in styles.iter(qn("w:pPr")):
        _flag(ppr, "w:bidi", _PPR_AFTER_BIDI)
    parts = [word.element.body]
    for section in word.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            parts.append(part._element)
    for root in parts:
        _make_part_rtl(root)


def _make_part_rtl(root: BaseOxmlElement) -> None:
    """One part (the body, a header or a footer): paragraphs bidi, numbers kept left to right,
    Arabic-script runs rtl, tables read from the right."""
    for p in root.iter(qn("w:p")):
        _flag(_child(p, "w:pPr"), "w:bidi", _PPR_AFTER_BIDI)
    for t in root.iter(qn("w:t")):
        if t.text:
            t.text = keep_numbers_ltr(t.text)
    for run in root.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        if _ARABIC_SCRIPT.search(text):
            _flag(_child(run, "w:rPr"), "w:rtl", _RPR_AFTER_RTL)
    # Tables read from the right: first column on the right-hand side.
    for tbl_pr in root.iter(qn("w:tblPr")):
        _flag(tbl_pr, "w:bidiVisual", _TBLPR_AFTER_BIDI_VISUAL)


def _child(element: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    """``element``'s properties child ``tag`` (w:pPr, w:rPr), made as its first child if absent."""
    found = element.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        element.insert(0, found)
    return found
