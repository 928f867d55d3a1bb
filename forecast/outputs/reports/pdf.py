"""report.pdf: the HTML report printed to A4 by WeasyPrint (page numbers, a table of contents
with page numbers, charts kept whole, the CJK font subset embedded).

WeasyPrint needs Pango from the system. Where it is missing, ``pdf_unavailable`` says in one
line what to install, and the other formats are still written.
"""

from __future__ import annotations

import contextlib
import io
from functools import cache
from pathlib import Path

from forecast.files import atomic_file

INSTALL_HINT = ("report.pdf not written: WeasyPrint needs the Pango library "
                "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0; "
                "macOS: brew install pango)")


@cache
def pdf_unavailable() -> str | None:
    """None when WeasyPrint can run here, else the one-line message saying what to install."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # WeasyPrint prints a banner first
            import weasyprint  # noqa: F401  (loads Pango through cffi)
    except (OSError, ImportError) as exc:
        return f"{INSTALL_HINT} ({type(exc).__name__}: {str(exc).split(':')[0][:60]})"
    return None


def write_pdf(html: str, path: Path) -> None:
    """Print ``html`` (from ``render_html``) to ``path``, atomically."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=str(path.parent), media_type="print")
    with atomic_file(path) as tmp:
        document.write_pdf(tmp, uncompressed_pdf=False)
