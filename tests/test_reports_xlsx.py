"""tables.xlsx: the workbook of a fresh run agrees with the run's CSV and JSON files."""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from forecast.inputs.catalogue import load_catalogue
from forecast.outputs.reports.source import read_run
from forecast.outputs.reports.xlsx import write_xlsx

from builders import BUNDLED, BundledRun

SHEETS_ZH = ["概率", "情景比较", "可实现目标值", "中期评估", "规划整体", "预测分位数"]


pytestmark = pytest.mark.xdist_group(BUNDLED)


@pytest.fixture(scope="module")
def run_folder(bundled_run: BundledRun) -> Path:
    return bundled_run.folder


@pytest.fixture(scope="module")
def workbook(run_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    out = tmp_path_factory.mktemp("xlsx")
    path = out / "tables.xlsx"
    write_xlsx(read_run(run_folder), path, "zh", load_catalogue())
    assert [p.name for p in out.iterdir()] == ["tables.xlsx"]  # no temporary file left
    return openpyxl.load_workbook(path)


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def test_sheets_in_order(workbook):
    assert workbook.sheetnames == SHEETS_ZH


def test_probabilities_sheet_is_the_csv(run_folder, workbook):
    csv = pd.read_csv(run_folder / "probabilities.csv", keep_default_na=False, na_values=[""])
    rows = list(workbook["概率"].iter_rows(values_only=True))
    assert list(rows[0]) == list(csv.columns)
    assert len(rows) - 1 == len(csv)
    for cells, expected in zip(rows[1:], csv.itertuples(index=False), strict=True):
        for column, cell, want in zip(csv.columns, cells, expected, strict=True):
            where = f"{column}: {cell!r} vs {want!r}"
            if isinstance(want, bool):
                assert cell is want, where
            elif _is_number(want) and math.isnan(want):
                assert cell is None, where
            elif _is_number(want):
                assert _is_number(cell) and float(cell) == float(want), where
            else:
                assert cell == want, where


def test_numbers_are_numbers_with_formats(workbook):
    ws = workbook["概率"]
    header = [c.value for c in ws[1]]
    probability = ws.cell(2, header.index("probability") + 1)
    rate = ws.cell(2, header.index("required_rate") + 1)
    assert _is_number(probability.value) and probability.number_format == "0.000"
    assert _is_number(rate.value) and rate.number_format == "0.0"
    assert ws.cell(1, 1).font.b


def test_panes_frozen_and_filtered(workbook):
    for ws in workbook:
        assert ws.freeze_panes == "C2", ws.title
        assert ws.auto_filter.ref.startswith("A1:"), ws.title


def test_scenarios_sheet_baseline_first(run_folder, workbook):
    rows = read_run(run_folder).rows
    header = [c.value for c in workbook["情景比较"][1]]
    assert header[:5] == ["plan_id", "target_id", "region", "indicator", "probability_baseline"]
    first = next(workbook["情景比较"].iter_rows(min_row=2, values_only=True))
    base = rows[(rows["target_id"] == first[1]) & (rows["scenario"] == "baseline")]
    assert first[4] == base["probability"].iloc[0]


def test_quantiles_match_fan(run_folder, workbook):
    series = json.loads((run_folder / "probabilities.json").read_text(encoding="utf-8"))[
        "diagnostics"]["series"]
    key, s = next((k, s) for k, s in series.items() if s.get("fan"))
    region, indicator = key.split("|")
    rows = list(workbook["预测分位数"].iter_rows(values_only=True))
    header = list(rows[0])
    at = {name: header.index(name) for name in ("year", "p2.5", "p50", "p97.5", "last_value")}
    mine = [r for r in rows[1:] if (r[0], r[1]) == (region, indicator)]
    assert [r[at["year"]] for r in mine] == [int(y) for y in s["fan"]]  # simulated years only
    for r in mine:
        q = s["fan"][str(r[at["year"]])]
        assert (r[at["p2.5"]], r[at["p50"]], r[at["p97.5"]]) == (q[0], q[3], q[6])
        assert r[at["last_value"]] == s["history"][str(s["last_year"])]


def test_achievable_sheet_is_suggestions_side_by_side(run_folder, workbook):
    sug = pd.read_csv(run_folder / "suggestions.csv")
    rows = list(workbook["可实现目标值"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header == ["plan_id", "target_id", "scenario", "value_50", "rate_50", "value_80",
                      "rate_80", "value_90", "rate_90"]
    assert len(rows) - 1 == len(sug) // 3
    for r in rows[1:]:
        for q in (50, 80, 90):
            src = sug[(sug["plan_id"] == r[0]) & (sug["target_id"] == r[1])
                      & (sug["scenario"] == r[2]) & (sug["confidence"] == q / 100)]
            assert r[header.index(f"value_{q}")] == src["achievable_value"].iloc[0]


def test_empty_review_and_formula_like_text(run_folder, tmp_path):
    run = read_run(run_folder)
    rows = run.rows.copy()
    rows.loc[rows.index[0], "note"] = "=1+1"
    run = dataclasses.replace(run, rows=rows,
                              review=pd.DataFrame(columns=["plan_id", "target_id", "scenario"]))
    write_xlsx(run, tmp_path / "t.xlsx", "en", load_catalogue())
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["probabilities", "scenarios", "suggestions", "review",
                             "plan outcomes", "quantiles"]
    review = list(wb["review"].iter_rows(values_only=True))
    assert len(review) == 1 and review[0][-1] == "status"
    header = [c.value for c in wb["probabilities"][1]]
    note = wb["probabilities"].cell(2, header.index("note") + 1)
    assert note.value == "=1+1" and note.data_type == "s"


def test_plan_outcomes_sheet_is_the_csv(run_folder, workbook):
    csv = pd.read_csv(run_folder / "plan_outcomes.csv", keep_default_na=False, na_values=[""])
    rows = list(workbook["规划整体"].iter_rows(values_only=True))
    assert list(rows[0]) == list(csv.columns) and len(rows) - 1 == len(csv)
    assert [r[0] for r in rows[1:]] == list(csv["plan_id"])
