"""Reports a mid-term review can attach: report.html, report.pdf, report.docx, tables.xlsx.

``build_report`` turns a finished run into one report model; each writer renders it.
``write_reports`` writes all four from a run folder: `forecast run` calls it before the run's
folder is moved into place, `forecast report RUN [--plan ID]` on a finished run (no refit).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from forecast.catalogue import Catalogue
from forecast.reports.source import RunOutputs, read_run

FORMATS = ("html", "pdf", "docx", "xlsx")
FILES = {"html": "report.html", "pdf": "report.pdf", "docx": "report.docx",
         "xlsx": "tables.xlsx"}


@dataclass(frozen=True)
class Written:
    """What ``write_reports`` wrote, and why a format was not written (one line each)."""

    files: tuple[Path, ...]
    skipped: tuple[str, ...] = ()


def write_reports(run: RunOutputs, out: Path, lang: str, catalogue: Catalogue,
                  formats: tuple[str, ...] = FORMATS) -> Written:
    """Write the reports of ``run`` into the existing folder ``out``; each file atomically."""
    from forecast.reports.docx import write_docx
    from forecast.reports.html import render_html
    from forecast.reports.model import build_report
    from forecast.reports.pdf import pdf_unavailable, write_pdf
    from forecast.reports.xlsx import write_xlsx

    report = build_report(run, lang, catalogue)
    files, skipped = [], []
    if "html" in formats:
        _write_text(out / FILES["html"], render_html(report))
        files.append(out / FILES["html"])
    if "pdf" in formats:
        missing = pdf_unavailable()
        if missing:
            skipped.append(missing)
        else:
            write_pdf(render_html(report, for_print=True), out / FILES["pdf"])
            files.append(out / FILES["pdf"])
    if "docx" in formats:
        write_docx(report, out / FILES["docx"])
        files.append(out / FILES["docx"])
    if "xlsx" in formats:
        write_xlsx(run, out / FILES["xlsx"], lang, catalogue)
        files.append(out / FILES["xlsx"])
    return Written(tuple(files), tuple(skipped))


def rerender(folder: Path, lang: str, catalogue: Catalogue, plan: str | None = None
             ) -> Written:
    """Re-render a finished run's reports without refitting: into the run folder, or with
    ``plan`` into ``<run>/plan-<id>/`` (that plan's full report, also from a national run).
    The new files replace the old ones only once all are written."""
    run = read_run(folder)
    out = folder
    if plan is not None:
        run = run.only_plan(plan)
        out = folder / f"plan-{plan}"
    tmp = Path(tempfile.mkdtemp(prefix=".report.", dir=folder))
    try:
        written = write_reports(run, tmp, lang, catalogue)
        out.mkdir(exist_ok=True)
        files = []
        for f in written.files:
            os.replace(f, out / f.name)
            files.append(out / f.name)
        return Written(tuple(files), written.skipped)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
