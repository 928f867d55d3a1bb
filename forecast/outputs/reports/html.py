"""report.html: one self-contained file (inline CSS, inline SVG charts, an embedded font
subset), readable offline; the PDF is printed from the same HTML."""

from __future__ import annotations

import base64
import re
import struct
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup, escape

import forecast.outputs.reports.charts as charts
import forecast.outputs.reports.gongwen as gw
from forecast.config import VERSION
from forecast.outputs.reports.fonts import font_face_css
from forecast.outputs.reports.gongwen_css import print_css
from forecast.outputs.reports.model import Report
from forecast.outputs.reports.table_widths import named_widths


def _inline(text: str) -> Markup:
    """Escape, then `code` and **bold** (the only markup report paragraphs use)."""
    html = str(escape(text))
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    html = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)
    return Markup(html)


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("forecast.outputs.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
        lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["inline"] = _inline
    env.filters["blocktype"] = lambda x: type(x).__name__
    return env.get_template("report.html.j2")


def _css() -> str:
    css = resources.files("forecast.outputs.reports").joinpath("templates", "report.css")
    return css.read_text(encoding="utf-8")


def _scoped(svg: str, prefix: str) -> str:
    """Prefix the SVG's ids so several inline charts never share one (clip paths, glyphs)."""
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', rf'url(#{prefix}-\1)', svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)


def render_html(report: Report, for_print: bool = False) -> str:
    """The report as one HTML document: charts as inline SVG and the font subset embedded;
    ``for_print``, the same page for WeasyPrint, with charts as PNG images, the 公文 print
    stylesheet (``gongwen_css``) after the screen's and its font files linked (WeasyPrint
    embeds what it uses): several times faster to print."""
    if for_print:
        figures = {c.id: _png_img(charts.png(c, report.labels), c.title)
                   for c in report.charts()}
    else:
        figures = {c.id: _scoped(charts.svg(c, report.labels), c.id) for c in report.charts()}
    body = _template().render(report=report, svgs=figures, css=_css(),
                              tones=list(enumerate(charts.TONES)), dark=charts.DARK_TONES,
                              version=VERSION)
    if for_print:
        css = print_css(report.lang, named_widths(report))
        return body.replace("</style>", css + "</style>", 1)
    # the font subset holds exactly the characters the page shows (charts are outlines)
    visible = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)
    return body.replace("<style>\n", "<style>\n" + font_face_css(visible) + "\n", 1)


def _png_img(data: bytes, alt: str) -> str:
    """A chart as a PNG image, never taller than ``FIGURE_MAX_HEIGHT_MM``: a taller one would
    leave its heading alone at the foot of the page before it."""
    width, height = struct.unpack(">II", data[16:24])  # the PNG header's IHDR
    widest = gw.FIGURE_MAX_HEIGHT_MM * width / height
    return (f'<img alt="{escape(alt)}" style="width:100%;max-width:{widest:.1f}mm" '
            f'src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}">')
