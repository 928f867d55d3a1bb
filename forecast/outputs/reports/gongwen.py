"""公文 layout (GB/T 9704-2012) for report.pdf and report.docx: the page, the type sizes, the
fonts and the numbering of headings, each said once here and used by both writers.

GB/T 9704 sets an A4 page whose text block is 156 × 225 mm, 37 mm below the top edge and
28 mm from the binding (left) edge, with 22 lines of 3号 (16 pt) 仿宋 body text; the title in
2号 小标宋; headings 一、 in 黑体, (一) in 楷体, 1. in 仿宋; the page number in 4号 Arabic
digits between two dashes, "— 1 —", 7 mm below the text block, on the outside edge (odd pages
right, even pages left, one character in). Word is given the official font names (a PC that
has them shows them); the PDF embeds free fonts that look like them (``fonts.print_faces``).
English reports keep the page and the serif fonts, with plain decimal heading numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

PT_PER_MM = 72 / 25.4
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297  # A4
TOP_MM, LEFT_MM = 37, 28  # 天头 and 订口 (binding side)
BLOCK_WIDTH_MM, BLOCK_HEIGHT_MM = 156, 225  # 版心
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - BLOCK_WIDTH_MM  # 26
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - BLOCK_HEIGHT_MM  # 35
LINES_PER_PAGE = 22
FIGURE_MAX_HEIGHT_MM = 195  # a chart this tall still fits the block under its heading
LINE_PITCH_PT = BLOCK_HEIGHT_MM * PT_PER_MM / LINES_PER_PAGE  # 28.99 pt: 22 lines fill the block
PAGE_NUMBER_DROP_MM = 7  # from the text block's lower edge to the page number's dashes
DASH_HEIGHT_EM = 0.45  # the dashes lie this far below the top of a line box one em high

# type sizes in points: 2号 title, 3号 body and headings, 4号 page numbers, 五号 tables
TITLE_PT, BODY_PT, PAGE_NUMBER_PT, TABLE_PT, NOTE_PT = 22, 16, 14, 10.5, 12
EN_BODY_PT, EN_LINE = 12, 1.5  # English body text: the same page, a Latin text size
INDENT_CHARS = 2  # paragraphs and headings start two characters in


@dataclass(frozen=True)
class Face:
    """One typeface of the layout: the name Word is given and the family the PDF embeds."""

    word: str  # w:eastAsia in report.docx: the font a Chinese PC has
    css: str  # the @font-face family in the PDF (``fonts.print_faces`` declares it)


TITLE = Face("方正小标宋简体", "FandolSong")
HEI = Face("黑体", "Noto Sans CJK SC")  # 思源黑体: already here for the charts and HTML
KAI = Face("楷体_GB2312", "FandolKai")
FANG = Face("仿宋_GB2312", "FandolFang")
SONG = Face("宋体", "FandolSong")  # page numbers: 4号 半角宋体
LATIN = Face("Times New Roman", "STIXGeneral")  # Latin letters and digits in every role


def heading_face(level: int) -> Face:
    """一、 in 黑体, (一) in 楷体, then 仿宋 (levels 3 and below)."""
    return HEI if level == 1 else KAI if level == 2 else FANG


_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九 (as Word's chineseCounting)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if not tens:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def heading_number(lang: str, path: tuple[int, ...]) -> str:
    """The number written before the heading at ``path`` (1-based, one index a level): in
    Chinese 一、 (一) 1. (1) as GB/T 9704 orders them; in English 1, 1.1, 1.1.1."""
    if lang != "zh":
        return ".".join(map(str, path)) + " "
    n, depth = path[-1], min(len(path), 4)
    return {1: f"{chinese_numeral(n)}、", 2: f"（{chinese_numeral(n)}）", 3: f"{n}.",
            4: f"（{n}）"}[depth]


def counter_style_css(name: str, count: int = 99) -> str:
    """A CSS @counter-style writing 1..``count`` as Chinese numerals (WeasyPrint has none)."""
    symbols = " ".join(f'"{chinese_numeral(n)}"' for n in range(1, count + 1))
    return f"@counter-style {name} {{ system: fixed; symbols: {symbols}; suffix: ''; }}"
