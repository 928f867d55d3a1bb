"""The print stylesheet that lays report.pdf out as a 公文 (GB/T 9704-2012), made from the
numbers in ``gongwen`` so the PDF and the Word file share them.

``html.render_html(for_print=True)`` appends it to the page WeasyPrint prints, inside
``@media print``: report.html in a browser keeps its screen design. Headings are numbered by
CSS counters (一、 (一) 1. in Chinese, 1 1.1 in English), the table of contents likewise.
"""

from __future__ import annotations

import forecast.outputs.reports.gongwen as gw
from forecast.outputs.reports.fonts import print_faces

_ZH_COUNTER = "gw-zh"


def _stack(*faces: gw.Face) -> str:
    """A font-family list: Latin first (in a Chinese report it draws only Latin characters,
    see ``fonts.print_faces``), then the faces, then 黑体 for a character none of them has."""
    names = [gw.LATIN.css, *(f.css for f in faces), gw.HEI.css]
    return ", ".join(f"'{n}'" for n in dict.fromkeys(names)) + ", serif"


def _numbers(lang: str) -> str:
    """Counters before the section headings and the table of contents' entries."""
    if lang == "zh":
        one = f'counter(gw1, {_ZH_COUNTER}) "、"'
        two = f'"（" counter(gw2, {_ZH_COUNTER}) "）"'
        toc_one = f'counter(toc, {_ZH_COUNTER}) "、"'
        toc_two = f'"（" counter(toc, {_ZH_COUNTER}) "）"'
    else:
        one, two = 'counter(gw1) "\\2002"', 'counter(gw1) "." counter(gw2) "\\2002"'
        toc_one, toc_two = 'counter(toc) "\\2002"', 'counters(toc, ".") "\\2002"'
    return f"""
  body {{ counter-reset: gw1; }}
  section.level1 {{ counter-increment: gw1; counter-reset: gw2; }}
  section.level1 > h1::before {{ content: {one}; }}
  section.level2 {{ counter-increment: gw2; }}
  section.level2 > h2::before {{ content: {two}; }}
  nav.toc ol {{ list-style: none; counter-reset: toc; padding-left: 0; }}
  nav.toc ol ol {{ padding-left: {gw.INDENT_CHARS}em; }}
  nav.toc li {{ counter-increment: toc; }}
  nav.toc > ol > li > a::before {{ content: {toc_one}; }}
  nav.toc ol ol > li > a::before {{ content: {toc_two}; }}"""


def _page_number(side: str) -> str:
    """The page number on the outside edge: "— 1 —", one character in, 7 mm below the block."""
    drop_pt = gw.PAGE_NUMBER_DROP_MM * gw.PT_PER_MM - gw.DASH_HEIGHT_EM * gw.PAGE_NUMBER_PT
    return (f"@bottom-{side} {{ content: '— ' counter(page) ' —'; "
            f"font-family: {_stack(gw.SONG)}; font-size: {gw.PAGE_NUMBER_PT}pt; "
            f"line-height: 1; color: #000; vertical-align: top; "
            f"padding-top: {drop_pt:.2f}pt; padding-{side}: 1em; }}")


def _widths(widths: dict[str, list[float]]) -> str:
    """Each named table's column widths (``table_widths``), as the fixed layout's header."""
    return "".join(f'\n  table[data-table="{name}"] th:nth-child({j}) {{ width: {100 * w:.2f}%; }}'
                   for name, fractions in widths.items()
                   for j, w in enumerate(fractions, start=1))


def print_css(lang: str, widths: dict[str, list[float]]) -> str:
    """@font-face rules, the page and the typography of a 公文, as one CSS text; ``widths``
    the column widths of each named table."""
    zh = lang == "zh"
    body_pt = gw.BODY_PT if zh else gw.EN_BODY_PT
    line = f"{gw.LINE_PITCH_PT:.2f}pt" if zh else str(gw.EN_LINE)
    heading_weight = 400 if zh else 700  # 黑体 and 楷体 are not set bold; English headings are
    indent = f"{gw.INDENT_CHARS}em" if zh else "0"  # English paragraphs start flush
    heading = {level: _stack(gw.heading_face(level)) if zh else _stack(gw.FANG)
               for level in (1, 2, 3)}
    return f"""{print_faces(lang)}
{gw.counter_style_css(_ZH_COUNTER)}
@media print {{
  @page {{ size: A4; margin: {gw.TOP_MM}mm {gw.RIGHT_MM}mm {gw.BOTTOM_MM}mm {gw.LEFT_MM}mm;
          @bottom-center {{ content: none; }} }}
  @page :right {{ {_page_number("right")} }}
  @page :left {{ {_page_number("left")} }}
  html {{ font-family: {_stack(gw.FANG)}; font-size: {body_pt}pt; line-height: {line};
          color: #000; }}
  h1, h2, h3, h4 {{ color: #000; border: none; margin: 0; padding: 0;
                    font-size: {gw.BODY_PT}pt; font-weight: {heading_weight};
                    line-height: {gw.LINE_PITCH_PT:.2f}pt; margin-top: {0 if zh else 0.5}em; }}
  h1 {{ font-family: {heading[1]}; text-indent: {indent}; }}
  h2 {{ font-family: {heading[2]}; text-indent: {indent}; }}
  h3, h4 {{ font-family: {heading[3]}; text-indent: {indent}; }}
  h1.title {{ font-family: {_stack(gw.TITLE)}; font-size: {gw.TITLE_PT}pt; font-weight: 700;
              text-align: center; text-indent: 0; line-height: 1.4; margin: 0 0 0.6em; }}
  nav.toc h2 {{ font-family: {heading[1]}; text-align: center; text-indent: 0;
                margin: 0.5em 0; }}
  nav.toc {{ font-size: {body_pt}pt; }}
  nav.toc a {{ color: #000; }}
  nav.toc ol ol {{ display: none; }}  /* the printed contents list the parts only: the
     cover, its contents and the first page of conclusions come first */
  p {{ margin: 0; text-indent: {indent}; text-align: justify; }}
  strong {{ font-family: {_stack(gw.HEI)}; font-weight: 400; }}
  dl.facts {{ font-size: {gw.NOTE_PT}pt; line-height: 1.5; color: #000;
              margin: 0 0 1em; }}
  table {{ font-size: {gw.TABLE_PT}pt; line-height: 1.35; font-family: {_stack(gw.FANG)}; }}
  th {{ font-family: {_stack(gw.HEI)}; font-weight: 400; }}
  td.tone {{ font-weight: 400; white-space: normal; }}
  th, td {{ padding: 2pt 4pt; box-sizing: border-box; }}  /* widths include the padding */
  footer {{ font-size: {gw.NOTE_PT}pt; color: #000; }}
  code {{ font-size: 0.85em; }}{_numbers(lang)}{_widths(widths)}
}}
"""
