"""report.docx: the report model as a Word document a reviewer can edit and attach to a
mid-term review: A4, page numbers, a table of contents Word fills in, real tables (tones as
cell shading, header rows repeated on each page) and the charts as PNG pictures."""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph as WordParagraph

import forecast.outputs.reports.charts as charts
import forecast.outputs.reports.model as model
from forecast.files import atomic_file
from forecast.outputs.reports.model import Report, Section

LATIN, EAST_ASIAN, MONO = "Calibri", "Microsoft YaHei", "Consolas"  # YaHei is 微软雅黑
HEADING, WHITE = RGBColor(0x08, 0x30, 0x6B), RGBColor(0xFF, 0xFF, 0xFF)
HEADER_FILL = "EEF2F7"
SMALL = Pt(8.5)  # tables
_MARKUP = re.compile(r"(\*\*[^*]+\*\*|`[^`]+`)")  # the only markup report paragraphs use


def write_docx(report: Report, path: Path) -> None:
    """Write ``report`` to ``path`` as a Word document, atomically (a temporary file in the
    same folder, then renamed), so a failed write never leaves half a file behind."""
    doc = Document()
    _setup(doc, report)
    doc.add_paragraph(report.title, style="Title")
    facts = doc.add_table(rows=0, cols=2)
    for label, value in report.facts:
        cells = facts.add_row().cells
        _text(cells[0].paragraphs[0], label, bold=True, size=SMALL)
        _text(cells[1].paragraphs[0], value, size=SMALL)
    _field(doc.add_paragraph(), r'TOC \o "1-2" \h \z \u', report.labels["toc_hint"])
    for section in report.sections:
        _section(doc, section, report.labels)
    with atomic_file(path) as tmp:
        doc.save(str(tmp))


def _setup(doc: WordDocument, report: Report) -> None:
    """A4 portrait with 2 cm margins, the page number in the footer, and fonts that show
    Chinese in Word (Latin and East Asian fonts are separate attributes of w:rFonts)."""
    page = doc.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.left_margin = page.right_margin = page.top_margin = page.bottom_margin = Cm(2)
    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")
    doc.core_properties.title = report.title
    doc.core_properties.language = "zh-CN" if report.lang == "zh" else "en-GB"
    normal = doc.styles["Normal"]
    _fonts(normal)
    normal.font.size = Pt(10.5)
    if report.lang == "zh":  # quotes and dashes are then drawn in the Chinese font
        normal.element.rPr.append(OxmlElement("w:lang", {qn("w:eastAsia"): "zh-CN"}))
    for name in ("Title", "Heading 1", "Heading 2", "Caption"):
        _fonts(doc.styles[name])
        doc.styles[name].font.color.rgb = HEADING


def _fonts(style: BaseStyle) -> None:
    style.font.name = LATIN
    fonts = style.element.rPr.rFonts
    fonts.set(qn("w:eastAsia"), EAST_ASIAN)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the names set here


def _field(paragraph: WordParagraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE, TOC) showing ``placeholder`` until Word updates it."""
    begin, separate, end = (OxmlElement("w:fldChar", {qn("w:fldCharType"): kind})
                            for kind in ("begin", "separate", "end"))
    code = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    code.text = f" {instruction} "
    for element in (begin, code, separate):
        paragraph.add_run()._r.append(element)
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(end)


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


def _section(doc: WordDocument, section: Section, labels: dict[str, str]) -> None:
    doc.add_heading(section.title, level=section.level)
    for block in section.blocks:
        _block(doc, block, labels)
    for child in section.children:
        _section(doc, child, labels)


def _block(doc: WordDocument, block: model.Block, labels: dict[str, str]) -> None:
    if isinstance(block, model.Paragraph):
        _text(doc.add_paragraph(), block.text)
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
    doc.add_paragraph()  # Word joins two tables that touch; this keeps them apart
