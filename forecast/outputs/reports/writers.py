"""All four reports written from a run folder: ``write_reports`` builds the report model once
and renders it; `forecast run` calls it before the run's folder is moved into place,
`forecast report RUN [--plan ID]` (``rerender``) on a finished run, with no refit.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from forecast.config import REPORT_FILES, RunFolder, language_folder, plan_report_folder
from forecast.execution import die_with_parent, process_pool
from forecast.files import write_text
from forecast.inputs.catalogue import Catalogue
from forecast.outputs.reports.source import RunOutputs, read_run, run_catalogue

FORMATS = ("html", "pdf", "docx", "xlsx")


@dataclass(frozen=True)
class Written:
    """What ``write_reports`` wrote, and why a format was not written (one line each)."""

    files: tuple[Path, ...]
    skipped: tuple[str, ...] = ()


def write_reports(run: RunOutputs, out: Path, lang: str, catalogue: Catalogue,
                  formats: tuple[str, ...] = FORMATS) -> Written:
    """Write the reports of ``run`` into the existing folder ``out``; each file atomically.

    The PDF and the Word file (both need the charts as PNG) are written by a second process
    while this one writes the HTML (charts as SVG) and the workbook: on the bundled example
    the reports take 11.6 s instead of 16.5 s one after the other."""
    # The writers are imported when reports are written, not when the package is: matplotlib,
    # python-docx and openpyxl would add 0.8 s to the start of every `forecast` command.
    from forecast.outputs.reports.build import build_report
    from forecast.outputs.reports.pdf import pdf_unavailable

    report = build_report(run, lang, catalogue)
    want = [f for f in FORMATS if f in formats]
    skipped = []
    if "pdf" in want and (missing := pdf_unavailable()):
        skipped.append(missing)
        want.remove("pdf")
    printed = [f for f in ("pdf", "docx") if f in want]
    with ExitStack() as stack:
        job = None
        if "pdf" in printed:
            pool = stack.enter_context(process_pool(  # dies with this process
                1, multiprocessing.get_context("spawn"), initializer=die_with_parent))
            # the report alone crosses to the printing process, not the run's large tables
            job = pool.submit(_write, report, None, out, tuple(printed), lang, catalogue)
        _write(report, run, out, tuple(f for f in want if job is None or f not in printed),
               lang, catalogue)
        if job is not None:
            job.result()
    return Written(tuple(RunFolder(out).report(f) for f in want), tuple(skipped))


def _write(report, run: RunOutputs | None, out: Path, formats: tuple[str, ...], lang: str,
           catalogue: Catalogue) -> None:
    """Write ``formats`` of one report (in this process or the printing one, which imports
    only the writers it needs)."""
    from forecast.outputs.reports.docx import write_docx
    from forecast.outputs.reports.html import render_html
    from forecast.outputs.reports.pdf import write_pdf
    from forecast.outputs.reports.xlsx import write_xlsx

    for fmt in formats:
        path = RunFolder(out).report(fmt)
        if fmt == "html":
            write_text(path, render_html(report))
        elif fmt == "pdf":
            write_pdf(render_html(report, for_print=True), path)
        elif fmt == "docx":
            write_docx(report, path)
        elif fmt == "xlsx":
            write_xlsx(run, path, lang, catalogue)


def report_language(folder: Path) -> str | None:
    """The language of the reports in a run folder (report.html's ``lang``), or None when it
    has none (a run with --no-reports)."""
    try:
        with (folder / REPORT_FILES["html"]).open(encoding="utf-8") as fh:
            head = fh.read(512)
    except OSError:
        return None
    found = re.search(r'<html lang="([A-Za-z-]+)"', head)
    return None if found is None else found.group(1).split("-")[0]


def rerender(folder: Path, lang: str, plan: str | None = None,
             on_start: Callable[[], object] | None = None) -> Written:
    """Re-render a finished run's reports without refitting: into the run folder, or with
    ``plan`` into ``<run>/plan-<id>/`` (that plan's full report, also from a national run).
    A language other than that of the reports already in the run folder goes into
    ``<run>/<lang>/`` (``<run>/en/plan-<id>/`` with a plan), never over them. The new files
    replace the old ones only once all are written."""
    run = read_run(folder)
    catalogue = run_catalogue(run)
    own = report_language(folder)
    base = folder if own in (None, lang) else language_folder(folder, lang)
    out = base
    if plan is not None:
        run = run.only_plan(plan)
        out = plan_report_folder(base, plan)
    if on_start is not None:  # the input is good: the work begins
        on_start()
    tmp = Path(tempfile.mkdtemp(prefix=".report.", dir=folder))
    try:
        written = write_reports(run, tmp, lang, catalogue)
        out.mkdir(parents=True, exist_ok=True)
        files = []
        for f in written.files:
            os.replace(f, out / f.name)
            files.append(out / f.name)
        return Written(tuple(files), written.skipped)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
