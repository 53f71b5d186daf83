"""Document -> Word (.docx) with python-docx, built from named styles.

Word is the format staff edit, so structure matters more than pixel-matching the PDF:
real headings (navigation pane, generated contents), repeating table headers, alt text
on every picture, and page furniture in header/footer fields.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import weakref
import zipfile
from collections.abc import Iterable
from typing import Any, cast

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tc
from docx.parts.document import DocumentPart
from docx.shared import Length, Mm
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph
from docx.text.run import Run
from PIL import ImageFont

from reportgen import i18n
from reportgen.document import (
    Block,
    BulletList,
    Callout,
    Cell,
    Chart,
    ContactList,
    DefinitionList,
    Document,
    Headline,
    HeadlineRow,
    PageBreak,
    Paragraph,
    Section,
    Status,
    Table,
    Unavailable,
    cell_status,
    cell_text,
    inline_runs,
    link_spans,
)
from reportgen.errors import RenderError
from reportgen.render.base import Renderer
from reportgen.render.docx_rtl import make_rtl
from reportgen.render.docx_styles import NAVY, TINT, TONE_COLOURS, install_styles, sizes_for

PAGE_W, PAGE_H = Mm(210), Mm(297)
PAPER_MM = {"A4": (210, 297), "A3": (297, 420)}
# (left, right) margins in mm. Large print has narrower margins so that 16pt tables fit
# without splitting words, as in templates/css/large-print.css.
SIDE_MARGINS_MM = {"large-print": (14.0, 14.0), "poster": (15.0, 15.0)}
DEFAULT_SIDE_MARGINS_MM = (20.0, 18.0)
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
}


def _style_id(paragraph: WordParagraph, name: str) -> str:
    """The style id for a style name, looked up once per document.

    python-docx resolves ``x.style = "Name"`` with two XPath searches over every style in the
    document each time; in the board pack's tables that was 70% of the Word render (profile
    in docs/performance.md). The ids of one document are remembered against its part.
    """
    part = cast(DocumentPart, paragraph.part)  # body and table paragraphs: the part that holds the styles
    cache = _STYLE_IDS.setdefault(part, {})
    if name not in cache:
        cache[name] = part.styles[name].style_id
    return cache[name]


_STYLE_IDS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def _set_paragraph_style(paragraph: WordParagraph, name: str) -> None:
    paragraph._p.style = _style_id(paragraph, name)


def _add_run(paragraph: WordParagraph, text: str, style: str | None = None) -> Run:
    # No-break spaces between digit groups: a phone number never splits across lines in Word.
    run = paragraph.add_run(i18n.keep_digit_groups(text))
    if style:
        run._r.style = _style_id(paragraph, style)
    return run


def _add_text(paragraph: WordParagraph, text: str) -> None:
    """Add text with **bold** markup as runs in the Strong character style; a
    [label](href) link becomes its label with the address in brackets."""
    for span, href in link_spans(text):
        for chunk, bold in inline_runs(span):
            _add_run(paragraph, chunk, "Strong" if bold else None)
        if href:
            paragraph.add_run(f" ({href})")


def _add_status(paragraph: WordParagraph, status: Status, text: str | None = None) -> None:
    label = Cell(text or "", status).display
    _add_run(paragraph, label, f"Status {status.tone.value.title()}")


def _add_icon(paragraph: WordParagraph, icon: Chart) -> None:
    """A small picture (an SPC icon) at the start of a table cell, with its alt text. No space run
    after it: the cell's text must read exactly as the document model's (the parity tests)."""
    if not icon.png:
        raise RenderError(
            f"Icon {icon.id!r} has no PNG for the Word file.",
            hint="Pass the document through its ChartBook's with_png() first.",
        )
    inline = paragraph.add_run().add_picture(io.BytesIO(icon.png), width=Mm(icon.width_mm))
    inline._inline.docPr.set("descr", icon.alt_text)  # python-docx has no API for alt text


def _shade(cell_element: CT_Tc, fill: str) -> None:
    tc_pr = cell_element.get_or_add_tcPr()
    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:color"), "auto")
    shade.set(qn("w:fill"), fill)
    tc_pr.append(shade)


def _field(paragraph: WordParagraph, instruction: str, placeholder: str) -> None:
    """A simple field (PAGE, NUMPAGES) whose placeholder Word replaces when it lays out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page_words(lang: i18n.Language) -> tuple[str, str, str]:
    """The words before, between and after the page number fields: ('Page ', ' of ', '')."""
    text = lang.gettext("Page {page} of {pages}")
    before, _sep, rest = text.partition("{page}")
    between, _sep, after = rest.partition("{pages}")
    return before, between, after


