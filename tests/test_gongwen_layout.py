"""report.pdf and report.docx laid out as a 公文 (GB/T 9704-2012), checked on the files of a
real run, Chinese and English: A4 with a 156 × 225 mm text block 37 mm from the top and 28 mm
from the left, "— N —" page numbers on the outside edge below the block, the 公文 faces
embedded in the PDF (仿宋 body, 黑体/楷体 headings, a bold 宋体 title) and named in the Word
styles (w:eastAsia), Word tables as wide as the text block with columns sized by content, and
a written-out table of contents. Every number is computed here from millimetres."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn

from forecast.outputs.reports.build import build_report
from forecast.outputs.reports.docx import write_docx
from forecast.outputs.reports.html import render_html
from forecast.outputs.reports.model import Report, Table
from forecast.outputs.reports.pdf import pdf_unavailable, write_pdf
from forecast.outputs.reports.source import read_run

from builders import BUNDLED, BundledRun

pytestmark = pytest.mark.xdist_group(BUNDLED)
PT = 72 / 25.4  # points in a millimetre
EMU = 36_000  # EMU in a millimetre
TOP, LEFT, WIDTH, HEIGHT = 37, 28, 156, 225  # GB/T 9704-2012, in mm
CN = [*"一二三四五六七八九十", *(f"十{d}" for d in "一二三四五六七八九"), "二十"]  # 1..20


@pytest.fixture(scope="module")
def reports(bundled_run: BundledRun, tmp_path_factory, catalogue) -> dict[str, tuple]:
    """(report model, report.pdf, report.docx) per language: the run's own Chinese files and
    an English set written from the same run."""
    if pdf_unavailable():
        pytest.skip(pdf_unavailable())
    outputs = read_run(bundled_run.folder)
    folder = tmp_path_factory.mktemp("english")
    english = build_report(outputs, "en", catalogue)
    write_pdf(render_html(english, for_print=True), folder / "report.pdf")
    write_docx(english, folder / "report.docx")
    chinese = build_report(outputs, "zh", catalogue)
    return {"zh": (chinese, bundled_run.folder / "report.pdf", bundled_run.folder / "report.docx"),
            "en": (english, folder / "report.pdf", folder / "report.docx")}


def words(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words with their boxes in mm from the top-left corner (pdftotext -bbox)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = []
    for page in xml.split("<page ")[1:]:
        found = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
            page)
        pages.append([(text, *(float(v) / PT for v in box)) for *box, text in found])
    return pages


def numbered_titles(report: Report) -> list[tuple[int, str]]:
    """(level, heading as written) in order, numbered here independently of the writers."""
    out = []
    for i, section in enumerate(report.sections, start=1):
        out.append((1, f"{CN[i - 1]}、" if report.lang == "zh" else f"{i} "))
        out[-1] = (1, out[-1][1] + section.title)
        for j, child in enumerate(section.children, start=1):
            number = f"（{CN[j - 1]}）" if report.lang == "zh" else f"{i}.{j} "
            out.append((2, number + child.title))
    assert len(report.sections) <= len(CN) and all(len(s.children) <= len(CN)
                                                    for s in report.sections)
    assert all(not c.children for s in report.sections for c in s.children)  # two levels here
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_pages_are_a4_with_the_text_in_the_block(reports, lang):
    _, pdf, _ = reports[lang]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert width == pytest.approx(210 * PT, abs=0.5) and height == pytest.approx(297 * PT, abs=0.5)
    pages = words(pdf)
    assert len(pages) == int(re.search(r"Pages:\s+(\d+)", info).group(1)) > 5
    body = [w for page in pages for w in page if w[2] < TOP + HEIGHT]  # not the page numbers
    tolerance = 1.0  # mm: a word's box is its font's ascent and descent, a little taller
    assert min(w[1] for w in body) >= LEFT - tolerance
    assert max(w[3] for w in body) <= LEFT + WIDTH + tolerance
    assert min(w[2] for w in body) >= TOP - tolerance
    assert max(w[4] for w in body) <= TOP + HEIGHT + tolerance
    # and the block is used to its edges: text starts at its left and top, reaches its right
    assert min(w[1] for w in body) <= LEFT + 1
    assert min(w[2] for w in body) <= TOP + 3
    assert max(w[3] for w in body) >= LEFT + WIDTH - 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_page_numbers_sit_below_the_block_on_the_outside_edge(reports, lang):
    """"— N —" on every page, its dashes about 7 mm below the block, odd pages on the right
    and even pages on the left, one 14 pt character in from the block's edge."""
    _, pdf, _ = reports[lang]
    one_char = 14 / PT
    for n, page in enumerate(words(pdf), start=1):
        below = [w for w in page if w[2] > TOP + HEIGHT]
        assert [w[0] for w in below] == ["—", str(n), "—"], n
        dashes = [w for w in below if w[0] == "—"]
        for dash in dashes:
            middle = (dash[2] + dash[4]) / 2
            assert TOP + HEIGHT + 5 <= middle <= TOP + HEIGHT + 9, (n, middle)
        if n % 2:
            assert dashes[-1][3] == pytest.approx(LEFT + WIDTH - one_char, abs=1.5), n
        else:
            assert dashes[0][1] == pytest.approx(LEFT + one_char, abs=1.5), n


