"""The CJK font every report uses, from a pip-installed package (no system fonts needed).

Noto Sans CJK SC (SIL Open Font License) comes with the ``mpl-font`` package. Charts register
it with matplotlib; the HTML embeds a subset holding only the characters the report uses (as
WOFF in a data: URL), so the file renders the same offline on any machine, and WeasyPrint
embeds it into the PDF.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from importlib import resources
from pathlib import Path

FAMILY = "Noto Sans CJK SC"  # the family name inside the font files
CSS_FAMILY = FAMILY  # the CSS name: PDF font lists show it (NotoSansCJKsc)


@cache
def font_files() -> dict[str, Path]:
    """Regular and bold Noto Sans CJK SC, as files on disk."""
    folder = resources.files("mpl_font").joinpath("fonts", "noto")
    return {weight: Path(str(folder.joinpath(f"NotoSansCJKsc-{weight}.otf")))
            for weight in ("Regular", "Bold")}


def register_with_matplotlib() -> None:
    """Make matplotlib draw every label with the bundled font (it has Latin and digits too)."""
    import matplotlib as mpl
    from matplotlib import font_manager

    if FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        for path in font_files().values():
            font_manager.fontManager.addfont(str(path))
    mpl.rcParams["font.family"] = [FAMILY]  # one font: no per-glyph fallback search (fast)
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["svg.fonttype"] = "path"  # text as outlines: no font needed to view the SVG


@cache
def _subset(weight: str, text: str) -> bytes:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"  # zlib: a few times faster to write than WOFF2
    # plain horizontal text needs no OpenType layout features or hints: dropping them makes
    # the subset half the size and twice as fast to build
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    font = subset.load_font(str(font_files()[weight]), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def font_face_css(text: str | None = None) -> str:
    """@font-face rules for the regular and bold font: embedding their subsets for ``text``,
    or, without text, linking the font files (for WeasyPrint, which subsets them itself)."""
    chars = "".join(sorted(set(text or "") | set(_ALWAYS)))
    rules = []
    for weight, css_weight in (("Regular", 400), ("Bold", 700)):
        if text is None:
            src = f"url({font_files()[weight].as_uri()})"
        else:
            data = base64.b64encode(_subset(weight, chars)).decode("ascii")
            src = f"url(data:font/woff;base64,{data}) format('woff')"
        rules.append(f"@font-face {{ font-family: '{CSS_FAMILY}'; font-weight: {css_weight}; "
                     f"src: {src}; }}")
    return "\n".join(rules)


_ALWAYS = "0123456789.,%–—·:;()[]/+-−≥≤<>|"
