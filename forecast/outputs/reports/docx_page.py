"""The 公文 page of report.docx (GB/T 9704-2012, numbers from ``gongwen``): A4 with the
156 × 225 mm text block, styles carrying the official font names (w:eastAsia, so Word uses
them for Chinese; Latin in Times New Roman), page numbers "— 1 —" on the outside edge, and a
table of contents written out as entries that link to bookmarks at the headings (no field
that the reader must update first)."""

from __future__ import annotations

from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph as WordParagraph

import forecast.outputs.reports.gongwen as gw
from forecast.outputs.reports.model import Report

BLACK = RGBColor(0, 0, 0)
BODY_STYLE = "Body Text"  # report paragraphs: indented two characters, 22 lines a page
CONTENTS_STYLE = "TOC Heading"  # 目录 / Contents, centred on a page of its own
MAX_HEADING = 4


def setup(doc: WordDocument, report: Report) -> None:
    """Page geometry, page numbers and the styles of a 公文 (English: the same, in serif)."""
    page = doc.sections[0]
    page.page_width, page.page_height = Mm(gw.PAGE_WIDTH_MM), Mm(gw.PAGE_HEIGHT_MM)
    page.top_margin, page.bottom_margin = Mm(gw.TOP_MM), Mm(gw.BOTTOM_MM)
    page.left_margin, page.right_margin = Mm(gw.LEFT_MM), Mm(gw.RIGHT_MM)
    # the footer's one line, its bottom this far up: its dashes 7 mm below the text block
    page.footer_distance = (Mm(gw.BOTTOM_MM - gw.PAGE_NUMBER_DROP_MM)
                            - Pt((1 - gw.DASH_HEIGHT_EM) * gw.PAGE_NUMBER_PT))
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(page.footer.paragraphs[0], "right")
    _page_number(page.even_page_footer.paragraphs[0], "left")
    doc.core_properties.title = report.title
    doc.core_properties.language = "zh-CN" if report.lang == "zh" else "en-GB"
    zh = report.lang == "zh"
    normal = doc.styles["Normal"]
    fonts(normal, gw.FANG)
    normal.font.size = Pt(gw.BODY_PT if zh else gw.EN_BODY_PT)
    if zh:  # quotes and dashes are then drawn in the Chinese font
        normal.element.get_or_add_rPr().append(
            OxmlElement("w:lang", {qn("w:eastAsia"): "zh-CN"}))
    body = doc.styles[BODY_STYLE]
    fonts(body, gw.FANG)
    _paragraph(body, indent=zh, space_after=0 if zh else 6)
    title = doc.styles["Title"]
    fonts(title, gw.TITLE)
    title.font.size, title.font.bold = Pt(gw.TITLE_PT), not zh
    title.element.get_or_add_rPr().remove_all("w:spacing")  # the template's letter spacing
    title.element.get_or_add_pPr().remove_all("w:pBdr")  # and blue rule
    _paragraph(title, indent=False, space_after=gw.BODY_PT)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    for level in range(1, MAX_HEADING + 1):
        heading = doc.styles[f"Heading {level}"]
        fonts(heading, gw.heading_face(level) if zh else gw.FANG)
        heading.font.size = Pt(gw.BODY_PT if zh else {1: 16, 2: 14}.get(level, 12))
        heading.font.bold, heading.font.italic = not zh, False
        _paragraph(heading, indent=zh, space_after=0 if zh else 6)
        heading.paragraph_format.space_before = Pt(0 if zh else 12)
        heading.paragraph_format.keep_with_next = True
    contents = doc.styles[CONTENTS_STYLE]
    fonts(contents, gw.HEI)
    contents.font.size, contents.font.bold = Pt(gw.BODY_PT), not zh
    _paragraph(contents, indent=False, space_after=gw.BODY_PT / 2)
    contents.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    contents.paragraph_format.page_break_before = True
    caption = doc.styles["Caption"]
    fonts(caption, gw.FANG)
    caption.font.size, caption.font.bold = Pt(gw.NOTE_PT), False


def fonts(style: BaseStyle, face: gw.Face) -> None:
    """Latin in Times New Roman and Chinese in ``face`` (w:eastAsia), in black."""
    style.font.name = gw.LATIN.word
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), face.word)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)  # a theme font would win over the names set here
    style.font.color.rgb = BLACK


def _paragraph(style: BaseStyle, indent: bool, space_after: float) -> None:
    """22 lines a page (the 公文 line pitch) and a first line two characters in."""
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
    if indent:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(gw.LINE_PITCH_PT)
        fmt.first_line_indent = Pt(gw.INDENT_CHARS * gw.BODY_PT)
        ind = style.element.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(100 * gw.INDENT_CHARS))  # two characters, exactly
    else:
        fmt.line_spacing = gw.EN_LINE if space_after else 1.0
        fmt.first_line_indent = Pt(0)


def _page_number(paragraph: WordParagraph, side: str) -> None:
    """"— 1 —" in 4号 宋体 on the outside edge, one character in from it."""
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if side == "right" else WD_ALIGN_PARAGRAPH.LEFT
    if side == "right":
        fmt.right_indent = Pt(gw.PAGE_NUMBER_PT)
    else:
        fmt.left_indent = Pt(gw.PAGE_NUMBER_PT)
    runs = [paragraph.add_run("— ")]
    begin, separate, end = (OxmlElement("w:fldChar", {qn("w:fldCharType"): kind})
                            for kind in ("begin", "separate", "end"))
    code = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    code.text = " PAGE "
    for element in (begin, code, separate):
        run = paragraph.add_run()
        run._r.append(element)
        runs.append(run)
    runs.append(paragraph.add_run("1"))
    run = paragraph.add_run()
    run._r.append(end)
    runs += [run, paragraph.add_run(" —")]
    for run in runs:
        run.font.size = Pt(gw.PAGE_NUMBER_PT)
        run.font.name = gw.SONG.word
        run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), gw.SONG.word)


def bookmark(paragraph: WordParagraph, name: str, number: int) -> None:
    """Put the whole of ``paragraph`` inside the bookmark ``name`` (a TOC entry links to it)."""
    start = OxmlElement("w:bookmarkStart", {qn("w:id"): str(number), qn("w:name"): name})
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): str(number)}))


def toc_entry(doc: WordDocument, text: str, level: int, anchor: str) -> WordParagraph:
    """One line of the table of contents: ``text`` linked to the bookmark ``anchor``,
    indented two characters a level below the first."""
    paragraph = doc.add_paragraph(style="Normal")
    fmt = paragraph.paragraph_format
    fmt.left_indent = Pt(gw.INDENT_CHARS * gw.BODY_PT * (level - 1))
    fmt.space_after = Pt(0)
    link = OxmlElement("w:hyperlink", {qn("w:anchor"): anchor, qn("w:history"): "1"})
    run = OxmlElement("w:r")
    words = OxmlElement("w:t", {qn("xml:space"): "preserve"})
    words.text = text
    run.append(words)
    link.append(run)
    paragraph._p.append(link)
    return paragraph
