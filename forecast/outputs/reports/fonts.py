"""The fonts of the reports, all from the package or its dependencies (no system fonts needed).

Noto Sans CJK SC (SIL Open Font License) comes with the ``mpl-font`` package. Charts register
it with matplotlib; the HTML embeds a subset holding only the characters the report uses (as
WOFF in a data: URL), so the file renders the same offline on any machine.

The PDF is set in the 公文 faces (``gongwen``): three Fandol fonts shipped in ``fandol/``
(仿宋, 楷体 and a bold 宋体 for the title; GPL with the font exception, see its PROVENANCE.md),
Noto Sans CJK SC as 黑体, and STIX General, the Times-like serif matplotlib ships, for Latin
letters and digits. WeasyPrint embeds a subset of each into the PDF.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from importlib import resources
from pathlib import Path

import forecast.outputs.reports.gongwen as gongwen

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


@cache
def print_files() -> dict[str, Path]:
    """The PDF's font files, keyed "family/CSS weight/CSS style"."""
    import matplotlib

    fandol = resources.files("forecast.outputs.reports").joinpath("fandol")
    stix = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    files = {f"{FAMILY}/{w}/normal": p for w, p in zip((400, 700), font_files().values(),
                                                          strict=True)}
    files |= {f"{gongwen.FANG.css}/400/normal": fandol.joinpath("FandolFang-Regular.otf"),
              f"{gongwen.KAI.css}/400/normal": fandol.joinpath("FandolKai-Regular.otf"),
              f"{gongwen.TITLE.css}/700/normal": fandol.joinpath("FandolSong-Bold.otf"),
              f"{gongwen.LATIN.css}/400/normal": stix / "STIXGeneral.ttf",
              f"{gongwen.LATIN.css}/700/normal": stix / "STIXGeneralBol.ttf",
              f"{gongwen.LATIN.css}/400/italic": stix / "STIXGeneralItalic.ttf"}
    return {key: Path(str(path)) for key, path in files.items()}


# In a Chinese report the Latin font draws only Latin letters, digits and signs: quotes,
# dashes and the middle dot stay with the Chinese font, full width as Chinese text has them.
_LATIN_IN_CHINESE = "U+0020-007E, U+00A0-00B6, U+00B8-00FF, U+2013, U+2212, U+2264-2265"


def print_faces(lang: str) -> str:
    """@font-face rules linking every font file of the PDF (WeasyPrint subsets them)."""
    rules = []
    for key, path in print_files().items():
        family, weight, style = key.split("/")
        limit = (f" unicode-range: {_LATIN_IN_CHINESE};"
                 if lang == "zh" and family == gongwen.LATIN.css else "")
        rules.append(f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
                     f"font-style: {style}; src: url({path.as_uri()});{limit} }}")
    return "\n".join(rules)


_ALWAYS = "0123456789.,%–—·:;()[]/+-−≥≤<>|"