def _complex_field_char(paragraph: WordParagraph, kind: str) -> None:
    run = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)


def toc_bookmark(number: int) -> str:
    """The bookmark on the heading of top-level section ``number`` (Word's own _Toc prefix)."""
    return f"_Toc{number:06d}"


def _bookmark(paragraph: WordParagraph, name: str, ident: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    paragraph._p.append(start)


# Elements that follow w:updateFields in CT_Settings' sequence (ECMA-376 part 1, 17.15.1.78).
_AFTER_UPDATE_FIELDS = {
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
    "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
    "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
}


def _ask_to_update_fields(word: WordDocument) -> None:
    """w:updateFields in settings.xml: Word refreshes the contents' page numbers on opening."""
    settings = word.settings.element
    flag = OxmlElement("w:updateFields")
    flag.set(qn("w:val"), "true")
    later = next((child for child in settings if child.tag.rpartition("}")[2] in _AFTER_UPDATE_FIELDS), None)
    if later is not None:
        later.addprevious(flag)
    else:
        settings.append(flag)


class _Writer:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.word: WordDocument = docx.Document()
        self.figures = 0
        self.sizes = sizes_for(doc.variant, doc.kind, doc.paper)
        # The two-sided leaflet: narrower margins, so Word's single column holds what the PDF's
        # two columns do and the Word file has as many pages as the PDF.
        leaflet = doc.kind == "leaflet" and doc.variant == "standard"
        self.two_sided = leaflet
        self.margins_mm = (15.0, 15.0) if leaflet else SIDE_MARGINS_MM.get(doc.variant, DEFAULT_SIDE_MARGINS_MM)
        self.page_w, self.page_h = PAPER_MM[doc.paper]
        self.text_width = Mm(self.page_w - sum(self.margins_mm))
        self.lang = i18n.for_tag(doc.language)

    def build(self) -> WordDocument:
        doc, word = self.doc, self.word
        self._page_setup()
        install_styles(word, self.sizes, doc.language, self.text_width.twips)
        self._core_properties()
        if doc.variant != "poster":  # the poster has no header or page numbers, as in its PDF
            self._furniture()
        word.add_paragraph(doc.partnership, style="Masthead Partnership")
        word.add_paragraph(doc.title, style="Title")
        if doc.subtitle:
            word.add_paragraph(doc.subtitle, style="Subtitle")
        word.add_paragraph(
            f"{doc.period_label} \u00b7 "
            + self.lang.gettext("Published %(date)s") % {"date": self.lang.long_date(doc.date)},
            style="Masthead Meta",
        )
        if doc.notice:
            notice = word.add_paragraph(style="Notice")
            notice.add_run(self.lang.gettext("Please note:") + " ", style="Strong")
            notice.add_run(doc.notice)
        if doc.toc:
            self._contents()
            _ask_to_update_fields(word)
        for number, section in enumerate(doc.sections, start=1):
            self._section(section, bookmark=toc_bookmark(number) if doc.toc else None)
        if doc.footer_text:
            _add_text(word.add_paragraph(style="Note"), doc.footer_text)
        _drop_trailing_blank(word)
        if self.lang.direction == "rtl":
            make_rtl(word, doc.language)
            if self.two_sided:
                _exact_leading(word)
        return word

    def _page_setup(self) -> None:
        section = self.word.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(self.page_w), Mm(self.page_h)
        section.left_margin, section.right_margin = (Mm(m) for m in self.margins_mm)
        doc = self.doc
        tight = doc.variant == "poster" or (doc.kind == "leaflet" and doc.variant == "standard")
        section.top_margin, section.bottom_margin = (Mm(12), Mm(12)) if tight else (Mm(20), Mm(18))
        section.header_distance = section.footer_distance = Mm(9)
        if self.two_sided:  # as the PDF's page box: 12mm above, the page number low in the foot
            section.top_margin, section.bottom_margin = Mm(10), Mm(10)
            section.header_distance = section.footer_distance = Mm(6)

    def _core_properties(self) -> None:
        doc, props = self.doc, self.word.core_properties
        # The document date, not the clock, so re-running a month gives the same file.
        stamp = dt.datetime.combine(doc.date, dt.time(0, 0), tzinfo=dt.UTC)
        props.title = doc.title
        props.subject = doc.subtitle or doc.period_label
        props.author = doc.author_or_partnership
        props.last_modified_by = doc.author_or_partnership
        props.keywords = ", ".join(doc.keywords)
        props.language = doc.language
        props.category = doc.kind
        props.comments = doc.notice or ""
        props.created = props.modified = stamp
        props.last_printed = stamp
        props.revision = 1

    def _furniture(self) -> None:
        doc = self.doc
        section = self.word.sections[0]
        # Page 1 carries the title block, so its header is left empty as in the PDF.
        section.different_first_page_header_footer = True
        if not self.two_sided:  # the two-sided leaflet has no running title, as in its PDF
            header = section.header.paragraphs[0]
            header.style = "Header"
            # At 18pt the partnership name would wrap the header onto two lines.
            large = doc.variant == "large-print"
            header.add_run(doc.title if large else f"{doc.title} \u2014 {doc.partnership}")
        for footer in (section.footer, section.first_page_footer):
            paragraph = footer.paragraphs[0]
            paragraph.style = "Footer"
            # "Page {page} of {pages}" in the document's language, its words around the two fields.
            before, between, after = _page_words(self.lang)
            paragraph.add_run(f"{doc.period_label}\t{before}")
            _field(paragraph, "PAGE", "1")
            paragraph.add_run(between)
            _field(paragraph, "NUMPAGES", "1")
            if after:
                paragraph.add_run(after)
            # The two-sided leaflet says it on its front only, as its PDF does (render/html.py).
            if self.lang.draft and not (doc.kind == "leaflet" and doc.variant == "standard"):
                draft = footer.add_paragraph(self.lang.draft_notice(), style="Footer")
                draft.paragraph_format.space_before = Mm(1)

    def _contents(self) -> None:
        """The contents: each title, a dot leader and a PAGEREF field to its heading's bookmark.

        Not wrapped in a TOC field: LibreOffice imports a TOC field as a static index and
        prints its cached text (titles with no page numbers, or stale ones), while a PAGEREF
        is worked out at layout, so LibreOffice and its PDF conversion show the right page
        numbers at once. Word fills them in as it opens the file (settings.xml asks it to
        update fields), and F9 refreshes them after an edit."""
        word = self.word
        word.add_paragraph(self.doc.contents_title, style="TOC Heading")
        for number, section in enumerate(self.doc.sections, start=1):
            paragraph = word.add_paragraph(style="TOC 1")
            paragraph.add_run(section.title)
            paragraph.add_run("\t")
            _complex_field_char(paragraph, "begin")
            instruction = paragraph.add_run()
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" PAGEREF {toc_bookmark(number)} \\h "
            instruction._r.append(instr)
            _complex_field_char(paragraph, "separate")
            paragraph.add_run("")  # no guessed number: the reader's layout supplies it
            _complex_field_char(paragraph, "end")

    def _section(self, section: Section, *, bookmark: str | None = None) -> None:
        heading = self.word.add_paragraph(style=f"Heading {section.level}")
        side_by_side = self.two_sided and section.id == "help" and all(isinstance(b, Section) for b in section.blocks)
        if bookmark:
            _bookmark(heading, bookmark, int(bookmark.removeprefix("_Toc")))
        heading.add_run(section.title)
        if bookmark:
            end = OxmlElement("w:bookmarkEnd")
            end.set(qn("w:id"), str(int(bookmark.removeprefix("_Toc"))))
            heading._p.append(end)
        if section.page_break_before:
            heading.paragraph_format.page_break_before = True
        if side_by_side:
            # Word's one column holds what the PDF's two CSS columns do: one cell each.
            self._side_by_side(section.blocks)
            return
        qr = [b for b in section.blocks if isinstance(b, Chart) and b.role == "qr"]
        if self.two_sided and section.id == "contact" and qr:
            # Who to call and the offer of other formats beside the code, as the PDF floats it.
            beside = tuple(b for b in section.blocks if b not in qr)
            table = self._layout_table(2, widths=(0.72, 0.28), whole=False)
            left, right = table.rows[0].cells
            self._in_cell(left, lambda: self._blocks(beside))
            self._in_cell(right, lambda: self._block(qr[0]))
            return
        for block in section.blocks:
            self._block(block)

    def _layout_table(self, columns: int, widths: tuple[float, ...] | None = None, *, whole: bool = True
                      ) -> WordTable:
        """A borderless one-row table that only places things side by side (marked as layout);
        ``whole``: never split over two pages (a QR code and its label, a headline card)."""
        table = self.word.add_table(rows=1, cols=columns)
        if whole:
            table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        for column, share in zip(table.columns, widths or (1 / columns,) * columns, strict=True):
            column.width = Mm(self.text_width.mm * share)  # the grid, which a fixed layout follows
            for cell in column.cells:
                cell.width = column.width
        # A layout table, not data: screen readers read it as plain text (no table semantics).
        tbl_pr = table._tbl.tblPr
        look = OxmlElement("w:tblLook")
        look.set(qn("w:val"), "0000")
        tbl_pr.append(look)
        return table

    def _blocks(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            self._block(block)

    def _in_cell(self, cell: Any, fill: Any) -> None:
        """Run ``fill`` with the writer adding paragraphs into ``cell`` instead of the body."""
        body, first = self.word, cell.paragraphs[0]
        self.word = cell  # a cell has add_paragraph and add_table
        try:
            fill()
        finally:
            self.word = body
        if not first.text and len(cell.paragraphs) > 1 and not first._p.xpath(".//w:drawing"):
            first._p.getparent().remove(first._p)
        # Keep-with-next inside a one-row table pushes the whole table to the next page in
        # LibreOffice (the row cannot follow its own last paragraph); the row stays whole anyway.
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = False

    def _cards(self, row: HeadlineRow) -> None:
        table = self._layout_table(len(row.headlines))
        for cell, headline in zip(table.rows[0].cells, row.headlines, strict=True):
            _shade(cell._tc, TINT)
            self._in_cell(cell, lambda h=headline: self._headline(h))

    def _side_by_side(self, blocks: tuple[Block, ...]) -> None:
        # May split: LibreOffice moves a tall unsplittable row to the next page even where it fits.
        table = self._layout_table(len(blocks), whole=False)
        for cell, block in zip(table.rows[0].cells, blocks, strict=True):
            self._in_cell(cell, lambda b=block: self._block(b))

    def _block(self, block: Block) -> None:  # noqa: C901 - one branch per block type
        word = self.word
        if isinstance(block, Section):
            self._section(block)
        elif isinstance(block, Paragraph):
            _add_text(word.add_paragraph(), block.text)
        elif isinstance(block, BulletList):
            for item in block.items:
                _add_text(word.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Headline):
            self._headline(block)
        elif isinstance(block, HeadlineRow) and self.two_sided and len(block.headlines) > 1:
            self._cards(block)
        elif isinstance(block, HeadlineRow):
            for headline in block.headlines:
                self._headline(headline)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Chart):
            self._chart(block)
        elif isinstance(block, Callout):
            style = f"Callout {block.kind.title()}"
            if not self.two_sided:  # the two-sided leaflet's offer says it all (its PDF hides the title)
                title = word.add_paragraph(style=style)
                title.add_run(block.title, style="Strong")
                title.paragraph_format.keep_with_next = True
            _add_text(word.add_paragraph(style=style), block.text)
            word.add_paragraph()
        elif isinstance(block, ContactList):
            for contact in block.contacts:
                word.add_paragraph(contact.name, style="Contact Name")
                for key, value in (
                    ("", contact.role),
                    (self.lang.gettext("Phone:") + " ", contact.phone),
                    (self.lang.gettext("Email:") + " ", contact.email),
                    (self.lang.gettext("Web:") + " ", contact.web),
                    (self.lang.gettext("Address:") + " ", contact.address),
                ):
                    if value:
                        line = word.add_paragraph(style="Contact Detail")
                        if key:
                            line.add_run(key, style="Strong")
                        line.add_run(i18n.keep_digit_groups(value))
        elif isinstance(block, DefinitionList):
            for term, definition in block.items:
                word.add_paragraph(term, style="Definition Term")
                _add_text(word.add_paragraph(style="Definition"), definition)
        elif isinstance(block, Unavailable):
            word.add_paragraph(block.text, style="Note")
        elif isinstance(block, PageBreak):
            word.add_page_break()
        else:
            raise RenderError(f"The Word renderer does not know the block type {type(block).__name__}.")

    def _headline(self, headline: Headline) -> None:
        word = self.word
        word.add_paragraph(headline.value, style="Headline Figure")
        word.add_paragraph(headline.label, style="Headline Label")
        if headline.detail or headline.status:
            detail = word.add_paragraph(headline.detail, style="Headline Detail")
            if headline.status:
                if headline.detail:
                    detail.add_run("  ")
                _add_status(detail, headline.status)

    def _table(self, block: Table) -> None:
        word = self.word
        word.add_paragraph(block.caption, style="Caption")
        table: WordTable = word.add_table(rows=1 + len(block.rows), cols=len(block.columns))
        table.style = word.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        _table_properties(table, block.caption)
        # The two-sided leaflet's crime types ("Things stolen from cars and vans") keep to one line.
        widths = _column_widths(block, self.sizes.table, self.text_width.mm, 95.0 if self.two_sided else 60.0)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
            for cell in column.cells:
                cell.width = width
        header = table.rows[0]
        # Repeat the header row on every page and never split a row across pages.
        header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for index, (cell, title) in enumerate(zip(header.cells, block.columns, strict=True)):
            paragraph = cell.paragraphs[0]
            _set_paragraph_style(paragraph, "Table Heading")
            paragraph.alignment = _ALIGN[block.align(index)]
            paragraph.add_run(title)
            _shade(cell._tc, NAVY)
        for row_number, (word_row, values) in enumerate(zip(table.rows[1:], block.rows, strict=True)):
            word_row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            for index, (cell, value) in enumerate(zip(word_row.cells, values, strict=True)):
                paragraph = cell.paragraphs[0]
                is_row_heading = index == 0 and block.row_headers
                _set_paragraph_style(paragraph, "Table Row Heading" if is_row_heading else "Table Text")
                paragraph.alignment = _ALIGN[block.align(index)]
                for icon in value.icons if isinstance(value, Cell) else ():
                    _add_icon(paragraph, icon)
                status = cell_status(value)
                if status is not None and isinstance(value, Cell):  # only a Cell has a status
                    _add_status(paragraph, status, value.text)
                    _shade(cell._tc, TONE_COLOURS[status.tone.value][1])
                else:
                    paragraph.add_run(i18n.keep_digit_groups(cell_text(value)))
                    if row_number % 2 == 1:
                        _shade(cell._tc, TINT)
        for note in block.notes:
            _add_text(word.add_paragraph(style="Note"), note)
        if not block.notes:
            word.add_paragraph(style="Note")

    def _chart(self, chart: Chart) -> None:
        if not chart.png:
            raise RenderError(f"Chart {chart.id!r} has no PNG for the Word file.",
                              hint="Pass the document through its ChartBook's with_png() first.")
        word = self.word
        if chart.role == "qr":
            # A QR code is not a numbered figure: the code with what it opens beside it, in one
            # paragraph as in the PDF (no caption line: the poster has no room for one).
            picture_paragraph = word.add_paragraph()
        else:
            self.figures += 1
            figure = self.lang.gettext("Figure %(n)s:") % {"n": self.figures}
            word.add_paragraph(f"{figure} {chart.title}", style="Caption")
            picture_paragraph = word.add_paragraph(style="Figure")
        width = Mm(min(chart.width_mm, self.text_width.mm))
        # A picture's line grows with it only under proportional spacing (an exact leading, as
        # the Urdu leaflet's, would cut it to one line of text).
        picture_paragraph.paragraph_format.line_spacing = 1.0
        try:
            inline = picture_paragraph.add_run().add_picture(io.BytesIO(chart.png), width=width)
        except Exception as exc:  # python-docx raises several types for bad image data
            raise RenderError(f"Chart {chart.id!r}: the PNG could not be embedded ({exc}).") from exc
        # python-docx has no API for alt text; Word and screen readers read wp:docPr/@descr.
        doc_pr = inline._inline.docPr
        doc_pr.set("descr", chart.alt_text)
        doc_pr.set("title", chart.title)
        doc_pr.set("name", chart.id)
        if chart.role == "qr" and self.two_sided:  # in its own narrow cell: the label under the code
            _add_text(word.add_paragraph(), f"**{chart.title}**")
            return
        if chart.role == "qr":
            picture_paragraph.add_run("\u2003")
            _add_text(picture_paragraph, f"**{chart.title}**")
            return
        source = f"{self.lang.gettext('Source:')} {chart.source}" if chart.source else ""
        for text in (chart.caption, source):
            if text:
                _add_text(word.add_paragraph(style="Note"), text)


def _exact_leading(word: WordDocument) -> None:
    """Arabic-script faces carry tall ascents and descents, so Word's "multiple" line spacing
    sets Urdu lines half as tall again as the PDF's (line-height 1.25, templates/css/rtl.css).
    Exact leading, as in the PDF: 1.25 of the size for running text, 1.6 for Nastaliq headings,
    whose marks reach further."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    for style in word.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        size, base = style.font.size, style.base_style
        while size is None and base is not None:
            size, base = base.font.size, base.base_style
        if size is None:
            continue
        heading = style.name.lower().startswith(("heading", "title"))
        style.paragraph_format.line_spacing = Pt(round(size.pt * (1.6 if heading else 1.25), 1))


def _drop_trailing_blank(word: WordDocument) -> None:
    """Remove spacer paragraphs at the very end: one left after the last callout can spill onto
    a page of its own (the leaflet's third Word page held nothing else)."""
    body = word.element.body
    while True:
        last = [el for el in body if el.tag == qn("w:p")]
        if not last or body[-2 if body[-1].tag == qn("w:sectPr") else -1] is not last[-1]:
            return
        paragraph = last[-1]
        if paragraph.xpath("string(.)").strip() or paragraph.xpath(".//w:drawing"):
            return
        body.remove(paragraph)


def _table_properties(table: WordTable, caption: str) -> None:
    """Narrow side margins (1.5 mm; Table Grid has 1.9 mm) and the caption as the table's alt text.

    Word rejects a file whose tblPr children are out of schema order, so tblCellMar goes
    before tblLook and tblCaption after it.
    """
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "85")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    look = tbl_pr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        look.set(qn("w:val"), "04A0")
        tbl_pr.append(look)
    look.addprevious(margins)
    alt = OxmlElement("w:tblCaption")
    alt.set(qn("w:val"), caption)
    look.addnext(alt)


@functools.cache
def _bold_font() -> ImageFont.FreeTypeFont:
    """Liberation Sans Bold (Arial's metrics) if installed, else DejaVu Sans Bold, which is
    wider, so widths measured with it are safe for Arial.

    Pillow finds a font file by name in the system's font folders; matplotlib's bundled
    DejaVu is the last resort only, because importing matplotlib costs a Word-only run
    (a leaflet has no charts) a fifth of a second.
    """
    for name in ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, 1000)
        except OSError:
            continue
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight="bold"))
    return ImageFont.truetype(path, 1000)


