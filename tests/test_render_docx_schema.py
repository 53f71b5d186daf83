"""Word refuses files whose property elements are out of schema order (LibreOffice forgives it).

We add several elements through raw XML (borders, shading, cell margins, table captions,
alt text), so check the order of children in every property element against ECMA-376.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
    "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
    "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
    "vertAlign rtl cs em lang eastAsianLayout specVanish oMath rPrChange",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign "
    "hideMark headers cellIns cellDel cellMerge tcPrChange",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange",
}


@pytest.mark.parametrize("fixture", ["rendered", "rendered_large"])
@pytest.mark.parametrize(
    "part", ["word/document.xml", "word/styles.xml", "word/header1.xml", "word/footer1.xml"]
)
def test_property_children_are_in_schema_order(
    fixture: str, part: str, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(fixture)["docx"]
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        if part not in names:
            pytest.skip(f"{part} not in package")
        root = etree.fromstring(package.read(part))
    checked = 0
    for name, sequence in ORDER.items():
        rank = {child: i for i, child in enumerate(sequence.split())}
        for element in root.iter(W + name):
            positions = [
                rank[c.tag[len(W) :]] for c in element if c.tag.startswith(W) and c.tag[len(W) :] in rank
            ]
            assert positions == sorted(positions), (name, [c.tag[len(W) :] for c in element])
            checked += 1
    assert checked
