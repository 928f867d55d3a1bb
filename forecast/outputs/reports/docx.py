"""report.docx: the report model as a Word document a reviewer can edit and attach to a
mid-term review: a 公文 page (GB/T 9704-2012, ``docx_page``), headings numbered 一、 (一)
1., a table of contents written out with links to the headings, real tables (columns as
wide as their content, tones as cell shading, header rows repeated on each page) and the
charts as PNG pictures."""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor, Twips
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph

import forecast.outputs.reports.charts as charts
import forecast.outputs.reports.docx_page as page
import forecast.outputs.reports.gongwen as gw
import forecast.outputs.reports.model as model
from forecast.files import atomic_file
from forecast.outputs.reports.model import Report, Section
from forecast.outputs.reports.table_widths import column_widths, table_widths

MONO = "Consolas"
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
HEADER_FILL = "EEF2F7"
SMALL = Pt(gw.TABLE_PT)  # tables
BLOCK_TWIPS = round(Mm(gw.BLOCK_WIDTH_MM).twips)  # the text block's width, 8844
_MARKUP = re.compile(r"(\*\*[^*]+\*\*|`[^`]+`)")  # the only markup report paragraphs use


def write_docx(report: Report, path: Path) -> None:
    """Write ``report`` to ``path`` as a Word document, atomically (a temporary file in the
    same folder, then renamed), so a failed write never leaves half a file behind."""
    doc = Document()
    page.setup(doc, report)
    doc.add_paragraph(report.title, style="Title")
    facts = doc.add_table(rows=0, cols=2)
    for label, value in report.facts:
        cells = facts.add_row().cells
        _text(cells[0].paragraphs[0], label, bold=True, size=SMALL)
        _text(cells[1].paragraphs[0], value, size=SMALL)
    _widths(facts, column_widths(("", ""), list(report.facts), frozenset()))
    headings = numbered(report)
    doc.add_paragraph(report.labels["contents"], style=page.CONTENTS_STYLE)
    for i, (section, number) in enumerate(headings, start=1):
        page.toc_entry(doc, number + section.title, section.level, _anchor(i))
    for i, (section, number) in enumerate(headings, start=1):
        _section(doc, section, number, i, report.labels)
    with atomic_file(path) as tmp:
        doc.save(str(tmp))


def numbered(report: Report) -> list[tuple[Section, str]]:
    """Every section depth first, with the number its heading and its TOC entry show."""
    out: list[tuple[Section, str]] = []

    def visit(sections: tuple[Section, ...], path: tuple[int, ...]) -> None:
        for n, section in enumerate(sections, start=1):
            out.append((section, gw.heading_number(report.lang, (*path, n))))
            visit(section.children, (*path, n))

    visit(report.sections, ())
    return out


def _anchor(i: int) -> str:
    """The bookmark of the i-th heading (Word hides names that start with _)."""
    return f"_Toc{i:04d}"


def _text(paragraph: WordParagraph, text: str, bold: bool = False, size: Pt | None = None,
          colour: RGBColor | None = None) -> None:
    """``text`` as runs: **bold** in bold, `code` without its backticks in a monospace font."""
    for part in filter(None, _MARKUP.split(text)):
        code, strong = part.startswith("`"), part.startswith("**")
        run = paragraph.add_run(part[1:-1] if code else part[2:-2] if strong else part)
        if bold or strong:
            run.bold = True
        if size is not None:
            run.font.size = size
        if colour is not None:
            run.font.color.rgb = colour
        if code:
            run.font.name = MONO


def _section(doc: WordDocument, section: Section, number: str, index: int,
             labels: dict[str, str]) -> None:
    """The heading (numbered, bookmarked, a plan on a new page) and the blocks; the children
    come after it in ``numbered``'s order."""
    heading = doc.add_paragraph(number + section.title,
                                style=f"Heading {min(section.level, page.MAX_HEADING)}")
    heading.paragraph_format.page_break_before = section.level == 1
    page.bookmark(heading, _anchor(index), index)
    for block in section.blocks:
        _block(doc, block, labels)


def _block(doc: WordDocument, block: model.Block, labels: dict[str, str]) -> None:
    if isinstance(block, model.Paragraph):
        _text(doc.add_paragraph(style=page.BODY_STYLE), block.text)
    elif isinstance(block, model.Table):
        _table(doc, block)
    elif isinstance(block, model.Figures):
        for chart in block.charts:
            picture = doc.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.paragraph_format.keep_with_next = True  # the caption stays with it
            width = Cm(12) if isinstance(chart, model.FanChart | model.ReliabilityChart) else Cm(15)
            picture.add_run().add_picture(io.BytesIO(charts.png(chart, labels)), width=width)
            doc.add_paragraph(chart.title, style="Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(doc: WordDocument, table: model.Table) -> None:
    """A grid table: the header row bold on a light fill and repeated on each page, numeric
    columns right-aligned, a cell with a likelihood tone shaded in that tone's colour."""
    word = doc.add_table(rows=1 + len(table.rows), cols=len(table.columns), style="Table Grid")
    word.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    body = [[(c, None) for c in table.columns], *([(c.text, c.tone) for c in r]
                                                  for r in table.rows)]
    for i, (row, values) in enumerate(zip(word.rows, body, strict=True)):
        for j, (cell, (text, tone)) in enumerate(zip(row.cells, values, strict=True)):
            fill = HEADER_FILL if i == 0 else None if tone is None else charts.TONES[tone][1:]
            if fill:
                cell._tc.get_or_add_tcPr().append(OxmlElement("w:shd", {
                    qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill}))
            paragraph = cell.paragraphs[0]
            if j in table.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _text(paragraph, text, bold=i == 0, size=SMALL,
                  colour=WHITE if tone in charts.DARK_TONES else None)
    _widths(word, table_widths(table))
    doc.add_paragraph()  # Word joins two tables that touch; this keeps them apart


def _widths(word: WordTable, fractions: list[float]) -> None:
    """Fixed column widths summing to the text block's width (in twips, as Word keeps them):
    the grid, each cell, and the table's own width, so Word and LibreOffice agree."""
    twips = [round(f * BLOCK_TWIPS) for f in fractions[:-1]]
    twips.append(BLOCK_TWIPS - sum(twips))
    word.autofit = False
    properties = word._tbl.tblPr
    properties.remove_all("w:tblW")
    properties.insert_element_before(  # where the schema puts it: Word is strict about order
        OxmlElement("w:tblW", {qn("w:w"): str(BLOCK_TWIPS), qn("w:type"): "dxa"}),
        "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
        "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    for column, width in zip(word.columns, twips, strict=True):
        column.width = Twips(width)
        for cell in column.cells:
            cell.width = Twips(width)
