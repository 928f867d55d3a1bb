"""report.docx: a Word document that opens, with every baseline target, every chart and a
Heading 1 per plan."""

from __future__ import annotations

from pathlib import Path

import docx
import pandas as pd
import pytest

from forecast.outputs.reports.build import build_report
from forecast.outputs.reports.docx import write_docx
from forecast.outputs.reports.model import Table
from forecast.outputs.reports.source import read_run

from builders import BUNDLED, BundledRun


@pytest.mark.xdist_group(BUNDLED)
def test_docx_holds_every_target_chart_and_plan(bundled_run: BundledRun, tmp_path: Path,
                                               catalogue) -> None:
    outputs = read_run(bundled_run.folder)
    report = build_report(outputs, "zh", catalogue)
    path = tmp_path / "report.docx"
    write_docx(report, path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file
    doc = docx.Document(str(path))

    # the headline tables: found by their header, one body row per baseline target
    headers = {b.columns for s in report.walk() for b in s.blocks
               if isinstance(b, Table) and b.name == "headline"}
    assert len(headers) == 1
    header = list(headers.pop())
    rows = [[c.text for c in row.cells] for t in doc.tables
            if [c.text for c in t.rows[0].cells] == header for row in t.rows[1:]]
    probabilities = pd.read_csv(bundled_run.folder / "probabilities.csv")
    baseline = probabilities[probabilities["scenario"] == "baseline"]
    assert len(rows) == len(baseline) > 0
    probability = [r[2] for r in rows]
    assessed = baseline[baseline["assessable"]]["probability"]
    assert sorted(p for p in probability if p != "–") == sorted(f"{p:.2f}" for p in assessed)

    assert len(doc.inline_shapes) == len(report.charts()) > 0
    heading1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert {plan["title"] for plan in outputs.plans} <= {h.split("、", 1)[1] for h in heading1}
    numbers = [*"一二三四五六七八九十", *(f"十{d}" for d in "一二三四五六七八九")]  # 一、 .. 十九、
    assert heading1 == [f"{numbers[i]}、{s.title}" for i, s in enumerate(report.sections)]