def _fonts(pdf: Path) -> dict[str, tuple[str, str]]:
    """Embedded font name (subset tag removed) -> (emb, sub) columns of pdffonts."""
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    out = {}
    for line in lines:
        name, *_, emb, sub, _uni, _obj, _gen = line.split()
        assert re.match(r"[A-Z]{6}\+", name), name  # a subset tag
        out[name.split("+", 1)[1]] = (emb, sub)
    return out


def test_pdf_embeds_the_gongwen_faces_in_their_roles(reports):
    """Title in the bold Song (小标宋), 一、 headings in 黑体 (Noto Sans CJK), (一) headings
    in 楷体 (FandolKai), body text in 16 pt 仿宋 (FandolFang), Latin in STIX; all subsets."""
    report, pdf, _ = reports["zh"]
    fonts = _fonts(pdf)
    for face in ("FandolSong-Bold", "FandolFang", "FandolKai", "Noto-Sans-CJK-SC",
                 "STIXGeneral"):
        assert fonts.get(face) == ("yes", "yes"), (face, fonts)
    headings = numbered_titles(report)
    with pdfplumber.open(pdf) as doc:
        chars = [c for page in doc.pages[:12] for c in page.chars]
    text = "".join(c["text"] for c in chars)

    def face_of(snippet: str) -> tuple[str, float]:
        i = text.rindex(snippet)  # the heading itself, after its entry in the contents
        char = chars[i]
        return char["fontname"].split("+", 1)[1], round(char["size"], 1)

    assert face_of(report.title) == ("FandolSong-Bold", 22.0)
    level1 = next(t for level, t in headings if level == 1)
    level2 = next(t for level, t in headings if level == 2)
    assert face_of(level1[:6]) == ("Noto-Sans-CJK-SC", 16.0)
    assert face_of(level2[:6]) == ("FandolKai", 16.0)
    body = [c for c in chars if c["fontname"].endswith("FandolFang") and abs(c["size"] - 16) < 0.05]
    assert len(body) > 100