def _width_mm(text: str, size_pt: float) -> float:
    return _bold_font().getlength(text) / 1000 * size_pt * 25.4 / 72


def _column_widths(block: Table, text_pt: float, total: float, cap_mm: float = 60.0) -> list[Length]:
    """Fixed column widths: every column at least as wide as its longest unbreakable word
    (a status glyph and its word count as one), spare width shared by content length.

    Word and LibreOffice honour fixed widths more predictably than autofit, and equal
    columns split words mid-way at large-print sizes. Words are measured in bold, the
    widest face a table uses.
    """
    padding_mm = 4.0  # cell margins and borders
    floors, chip_floors, wants = [], [], []
    for index, title in enumerate(block.columns):
        values = [row[index] for row in block.rows]
        texts = [title] + [cell_text(v) for v in values]
        # Split on plain spaces only: the no-break space keeps a status glyph with its word.
        words = [word for text in texts for word in text.split(" ")]
        floors.append(max(_width_mm(word, text_pt) for word in words) * 1.05 + padding_mm)
        # A whole chip ("● On track") on one line reads best, when the page allows it.
        chips = [_width_mm(cell_text(v), text_pt) * 1.05 + padding_mm for v in values if cell_status(v)]
        chip_floors.append(max([floors[-1], *chips]))
        longest = max(texts, key=len)
        wants.append(max(min(_width_mm(longest, text_pt), cap_mm) + padding_mm, chip_floors[-1]))
    if sum(chip_floors) < total:
        floors = chip_floors
    if sum(floors) >= total:
        widths = [f * total / sum(floors) for f in floors]
    elif sum(wants) <= total:
        widths = [w * total / sum(wants) for w in wants]
    else:
        spare = total - sum(floors)
        need = [w - f for w, f in zip(wants, floors, strict=True)]
        widths = [f + spare * n / sum(need) for f, n in zip(floors, need, strict=True)]
    return [Mm(w) for w in widths]


def _normalise_zip(data: bytes, date: dt.date) -> bytes:
    """Rewrite the package with fixed member timestamps so identical input gives identical bytes."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def document_to_docx(doc: Document) -> bytes:
    """The .docx bytes for ``doc``."""
    word = _Writer(doc).build()
    buffer = io.BytesIO()
    try:
        word.save(buffer)
    except Exception as exc:
        raise RenderError(f"python-docx could not save {doc.title!r}: {exc}") from exc
    return _normalise_zip(buffer.getvalue(), doc.date)


class DocxRenderer(Renderer):
    name = "docx"
    suffix = ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def to_bytes(self, doc: Document) -> bytes:
        return document_to_docx(doc)