def test_english_pdf_is_set_in_a_serif(reports):
    _, pdf, _ = reports["en"]
    fonts = _fonts(pdf)
    assert fonts.get("STIXGeneral") == ("yes", "yes")
    assert fonts.get("STIXGeneral-Bold") == ("yes", "yes")  # the headings
    with pdfplumber.open(pdf) as doc:
        letters = [c for page in doc.pages[:12] for c in page.chars if c["text"].isascii()
                   and c["text"].isalpha()]
    serif = [c for c in letters if "STIXGeneral" in c["fontname"]]
    assert len(serif) > 0.9 * len(letters)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_page_styles_and_page_numbers(reports, lang):
    _, _, path = reports[lang]
    doc = docx.Document(str(path))
    section = doc.sections[0]
    mm = {name: getattr(section, name) / EMU for name in (
        "page_width", "page_height", "top_margin", "left_margin", "right_margin",
        "bottom_margin")}
    assert mm == pytest.approx({"page_width": 210, "page_height": 297, "top_margin": TOP,
                                "left_margin": LEFT, "right_margin": 210 - LEFT - WIDTH,
                                "bottom_margin": 297 - TOP - HEIGHT}, abs=0.05)
    fonts = {}
    for name in ("Normal", "Body Text", "Title", "Heading 1", "Heading 2", "Heading 3"):
        rfonts = doc.styles[name].element.rPr.rFonts
        fonts[name] = (rfonts.get(qn("w:ascii")), rfonts.get(qn("w:eastAsia")))
        assert rfonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override it
    assert fonts == {"Normal": ("Times New Roman", "仿宋_GB2312"),
                     "Body Text": ("Times New Roman", "仿宋_GB2312"),
                     "Title": ("Times New Roman", "方正小标宋简体"),
                     "Heading 1": ("Times New Roman", "黑体" if lang == "zh" else "仿宋_GB2312"),
                     "Heading 2": ("Times New Roman",
                                   "楷体_GB2312" if lang == "zh" else "仿宋_GB2312"),
                     "Heading 3": ("Times New Roman", "仿宋_GB2312")}
    assert doc.styles["Title"].font.size.pt == 22
    if lang == "zh":
        assert doc.styles["Normal"].font.size.pt == 16  # 3号
        assert doc.styles["Heading 1"].font.size.pt == 16
        body = doc.styles["Body Text"].paragraph_format
        assert body.line_spacing.pt == pytest.approx(HEIGHT * PT / 22, abs=0.05)  # 22 lines
        assert body.first_line_indent.pt == 32  # two 16 pt characters
    # page numbers: odd pages right, even pages left, "— PAGE —" with a PAGE field
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, "RIGHT"), (section.even_page_footer, "LEFT")):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "— 1 —"
        assert paragraph.alignment.name == side
        assert [t.text.strip() for t in paragraph._p.iter(qn("w:instrText"))] == ["PAGE"]


def test_docx_tables_fill_the_block_with_columns_sized_by_content(reports):
    report, _, path = reports["zh"]
    doc = docx.Document(str(path))
    block = WIDTH * EMU
    assert len(doc.tables) > 10
    for table in doc.tables:
        widths = [column.width for column in table.columns]
        assert sum(widths) == pytest.approx(block, abs=0.1 * EMU)
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        for row in table.rows[:3]:
            assert [c.width for c in row.cells] == widths
    headline = next(b for s in report.walk() for b in s.blocks
                    if isinstance(b, Table) and b.name == "headline")
    word = next(t for t in doc.tables
                if tuple(c.text for c in t.rows[0].cells) == headline.columns)
    widths = [column.width for column in word.columns]
    assert len(set(widths)) > 2  # not equal widths
    text = [w for j, w in enumerate(widths) if j not in headline.numeric]
    assert all(widths[j] < max(text) for j in headline.numeric)
    assert widths[headline.columns.index(headline.columns[0])] > 1.5 * min(widths)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_table_of_contents_lists_the_numbered_headings_with_links(reports, lang):
    report, _, path = reports[lang]
    doc = docx.Document(str(path))
    expected = numbered_titles(report)
    entries = [p for p in doc.paragraphs if p._p.find(qn("w:hyperlink")) is not None]
    assert [p.text for p in entries] == [t for _, t in expected]
    headings = {}
    for p in doc.paragraphs:
        if p.style.name.startswith("Heading"):
            for mark in p._p.iter(qn("w:bookmarkStart")):
                headings[mark.get(qn("w:name"))] = (p.style.name, p.text)
    for entry, (level, title) in zip(entries, expected, strict=True):
        anchor = entry._p.find(qn("w:hyperlink")).get(qn("w:anchor"))
        assert headings[anchor] == (f"Heading {level}", title)
    assert not [t for t in doc.element.body.iter(qn("w:instrText")) if "TOC" in t.text]
